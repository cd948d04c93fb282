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
  gemini,
  geminiArguments,
} from './gemini.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const fakeExecutable = join(fixtures, 'fake-agent.mjs');
chmodSync(fakeExecutable, 0o755);
const FINAL = 'Fixed the off-by-one in `add` (src/math.ts): it returned `a + b + 1`. `npm test` now passes.';
const SESSION = 'c8a3f5d2-4b61-4e0a-9d7c-2f8e1b3a5c90';

runLauncherConformance({
  name: 'gemini (stream-json)',
  createLauncher: () => createGemini({ killGraceMs: 300 }),
  fakeExecutable,
  overrideVariable: 'SASE_GEMINI_BIN',
  expectedFinalText: FINAL,
});

runLauncherConformance({
  name: 'gemini (json)',
  createLauncher: () => createGemini({ outputFormat: 'json', killGraceMs: 300 }),
  fakeExecutable,
  overrideVariable: 'SASE_GEMINI_BIN',
  scenarios: { success: 'json-success', errorResult: null },
  expectedFinalText: FINAL,
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
      '--model',
      'gemini-2.5-pro',
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

describe('createGeminiStreamMapper', () => {
  it('joins assistant deltas into messages and maps tools and stats', () => {
    const mapper = createGeminiStreamMapper();
    const events = replay(mapper, 'success.jsonl');
    expect(events).toEqual([
      { type: 'message', role: 'system', text: `Gemini CLI session ${SESSION} (model gemini-2.5-pro)` },
      { type: 'message', role: 'assistant', text: "I'll run the tests to see what fails." },
      {
        type: 'tool-use',
        name: 'run_shell_command',
        input: { command: 'npm test', description: 'Run the test suite.' },
        id: 'run_shell_command-1773480363123-5f0e2a1b9c3d8',
      },
      {
        type: 'tool-result',
        id: 'run_shell_command-1773480363123-5f0e2a1b9c3d8',
        output: 'FAIL src/math.test.ts\n  add › adds two numbers\n    expected 4, received 5',
        isError: false,
      },
      expect.objectContaining({ type: 'tool-use', name: 'replace' }),
      expect.objectContaining({ type: 'tool-result', isError: false }),
      { type: 'message', role: 'assistant', text: FINAL },
      { type: 'usage', inputTokens: 17980, outputTokens: 452 },
    ]);
    expect(mapper.finish(exited(0))).toEqual({
      outcome: 'completed',
      events: [],
      finalText: FINAL,
      sessionId: SESSION,
    });
  });

  it('is failed on an error result with exit code 0, using the last error event when the result has none', () => {
    const mapper = createGeminiStreamMapper();
    replay(mapper, 'error-result.jsonl');
    expect(mapper.finish(exited(0))).toMatchObject({
      outcome: 'failed',
      error:
        'gemini reported an error: The model returned an empty response with no text or thoughts. This may be a transient API issue; please try again.',
    });
  });

  it("is failed with the result's own error, and a warning does not count as the error", () => {
    const mapper = createGeminiStreamMapper();
    const events = replay(mapper, 'quota.jsonl');
    expect(events).toContainEqual({
      type: 'message',
      role: 'system',
      text: 'warning: Attempt 1 failed with status 429. Retrying with backoff...',
    });
    expect(mapper.finish(exited(1)).error).toBe(
      'gemini reported an error (TerminalQuotaError): [API Error: You have exhausted your capacity on this model. Your quota will reset after 2h13m.]',
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
        { type: 'usage', inputTokens: 17980, outputTokens: 452 },
      ],
      finalText: FINAL,
      sessionId: SESSION,
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
      argv: ['--output-format', 'stream-json', '--model', 'gemini-2.5-pro', '--approval-mode', 'yolo'],
      stdin: 'Fix it',
    });
  });

  it('reports an untrusted folder with Gemini CLI own message and exit code 55', async () => {
    const { outcome } = await collectRun(launch({}, 'untrusted'));
    expect(outcome.outcome).toBe('failed');
    expect(outcome.exitCode).toBe(55);
    expect(outcome.error).toContain('not running in a trusted directory');
  });

  it('reads a json-mode error document from stderr', async () => {
    const { outcome } = await collectRun(launch({ outputFormat: 'json' }, 'json-auth-error'));
    expect(outcome).toMatchObject({ outcome: 'failed', exitCode: 41, sessionId: SESSION });
    expect(outcome.error).toMatch(
      /^gemini reported an error \(FatalAuthenticationError\): Please set an Auth method/,
    );
  });

  it('has a default instance and refuses unknown settings values', () => {
    expect(gemini.launcherId).toBe('gemini');
    expect(gemini.locate().overrideVariable).toBe('SASE_GEMINI_BIN');
    expect(() => createGemini({ outputFormat: 'text' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_SETTINGS' }),
    );
  });
});
