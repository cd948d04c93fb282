// The README's main example, run as a test.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createShell } from './index.js';

const directory = mkdtempSync(join(tmpdir(), 'sase-readme-shell-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('README example: a configured command, the prompt on stdin', async () => {
  const lines: string[] = [];
  // --- README example start ---
  const shell = createShell({ command: 'echo "agent $SASE_AGENT_NAME got:"; wc -w' });
  const run = shell.launch({
    agentName: 'counter',
    prompt: 'count these $(touch pwned) words',
    cwd: directory,
    artifactsDir: join(directory, '.sase/agents/counter'),
  });
  for await (const event of run.events) {
    if (event.type === 'output') lines.push(event.text);
  }
  const outcome = await run.outcome; // { outcome: 'completed', exitCode: 0, finalText: 'agent counter got:\n5' }
  // --- README example end ---
  expect(lines.map((line) => line.trim())).toEqual(['agent counter got:', '5']);
  expect(outcome.outcome).toBe('completed');
  expect(existsSync(join(directory, 'pwned'))).toBe(false);
});

it('README example: the context goes to a file named by SASE_PROMPT_CONTEXT, the script stays intact', async () => {
  // --- README context example start ---
  const agent = createShell({
    command: 'sh -s && if [ -n "$SASE_PROMPT_CONTEXT" ]; then head -n 1 "$SASE_PROMPT_CONTEXT"; fi',
  });
  const retry = agent.launch({
    agentName: 'check',
    prompt: 'echo "running the check"\n', // a script: run by `sh -s`, untouched
    context: [{ title: 'Previous attempt', text: 'exited with code 1: npm test failed' }],
    cwd: directory,
    artifactsDir: join(directory, '.sase/agents/check'),
  });
  const result = await retry.outcome;
  // result.finalText: 'running the check\n## Previous attempt'
  // --- README context example end ---
  expect(result).toEqual({
    outcome: 'completed',
    exitCode: 0,
    finalText: 'running the check\n## Previous attempt',
  });
  expect(readFileSync(join(directory, '.sase/agents/check/context.md'), 'utf8')).toBe(
    '## Previous attempt\n\nexited with code 1: npm test failed\n',
  );
});
