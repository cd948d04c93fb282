// The README's main example, run as a test: a complete third-party launcher written against
// @sase/launcher-core alone, checked by the conformance suite against a fake executable.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  composePrompt,
  createProcessLauncher,
  describeExit,
  type OutputMapper,
  type ProcessLauncherSettings,
} from '@sase/launcher-core';
import { runLauncherConformance } from '@sase/launcher-core/testing';
import { afterAll, expect, it } from 'vitest';

// --- README example start ---
interface MyAgentSettings extends ProcessLauncherSettings {}

function createMyAgent(settings: MyAgentSettings = {}) {
  return createProcessLauncher({
    launcherId: 'my-agent',
    executable: settings.executable ?? 'my-agent',
    overrideVariable: 'MY_AGENT_BIN',
    env: settings.env,
    killGraceMs: settings.killGraceMs,
    // request -> argv + stdin. The prompt (with SASE's notes appended) goes on stdin: never through a shell.
    invocation: (request) => ({
      args: ['--jsonl', ...(request.model ? ['--model', request.model] : []), ...(settings.args ?? [])],
      input: composePrompt(request.prompt, request.context),
    }),
    // stdout lines -> events; the CLI's own result -> the outcome.
    createMapper: (): OutputMapper => {
      let result: { ok?: boolean; answer?: string; error?: string } | undefined;
      return {
        json: (line) => {
          if (line.event === 'say') return [{ type: 'message', role: 'assistant', text: String(line.text) }];
          if (line.event === 'done') result = line;
          return [];
        },
        finish: (exit) =>
          result?.ok === true && exit.exitCode === 0
            ? { outcome: 'completed', finalText: result.answer }
            : {
                outcome: 'failed',
                error: result?.error ?? `my-agent ${describeExit(exit)} without a result`,
              },
      };
    },
  });
}
// --- README example end ---

const fakeExecutable = fileURLToPath(new URL('./__fixtures__/fake-agent.mjs', import.meta.url));
chmodSync(fakeExecutable, 0o755);

runLauncherConformance({
  name: 'my-agent (README example)',
  createLauncher: () => createMyAgent({ killGraceMs: 300 }),
  fakeExecutable,
  overrideVariable: 'MY_AGENT_BIN',
  expectedFinalText: 'Done: the bug is fixed.',
  promptContext: 'prompt', // request.context is appended to the prompt
});

const directory = mkdtempSync(join(tmpdir(), 'sase-readme-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('README usage: launch, stream events, await the outcome', async () => {
  const launcher = createMyAgent({ executable: fakeExecutable });
  // --- README usage start ---
  const run = launcher.launch({
    agentName: 'demo',
    prompt: 'Fix the failing test in src/math.ts',
    cwd: directory,
    artifactsDir: join(directory, '.sase/agents/demo'),
  });
  const said: string[] = [];
  for await (const event of run.events) {
    if (event.type === 'message') said.push(event.text);
  }
  const outcome = await run.outcome; // { outcome: 'completed', exitCode: 0, finalText: '...' }
  // --- README usage end ---
  expect(said).toEqual(['Looking at the code.', 'Done: the bug is fixed.']);
  expect(outcome).toEqual({ outcome: 'completed', exitCode: 0, finalText: 'Done: the bug is fixed.' });
});
