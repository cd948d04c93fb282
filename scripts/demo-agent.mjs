#!/usr/bin/env node
// The agent of the demo: a real program that the shell launcher starts with the prompt on stdin. It does
// what the built-in bead prompts ask of a coding agent, without a model: reads its bead, writes its part of
// the change, commits it, and closes the bead (the land agent checks every phase and closes the epic).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sase = fileURLToPath(new URL('../apps/cli/dist/bin.cjs', import.meta.url));
const beadId = process.env.SASE_BEAD_ID;
const agent = process.env.SASE_AGENT_NAME;
const prompt = readFileSync(0, 'utf8');
const run = (args) => execFileSync(process.execPath, [sase, ...args], { encoding: 'utf8' });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function commit(file, message) {
  // Agents of one wave commit in the same checkout at the same time: retry while another holds git's lock.
  for (let attempt = 0; ; attempt++) {
    try {
      execFileSync('git', ['add', '--', file], { stdio: 'ignore' });
      execFileSync('git', ['commit', '-q', '-m', message, '--', file], { stdio: 'ignore' });
      return;
    } catch (error) {
      if (attempt > 50) throw error;
      execFileSync('sleep', ['0.1']);
    }
  }
}

if (!beadId) {
  console.error('no SASE_BEAD_ID: this agent works on beads');
  process.exit(2);
}
console.log(`${agent}: got a prompt of ${prompt.split('\n').length} lines for bead ${beadId}`);
const [bead] = JSON.parse(run(['bead', 'show', beadId, '--json']));
await sleep(400 + Math.floor(Math.random() * 600));

if (bead.issue_type === 'phase') {
  if (process.env.DEMO_FAIL_PHASE === beadId) {
    console.error(`${agent}: failing on purpose (DEMO_FAIL_PHASE)`);
    process.exit(1);
  }
  mkdirSync('src', { recursive: true });
  const file = join('src', `${beadId}.md`);
  writeFileSync(
    file,
    `# ${bead.title}\n\nDone by agent ${agent} for bead ${beadId} (epic ${bead.parent_id}).\n`,
  );
  commit(file, `${beadId}: ${bead.title}`);
  run(['bead', 'close', beadId, '-r', `wrote ${file}`]);
  console.log(`${agent}: wrote ${file}, committed, closed ${beadId}`);
} else {
  const phases = JSON.parse(run(['bead', 'list', '--parent', beadId, '--json']));
  const open = phases.filter((phase) => phase.status !== 'closed');
  if (open.length > 0) {
    console.error(`${agent}: cannot land, phases not closed: ${open.map((phase) => phase.id).join(', ')}`);
    process.exit(1);
  }
  writeFileSync(
    'LANDED.md',
    `# ${bead.title}\n\n${phases.map((phase) => `- ${phase.id} ${phase.title}`).join('\n')}\n`,
  );
  commit('LANDED.md', `${beadId}: land ${bead.title}`);
  run(['bead', 'close', beadId, '-r', `landed ${phases.length} phases`]);
  console.log(`${agent}: landed ${phases.length} phases and closed ${beadId}`);
}
