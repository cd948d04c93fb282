import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutputMapper } from '@sase/launcher-core';
import {
  collectRun,
  exitedWith,
  readFakeRecord,
  replayOutput,
  runLauncherConformance,
} from '@sase/launcher-core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createGemini,
  createGeminiJsonMapper,
  createGeminiStreamMapper,
  GEMINI_MODEL_ALIASES,
  gemini,
  geminiArguments,
  geminiResumeArguments,
} from './gemini.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const fakeExecutable = join(fixtures, 'fake-agent.mjs');
chmodSync(fakeExecutable, 0o755);
// The fixtures are recorded from Gemini CLI 0.61.0 by packages/e2e (src/record-fixtures.test.ts).
const FINAL =
  'Fixed: `add` in src/math.mjs returned `a + b + 1`; it now returns `a + b`, and `node test.mjs` now passes.';
const SESSION = '0d8d2a70-20c9-42ac-af50-df34ec5fb7bd';

runLauncherConformance({
  name: 'gemini (stream-json)',
  createLauncher: () => createGemini({ killGraceMs: 300 }),
  fakeExecutable,
  overrideVariable: 'SASE_GEMINI_BIN',
  expectedFinalText: FINAL,
  promptContext: 'prompt',
});

runLauncherConformance({
  name: 'gemini (json)',
  createLauncher: () => createGemini({ outputFormat: 'json', killGraceMs: 300 }),
  fakeExecutable,
  overrideVariable: 'SASE_GEMINI_BIN',
  scenarios: { success: 'json-success', errorResult: null },
  expectedFinalText: FINAL,
  promptContext: 'prompt',
});

const replay = (mapper: OutputMapper, fixture: string) => replayOutput(mapper, join(fixtures, fixture));
const exited = exitedWith;

describe('geminiArguments', () => {
  const request = { agentName: 'a', prompt: 'p', cwd: '.', artifactsDir: 'x' };
  it('asks for stream-json; the prompt is not in argv', () => {
    expect(geminiArguments(request)).toEqual(['--output-format', 'stream-json']);
  });
  it('maps model, self-approval and trust to flags', () => {
    expect(
      geminiArguments(
        { ...request, model: 'gemini-2.5-pro', approve: true },
        { trustWorkspace: true, args: ['--sandbox'] },
      ),
    ).toEqual([
      '--output-format',
      'stream-json',
      '--model=gemini-2.5-pro',
      '--approval-mode',
      'yolo',
      '--skip-trust',
      '--sandbox',
    ]);
    expect(
      geminiArguments({ ...request, approve: true }, { approvalMode: 'auto_edit', outputFormat: 'json' }),
    ).toEqual(['--output-format', 'json', '--approval-mode', 'auto_edit']);
  });
});

describe('geminiResumeArguments', () => {
  const request = { agentName: 'a', prompt: 'p', cwd: '.', artifactsDir: 'x' };
  it('adds --resume <session_id> after the adapter flags and before settings.args', () => {
    expect(geminiResumeArguments(request, SESSION)).toEqual([
      '--output-format',
      'stream-json',
      '--resume',
      SESSION,
    ]);
    expect(
      geminiResumeArguments({ ...request, model: 'flash', approve: true }, SESSION, {
        trustWorkspace: true,
        outputFormat: 'json',
        args: ['--sandbox'],
      }),
    ).toEqual([
      '--output-format',
      'json',
      '--model=flash',
      '--approval-mode',
      'yolo',
      '--skip-trust',
      '--resume',
      SESSION,
      '--sandbox',
    ]);
  });
});

describe('createGeminiStreamMapper', () => {
  it('joins assistant deltas into messages and maps tools and stats', () => {
    const mapper = createGeminiStreamMapper();
    const events = replay(mapper, 'success.jsonl');
    const [toolId] = /run_shell_command__run_shell_command_\d+_0/.exec(JSON.stringify(events[2])) ?? [];
    expect(events).toEqual([
      { type: 'message', role: 'system', text: `Gemini CLI session ${SESSION} (model gemini-2.5-flash)` },
      { type: 'message', role: 'assistant', text: "I'll run the tests first to see what fails." },
      {
        type: 'tool-use',
        name: 'run_shell_command',
        input: { command: 'node test.mjs', description: 'Run a command' },
        id: toolId,
      },
      {
        type: 'tool-result',
        id: toolId,
        output: 'FAIL test.mjs\n  add(2, 2): expected 4, received 5',
        isError: false,
      },
      { type: 'message', role: 'assistant', text: 'The off-by-one is in `add`: it returns `a + b + 1`.' },
      expect.objectContaining({
        type: 'tool-use',
        name: 'run_shell_command',
        input: expect.objectContaining({ command: "sed -i 's/a + b + 1/a + b/' src/math.mjs" }),
      }),
      expect.objectContaining({ type: 'tool-result', output: '', isError: false }),
      expect.objectContaining({ type: 'tool-use', name: 'run_shell_command' }),
      expect.objectContaining({ type: 'tool-result', output: 'PASS test.mjs (1 test)', isError: false }),
      { type: 'message', role: 'assistant', text: FINAL },
      { type: 'usage', inputTokens: 48, outputTokens: 28 },
    ]);
    expect(mapper.finish(exited(0))).toEqual({
      outcome: 'completed',
      events: [],
      finalText: FINAL,
      sessionId: SESSION,
    });
  });

  it("is failed on an error result with exit code 0, with the API's own status and message", () => {
    const mapper = createGeminiStreamMapper();
    replay(mapper, 'error-result.jsonl');
    expect(mapper.finish(exited(0))).toMatchObject({
      outcome: 'failed',
      error: 'gemini: API error 400: Request contains an invalid argument.',
      sessionId: 'f174ccaa-34b4-4b75-a277-7fffe4781b92',
    });
  });

  it("is failed with the result's own error when it is not an API document", () => {
    const mapper = createGeminiStreamMapper();
    replay(mapper, 'quota.jsonl');
    expect(mapper.finish(exited(1)).error).toBe(
      'gemini reported an error: [API Error: Resource has been exhausted (e.g. check quota).]\nPlease wait and ' +
        'try again later. To increase your limits, request a quota increase through AI Studio, or switch to ' +
        'another /auth method',
    );
  });

  it('uses the last error event (not a warning) when the result has no error', () => {
    const mapper = createGeminiStreamMapper();
    mapper.json?.({ type: 'error', severity: 'warning', message: 'Attempt 1 failed with status 429.' });
    mapper.json?.({ type: 'error', severity: 'error', message: 'The model returned an empty response.' });
    expect(mapper.json?.({ type: 'error', severity: 'warning', message: 'retrying' })).toEqual([
      { type: 'message', role: 'system', text: 'warning: retrying' },
    ]);
    mapper.json?.({ type: 'result', status: 'error', stats: {} });
    expect(mapper.finish(exited(0)).error).toBe(
      'gemini reported an error: The model returned an empty response.',
    );
  });

  it('flushes text still pending at the end and fails without a result', () => {
    const mapper = createGeminiStreamMapper();
    mapper.json?.({ type: 'message', role: 'assistant', content: 'half a tho', delta: true });
    const decision = mapper.finish(exited(null, { signal: 'SIGKILL' }));
    expect(decision.events).toEqual([{ type: 'message', role: 'assistant', text: 'half a tho' }]);
    expect(decision.error).toBe('gemini was terminated by signal SIGKILL without a result event');
  });
});

describe('createGeminiJsonMapper', () => {
  it('reads the final document into a message, usage and the outcome', () => {
    const mapper = createGeminiJsonMapper();
    for (const line of readFileSync(join(fixtures, 'json-success.json'), 'utf8').split('\n'))
      mapper.text?.(line);
    expect(mapper.finish(exited(0))).toEqual({
      outcome: 'completed',
      events: [
        { type: 'message', role: 'assistant', text: FINAL },
        { type: 'usage', inputTokens: 48, outputTokens: 28 },
      ],
      finalText: FINAL,
      sessionId: '6aba7f8c-ae73-4434-bd86-99c875c74278',
    });
  });

  it('finds the error document after the stack traces Gemini CLI writes first', () => {
    const { stderr, exit_code } = JSON.parse(
      readFileSync(join(fixtures, 'json-api-error.meta.json'), 'utf8'),
    );
    expect(stderr).toMatch(/\{\n {2}status: 401\n\}\n\{/);
    expect(createGeminiJsonMapper().finish(exited(exit_code, { stderrTail: stderr }))).toMatchObject({
      outcome: 'failed',
      error: 'gemini: API error 401: API key not valid. Please pass a valid API key.',
      sessionId: 'e549edb2-a66e-43d5-b857-a388fd2629c6',
    });
  });
});

describe('gemini launcher', () => {
  const directory = mkdtempSync(join(tmpdir(), 'sase-gemini-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const launch = (settings: Parameters<typeof createGemini>[0], scenario: string, record?: string) =>
    createGemini({ executable: fakeExecutable, ...settings }).launch({
      agentName: 'g',
      prompt: 'Fix it',
      model: 'gemini-2.5-pro',
      approve: true,
      cwd: directory,
      artifactsDir: join(directory, 'agents', scenario),
      env: { SASE_FAKE_SCENARIO: scenario, ...(record === undefined ? {} : { SASE_FAKE_RECORD: record }) },
    });

  it('passes the prompt on stdin and the flags on argv', async () => {
    const record = join(directory, 'record.json');
    await collectRun(launch({}, 'success', record));
    expect(readFakeRecord(record)).toMatchObject({
      argv: ['--output-format', 'stream-json', '--model=gemini-2.5-pro', '--approval-mode', 'yolo'],
      stdin: 'Fix it',
    });
  });

  it('resumes a session against the fake: --resume <session_id>, the prompt and its context on stdin', async () => {
    const record = join(directory, 'record-resume.json');
    const launcher = createGemini({ executable: fakeExecutable, trustWorkspace: true, args: ['--sandbox'] });
    expect('resume' in launcher).toBe(true);
    const run = launcher.resume!(
      {
        agentName: 'g3',
        prompt: 'The test still fails.',
        context: [{ title: 'Failing check', text: 'FAIL test.mjs' }],
        model: 'pro',
        approve: true,
        cwd: directory,
        artifactsDir: join(directory, 'agents', 'g3'),
        env: { SASE_FAKE_RECORD: record },
      },
      SESSION,
    );
    const { outcome } = await collectRun(run);
    expect(readFakeRecord(record)).toMatchObject({
      argv: [
        '--output-format',
        'stream-json',
        '--model=pro',
        '--approval-mode',
        'yolo',
        '--skip-trust',
        '--resume',
        SESSION,
        '--sandbox',
      ],
      stdin: 'The test still fails.\n\n## Failing check\n\nFAIL test.mjs\n',
    });
    expect(outcome).toMatchObject({ outcome: 'completed', finalText: FINAL, sessionId: SESSION });
  });

  it('refuses to resume a session id that could be read as a flag', () => {
    const resume = () =>
      createGemini({ executable: fakeExecutable }).resume!(
        { agentName: 'g4', prompt: 'p', cwd: directory, artifactsDir: join(directory, 'agents', 'g4') },
        '--yolo',
      );
    expect(resume).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', launcherId: 'gemini' }));
  });

  it("has model aliases: Gemini CLI 0.61.0's own aliases for @smart, @fast and @cheap", () => {
    expect(GEMINI_MODEL_ALIASES).toEqual({ smart: 'pro', fast: 'flash', cheap: 'flash-lite' });
    expect(Object.isFrozen(GEMINI_MODEL_ALIASES)).toBe(true);
    expect(createGemini().modelAliases).toEqual(GEMINI_MODEL_ALIASES);
    expect(gemini.modelAliases).toEqual(GEMINI_MODEL_ALIASES);
  });

  it('appends the request context to the prompt on stdin, in both output formats', async () => {
    const context = [
      { title: 'Failing check', text: 'FAIL src/math.test.ts\n  expected 3, received 4\n' },
      { title: 'Previous attempt', text: 'exited with code 1' },
    ];
    for (const outputFormat of ['stream-json', 'json'] as const) {
      const record = join(directory, `record-context-${outputFormat}.json`);
      const run = createGemini({ executable: fakeExecutable, outputFormat }).launch({
        agentName: 'g2',
        prompt: 'Fix the test',
        context,
        cwd: directory,
        artifactsDir: join(directory, 'agents', `context-${outputFormat}`),
        env: {
          SASE_FAKE_SCENARIO: outputFormat === 'json' ? 'json-success' : 'success',
          SASE_FAKE_RECORD: record,
        },
      });
      expect((await collectRun(run)).outcome.outcome).toBe('completed');
      expect(readFakeRecord(record)?.stdin).toBe(
        'Fix the test\n\n## Failing check\n\nFAIL src/math.test.ts\n  expected 3, received 4\n\n## Previous attempt\n\nexited with code 1\n',
      );
    }
  });

  it('reports an untrusted folder with Gemini CLI own message (without its colours) and exit code 55', async () => {
    const { outcome } = await collectRun(launch({}, 'untrusted'));
    expect(outcome.outcome).toBe('failed');
    expect(outcome.exitCode).toBe(55);
    expect(outcome.error).toMatch(
      /^gemini exited with code 55: Gemini CLI is not running in a trusted directory\./,
    );
    expect(outcome.error).not.toContain('\u001b');
  });

  it('reads a json-mode error document from stderr, after the stack traces', async () => {
    const { outcome } = await collectRun(launch({ outputFormat: 'json' }, 'json-api-error'));
    expect(outcome).toMatchObject({
      outcome: 'failed',
      exitCode: 145,
      error: 'gemini: API error 401: API key not valid. Please pass a valid API key.',
      sessionId: 'e549edb2-a66e-43d5-b857-a388fd2629c6',
    });
  });

  it('refuses unknown settings, naming the key and the valid ones', () => {
    expect(() => createGemini({ trust_workspace: true } as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_SETTINGS',
        message:
          'launcher.gemini: unknown setting "trust_workspace" (did you mean "trustWorkspace"?); the valid ' +
          'settings are executable, args, env, killGraceMs (kill_grace_ms in sase.yml), approvalMode ' +
          '(approval_mode in sase.yml), outputFormat (output_format in sase.yml), trustWorkspace ' +
          '(trust_workspace in sase.yml)',
      }),
    );
    expect(() => createGemini({ approval: 'yolo' } as never)).toThrow(/unknown setting "approval"/);
  });

  it('has a default instance and refuses unknown settings values', () => {
    expect(gemini.launcherId).toBe('gemini');
    expect(gemini.locate().overrideVariable).toBe('SASE_GEMINI_BIN');
    expect(() => createGemini({ outputFormat: 'text' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_SETTINGS' }),
    );
  });
});
