// The README's main example, run as a test against the fake codex (the only change: `executable`).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createCodex } from './index.js';

const fakeExecutable = fileURLToPath(new URL('./__fixtures__/fake-agent.mjs', import.meta.url));
chmodSync(fakeExecutable, 0o755);
const directory = mkdtempSync(join(tmpdir(), 'sase-readme-codex-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('README example: launch, print the assistant, await the outcome', async () => {
  const printed: string[] = [];
  const log = (text: string) => printed.push(text);
  // --- README example start ---
  const codex = createCodex({ executable: fakeExecutable });
  const run = codex.launch({
    agentName: 'fix-math',
    prompt: 'Fix the failing test in src/math.ts',
    model: 'gpt-5-codex',
    approve: true, // self-approve: the agent may edit files and run commands
    cwd: directory,
    artifactsDir: join(directory, '.sase/agents/fix-math'),
  });
  for await (const event of run.events) {
    if (event.type === 'message' && event.role === 'assistant') log(event.text);
  }
  const outcome = await run.outcome;
  // --- README example end ---
  expect(printed.length).toBeGreaterThan(0);
  expect(outcome.outcome).toBe('completed');
  expect(outcome.exitCode).toBe(0);
  expect(outcome.finalText).toMatch(/now passes|npm test/);
  expect(outcome.sessionId).toMatch(/^[0-9a-f-]{36}$/);
});
