#!/usr/bin/env node
// The agent of the demo: a real program that the shell launcher starts with the prompt on stdin. It does
// what the built-in bead prompts ask of a coding agent, without a model. A phase agent works in its own git
// worktree: it reads its bead, writes its part of the change and closes the bead (SASE commits what it
// leaves, runs the project's check, and records the change). The land agent runs `sase change land`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sase = fileURLToPath(new URL('../apps/cli/dist/bin.cjs', import.meta.url));
const beadId = process.env.SASE_BEAD_ID;
const agent = process.env.SASE_AGENT_NAME;
const attempt = Number(process.env.SASE_AGENT_ATTEMPT ?? '1');
const prompt = readFileSync(0, 'utf8');
const run = (args) => execFileSync(process.execPath, [sase, ...args], { encoding: 'utf8' });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (!beadId) {
  console.error('no SASE_BEAD_ID: this agent works on beads');
  process.exit(2);
}
console.log(
  `${agent} (attempt ${attempt}): a prompt of ${prompt.split('\n').length} lines for bead ${beadId}`,
);
const [bead] = JSON.parse(run(['bead', 'show', beadId, '--json']));
await sleep(300 + Math.floor(Math.random() * 500));

if (bead.issue_type === 'phase') {
  if (process.env.DEMO_FAIL_PHASE === beadId) {
    console.error(`${agent}: failing on purpose (DEMO_FAIL_PHASE)`);
    process.exit(1);
  }
  // What SASE tells a retry (a failing check's log) arrives beside the prompt, in SASE_PROMPT_CONTEXT.
  const context = process.env.SASE_PROMPT_CONTEXT;
  if (context && existsSync(context)) {
    const heading = readFileSync(context, 'utf8')
      .split('\n')
      .find((line) => line.startsWith('## '));
    console.log(`${agent}: SASE says: ${heading?.slice(3) ?? 'see the context file'}`);
  }
  const blockers = bead.dependencies.map((dependency) => dependency.id);
  const missing = blockers.filter((id) => !existsSync(join('src', `${id}.md`)));
  if (missing.length > 0) {
    console.error(`${agent}: the work of ${missing.join(', ')} is not in this worktree`);
    process.exit(1);
  }
  mkdirSync('src', { recursive: true });
  const file = join('src', `${beadId}.md`);
  // The demo's check (check.mjs) refuses a TODO: the phase named in DEMO_TODO_PHASE leaves one on its first
  // attempt, and fixes it when it is retried with the check's log.
  const todo = process.env.DEMO_TODO_PHASE === beadId && attempt === 1 ? '\nTODO: sign the tokens\n' : '';
  writeFileSync(
    file,
    `# ${bead.title}\n\nDone by agent ${agent} for bead ${beadId} (epic ${bead.parent_id}), on top of ` +
      `${blockers.length > 0 ? blockers.join(', ') : 'the base'}.\n${todo}`,
  );
  if (Number(beadId.split('.').at(-1)) % 2 === 1) {
    // Some agents commit themselves; SASE keeps their commits and commits the rest for the others.
    execFileSync('git', ['add', '--', file]);
    execFileSync('git', ['commit', '-q', '-m', `${beadId}: ${bead.title}`]);
  }
  run(['bead', 'close', beadId, '-r', `wrote ${file}`]);
  console.log(`${agent}: wrote ${file} and closed ${beadId}`);
} else {
  // The land agent: merge the phase branches in dependency order and close the epic.
  process.stdout.write(run(['change', 'land', beadId]));
  console.log(`${agent}: landed ${beadId}`);
}
