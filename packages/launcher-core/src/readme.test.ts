// The README's main example, run as a test: a complete third-party launcher written against
// @sase/launcher-core alone, checked by the conformance suite against a fake executable.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  composePrompt,
  countStandbyShells,
  createProcessLauncher,
  describeExit,
  type LaunchRequest,
  type OutputMapper,
  type ProcessLauncherSettings,
  prepareAgentProcesses,
  spawnAgentProcess,
} from '@sase/launcher-core';
import { runLauncherConformance } from '@sase/launcher-core/testing';
import { afterAll, expect, it } from 'vitest';

// --- README example start ---
interface MyAgentSettings extends ProcessLauncherSettings {}

function createMyAgent(settings: MyAgentSettings = {}) {
  // The model as one argv element (`--model=x`): a model name can never be read as a flag.
  const model = (request: LaunchRequest) => (request.model ? [`--model=${request.model}`] : []);
  return createProcessLauncher({
    launcherId: 'my-agent',
    executable: settings.executable ?? 'my-agent',
    overrideVariable: 'MY_AGENT_BIN',
    env: settings.env,
    killGraceMs: settings.killGraceMs,
    // What %model:@smart, @fast and @cheap mean for this CLI (sase.yml launcher.my-agent.models overrides them).
    modelAliases: { smart: 'my-model-large', fast: 'my-model', cheap: 'my-model-small' },
    // request -> argv + stdin. The prompt (with SASE's notes appended) goes on stdin: never through a shell.
    invocation: (request) => ({
      args: ['--jsonl', ...model(request), ...(settings.args ?? [])],
      input: composePrompt(request.prompt, request.context),
    }),
    // Optional: continue a previous run's session (its outcome.sessionId) with the request's prompt.
    resumeInvocation: (request, sessionId) => ({
      args: ['--jsonl', ...model(request), '--resume', sessionId, ...(settings.args ?? [])],
      input: composePrompt(request.prompt, request.context),
    }),
    // stdout lines -> events; the CLI's own result -> the outcome (with the session id, for resume).
    createMapper: (): OutputMapper => {
      let result: { ok?: boolean; answer?: string; error?: string } | undefined;
      let sessionId: string | undefined;
      return {
        json: (line) => {
          if (line.event === 'started') sessionId = String(line.session);
          if (line.event === 'say') return [{ type: 'message', role: 'assistant', text: String(line.text) }];
          if (line.event === 'done') result = line;
          return [];
        },
        finish: (exit) =>
          result?.ok === true && exit.exitCode === 0
            ? { outcome: 'completed', finalText: result.answer, sessionId }
            : {
                outcome: 'failed',
                error: result?.error ?? `my-agent ${describeExit(exit)} failed`,
                sessionId,
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

it('README usage: launch, stream events, await the outcome, resume', async () => {
  const createLauncher = () => createMyAgent({ executable: fakeExecutable });
  const cwd = directory;
  const log: string[] = [];
  const console = { log: (text: string) => log.push(text) };
  // --- README usage start ---
  const launcher = createLauncher();
  const request = {
    agentName: 'demo',
    prompt: 'Fix the failing test in src/math.ts',
    cwd,
    artifactsDir: join(directory, '.sase/agents/demo'),
  };
  const run = launcher.launch(request);
  for await (const event of run.events) {
    if (event.type === 'message') console.log(event.text);
  }
  const outcome = await run.outcome; // { outcome: 'completed', exitCode: 0, finalText: '...', sessionId: 'sess-1' }

  // Continue that session with the next message (a launcher whose CLI cannot resume has no resume method):
  const next = launcher.resume?.({ ...request, prompt: 'Now add a test for it.' }, outcome.sessionId ?? '');
  // --- README usage end ---
  expect(log).toEqual(['Looking at the code.', 'Done: the bug is fixed.']);
  expect(outcome).toEqual({
    outcome: 'completed',
    exitCode: 0,
    finalText: 'Done: the bug is fixed.',
    sessionId: 'sess-1',
  });
  expect(next).toBeDefined();
  expect((await next?.outcome)?.outcome).toBe('completed');
  const command = (await next?.events[Symbol.asyncIterator]().next())?.value;
  expect(command).toMatchObject({
    type: 'start',
    command: [fakeExecutable, '--jsonl', '--resume', 'sess-1'],
  });
});

it('README documents the model name pattern assertLaunchRequest applies', async () => {
  const { MODEL_NAME_PATTERN, SESSION_ID_PATTERN } = await import('@sase/launcher-core');
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  expect(readme).toContain(`\`/${MODEL_NAME_PATTERN.source}/${MODEL_NAME_PATTERN.flags}\``);
  expect(SESSION_ID_PATTERN).toBe(MODEL_NAME_PATTERN);
});

it('README standby shells: agents about to start get their processes ahead', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sase-readme-standby-'));
  const prompt = 'the prompt\n';
  const deadline = Date.now() + 10_000;
  // --- README standby start ---
  const standby = prepareAgentProcesses(8); // 8 agents are about to start
  // ... later, each agent:
  while (countStandbyShells() < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const agent = spawnAgentProcess({ command: ['cat'], cwd, env: process.env, input: prompt });
  // --- README standby end ---
  try {
    expect(countStandbyShells()).toBe(7); // it started in one of them
    let stdout = '';
    agent.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await agent.exited).toMatchObject({ exitCode: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stdout).toBe(prompt);
  } finally {
    standby.release(); // when nothing more is coming: the shells not taken exit
    rmSync(cwd, { recursive: true, force: true });
  }
  expect(countStandbyShells()).toBe(0);
});
