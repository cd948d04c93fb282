import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
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
  CLAUDE_MODEL_ALIASES,
  CLAUDE_PERMISSION_MODES,
  claude,
  claudeArguments,
  claudeEnvironment,
  claudeResumeArguments,
  createClaude,
  createClaudeMapper,
} from './claude.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const fakeExecutable = join(fixtures, 'fake-agent.mjs');
chmodSync(fakeExecutable, 0o755);
// The fixtures are recorded from Claude Code 2.1.332 by packages/e2e (src/record-fixtures.test.ts).
const FINAL =
  'Fixed: `add` in src/math.mjs returned `a + b + 1`; it now returns `a + b`, and `node test.mjs` now passes.';
const SESSION = '8463b8d8-e245-4979-a6d9-8c29a62e09ff';

runLauncherConformance({
  name: 'claude',
  createLauncher: () => createClaude({ killGraceMs: 300 }),
  fakeExecutable,
  overrideVariable: 'SASE_CLAUDE_BIN',
  expectedFinalText: FINAL,
  promptContext: 'prompt',
});

const replay = (mapper: OutputMapper, fixture: string) => replayOutput(mapper, join(fixtures, fixture));
const exited = exitedWith;

describe('claudeArguments', () => {
  const request = { agentName: 'a', prompt: 'p', cwd: '.', artifactsDir: 'x' };
  it('uses print mode with stream-json (which needs --verbose); the prompt is not in argv', () => {
    expect(claudeArguments(request)).toEqual(['-p', '--output-format', 'stream-json', '--verbose']);
  });
  it('maps model and self-approval to flags, then appends settings.args', () => {
    expect(
      claudeArguments({ ...request, model: 'opus', approve: true }, { args: ['--max-budget-usd', '5'] }),
    ).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--model=opus',
      '--dangerously-skip-permissions',
      '--max-budget-usd',
      '5',
    ]);
    expect(
      claudeArguments({ ...request, approve: true }, { approvedPermissionMode: 'acceptEdits' }),
    ).toContain('acceptEdits');
    expect(claudeArguments(request, { permissionMode: 'plan' }).slice(-2)).toEqual([
      '--permission-mode',
      'plan',
    ]);
  });
  it('passes the model as one element, --model=<name>, so that no model is read as a flag', () => {
    expect(claudeArguments({ ...request, model: 'claude-sonnet-4-5[1m]' })).toContain(
      '--model=claude-sonnet-4-5[1m]',
    );
    expect(claudeArguments({ ...request, model: '' })).not.toContain('--model=');
  });
});

describe('claudeResumeArguments', () => {
  const request = { agentName: 'a', prompt: 'p', cwd: '.', artifactsDir: 'x' };
  it('adds --resume <session_id> after the adapter flags and before settings.args', () => {
    expect(claudeResumeArguments(request, SESSION)).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--resume',
      SESSION,
    ]);
    expect(
      claudeResumeArguments({ ...request, model: 'opus', approve: true }, SESSION, {
        args: ['--max-budget-usd', '5'],
      }),
    ).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--model=opus',
      '--dangerously-skip-permissions',
      '--resume',
      SESSION,
      '--max-budget-usd',
      '5',
    ]);
    expect(claudeResumeArguments(request, SESSION, { permissionMode: 'plan' })).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-mode',
      'plan',
      '--resume',
      SESSION,
    ]);
  });
});

describe('claudeEnvironment', () => {
  const request = { agentName: 'a', prompt: 'p', cwd: '.', artifactsDir: 'x' };
  it('sets IS_SANDBOX=1 for a run that bypasses permissions as root (Claude Code refuses it otherwise)', () => {
    expect(claudeEnvironment({ ...request, approve: true }, {}, 0)).toEqual({ IS_SANDBOX: '1' });
    expect(claudeEnvironment(request, { permissionMode: 'bypassPermissions' }, 0)).toEqual({
      IS_SANDBOX: '1',
    });
  });
  it('sets nothing for another user, another mode, or when settings.env has IS_SANDBOX', () => {
    expect(claudeEnvironment({ ...request, approve: true }, {}, 1000)).toEqual({});
    expect(
      claudeEnvironment({ ...request, approve: true }, { approvedPermissionMode: 'acceptEdits' }, 0),
    ).toEqual({});
    expect(claudeEnvironment(request, {}, 0)).toEqual({});
    expect(claudeEnvironment({ ...request, approve: true }, { env: { IS_SANDBOX: '0' } }, 0)).toEqual({});
  });
});

describe('createClaudeMapper', () => {
  it('maps a recorded session to messages, tool use, tool results and usage', () => {
    const mapper = createClaudeMapper();
    const events = replay(mapper, 'success.jsonl');
    expect(events.map((event) => event.type)).toEqual([
      'message',
      'message',
      'tool-use',
      'tool-result',
      'message',
      'tool-use',
      'tool-result',
      'tool-use',
      'tool-result',
      'message',
      'usage',
    ]);
    expect(events[0]).toEqual({
      type: 'message',
      role: 'system',
      text: `Claude Code 2.1.332 session ${SESSION} (model claude-sonnet-4-5)`,
    });
    expect(events[2]).toMatchObject({
      type: 'tool-use',
      name: 'Bash',
      input: { command: 'node test.mjs', description: 'Run a command' },
    });
    expect(events[3]).toMatchObject({
      type: 'tool-result',
      output: 'Exit code 1\nFAIL test.mjs\n  add(2, 2): expected 4, received 5',
      isError: true,
    });
    expect(events[8]).toMatchObject({
      type: 'tool-result',
      output: 'PASS test.mjs (1 test)',
      isError: false,
    });
    expect(events.at(-1)).toEqual({ type: 'usage', inputTokens: 48, outputTokens: 28, costUsd: 0.000564 });
    expect(mapper.finish(exited(0))).toEqual({ outcome: 'completed', finalText: FINAL, sessionId: SESSION });
  });

  it('is failed on an error subtype even with exit code 0, naming it and its errors', () => {
    const mapper = createClaudeMapper();
    replay(mapper, 'error-result.jsonl');
    expect(mapper.finish(exited(0))).toMatchObject({
      outcome: 'failed',
      error: 'claude reported error_max_turns: Reached maximum number of turns (1)',
    });
  });

  it('reads an API error as "claude: API error <status>: <message>", with its api_retry events on the way', () => {
    const mapper = createClaudeMapper();
    const events = replay(mapper, 'api-error.jsonl');
    expect(events.filter((event) => event.type === 'message' && event.role === 'system').slice(1)).toEqual([
      { type: 'message', role: 'system', text: 'retrying (1/2): API 500' },
      { type: 'message', role: 'system', text: 'retrying (2/2): API 500' },
    ]);
    const decision = mapper.finish(exited(1));
    expect(decision.outcome).toBe('failed');
    expect(decision.error).toMatch(
      /^claude: API error 500: Internal server error\. This is a server-side issue/,
    );
  });

  it("reads the API's message out of the error document older Claude Code versions put in the result", () => {
    const mapper = createClaudeMapper();
    mapper.json?.({
      type: 'result',
      subtype: 'success',
      is_error: true,
      api_error_status: 401,
      // Claude Code 2.1.197
      result:
        'API Error: 401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}} · Please run /login',
    });
    expect(mapper.finish(exited(1)).error).toBe(
      'claude: API error 401: invalid x-api-key · Please run /login',
    );
    const reworded = createClaudeMapper();
    reworded.json?.({
      type: 'result',
      subtype: 'success',
      is_error: true,
      api_error_status: 401,
      result: 'Invalid API key · Fix external API key',
    });
    expect(reworded.finish(exited(1)).error).toBe(
      'claude: API error 401: Invalid API key · Fix external API key',
    );
  });

  it('maps an api_retry without an HTTP status to its error kind', () => {
    expect(
      createClaudeMapper().json?.({
        type: 'system',
        subtype: 'api_retry',
        attempt: 3,
        max_retries: 10,
        retry_delay_ms: 2000,
        error_status: null,
        error: 'connection_error',
      }),
    ).toEqual([{ type: 'message', role: 'system', text: 'retrying (3/10): connection_error' }]);
  });

  it('is failed when a success result is followed by a non-zero exit or a signal', () => {
    const mapper = createClaudeMapper();
    replay(mapper, 'success.jsonl');
    expect(mapper.finish(exited(2, { stderrTail: 'crash\n' }))).toMatchObject({
      outcome: 'failed',
      error: 'claude reported success but exited with code 2: crash',
      finalText: FINAL,
    });
  });

  it('is failed without a result event, quoting the last noise', () => {
    const mapper = createClaudeMapper();
    mapper.text?.('Error: Invalid API key');
    expect(mapper.finish(exited(0, { lastTextLine: 'Error: Invalid API key', textLineCount: 1 })).error).toBe(
      'claude exited with code 0 without a result event (last non-JSON output: Error: Invalid API key)',
    );
  });
});

const request = () => ({ agentName: 'a', prompt: 'p', cwd: '.', artifactsDir: 'x' });

describe('claude launcher', () => {
  const directory = mkdtempSync(join(tmpdir(), 'sase-claude-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('runs the fake end to end: argv, stdin and the error result of a real API failure', async () => {
    const record = join(directory, 'record.json');
    const run = createClaude({ executable: fakeExecutable }).launch({
      agentName: 'c1',
      prompt: 'Fix the test',
      model: 'opus',
      approve: true,
      cwd: directory,
      artifactsDir: join(directory, 'agents', 'c1'),
      env: { SASE_FAKE_SCENARIO: 'api-error', SASE_FAKE_RECORD: record },
    });
    const { outcome } = await collectRun(run);
    expect(readFakeRecord(record)).toMatchObject({
      argv: [
        '-p',
        '--output-format',
        'stream-json',
        '--verbose',
        '--model=opus',
        '--dangerously-skip-permissions',
      ],
      stdin: 'Fix the test',
    });
    expect(outcome).toMatchObject({
      outcome: 'failed',
      exitCode: 1,
      sessionId: '5359795d-0d94-496c-a8cc-b218bbf7af36',
    });
    expect(outcome.error).toMatch(/^claude: API error 500: Internal server error/);
  });

  it('resumes a session against the fake: --resume <session_id>, the prompt and its context on stdin', async () => {
    const record = join(directory, 'record-resume.json');
    const launcher = createClaude({ executable: fakeExecutable, args: ['--max-turns', '3'] });
    expect('resume' in launcher).toBe(true);
    const run = launcher.resume!(
      {
        agentName: 'c3',
        prompt: 'The test still fails.',
        context: [{ title: 'Failing check', text: 'FAIL test.mjs' }],
        model: 'sonnet',
        approve: true,
        cwd: directory,
        artifactsDir: join(directory, 'agents', 'c3'),
        env: { SASE_FAKE_RECORD: record },
      },
      SESSION,
    );
    const { outcome } = await collectRun(run);
    expect(readFakeRecord(record)).toMatchObject({
      argv: [
        '-p',
        '--output-format',
        'stream-json',
        '--verbose',
        '--model=sonnet',
        '--dangerously-skip-permissions',
        '--resume',
        SESSION,
        '--max-turns',
        '3',
      ],
      stdin: 'The test still fails.\n\n## Failing check\n\nFAIL test.mjs\n',
    });
    expect(outcome).toMatchObject({ outcome: 'completed', finalText: FINAL, sessionId: SESSION });
  });

  it('refuses to resume a session id that could be read as a flag', () => {
    const launch = () =>
      createClaude({ executable: fakeExecutable }).resume!(
        { agentName: 'c4', prompt: 'p', cwd: directory, artifactsDir: join(directory, 'agents', 'c4') },
        '--dangerously-skip-permissions',
      );
    expect(launch).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', launcherId: 'claude' }));
  });

  it('has model aliases: Claude Code 2.1.332 aliases for @smart, @fast and @cheap', () => {
    expect(CLAUDE_MODEL_ALIASES).toEqual({ smart: 'opus', fast: 'sonnet', cheap: 'haiku' });
    expect(Object.isFrozen(CLAUDE_MODEL_ALIASES)).toBe(true);
    expect(createClaude().modelAliases).toEqual(CLAUDE_MODEL_ALIASES);
    expect(claude.modelAliases).toEqual(CLAUDE_MODEL_ALIASES);
  });

  it('appends the request context to the prompt on stdin', async () => {
    const record = join(directory, 'record-context.json');
    const context = [
      { title: 'Failing check', text: 'FAIL src/math.test.ts\n  expected 3, received 4\n' },
      { title: 'Previous attempt', text: 'exited with code 1' },
    ];
    const run = createClaude({ executable: fakeExecutable }).launch({
      agentName: 'c2',
      prompt: 'Fix the test',
      context,
      cwd: directory,
      artifactsDir: join(directory, 'agents', 'c2'),
      env: { SASE_FAKE_RECORD: record },
    });
    expect((await collectRun(run)).outcome.outcome).toBe('completed');
    expect(readFakeRecord(record)?.stdin).toBe(
      'Fix the test\n\n## Failing check\n\nFAIL src/math.test.ts\n  expected 3, received 4\n\n## Previous attempt\n\nexited with code 1\n',
    );
    expect(readFakeRecord(record)?.argv).toEqual(['-p', '--output-format', 'stream-json', '--verbose']);
  });

  it('refuses unknown settings, naming the key and the valid ones', () => {
    expect(() => createClaude({ permisionMode: 'plan' } as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_SETTINGS',
        message:
          'launcher.claude: unknown setting "permisionMode" (did you mean "permissionMode"?); the valid settings ' +
          'are executable, args, env, killGraceMs (kill_grace_ms in sase.yml), approvedPermissionMode ' +
          '(approved_permission_mode in sase.yml), permissionMode (permission_mode in sase.yml)',
      }),
    );
    expect(() => createClaude({ package: '@sase/launcher-claude' } as never)).toThrow(
      /unknown setting "package"/,
    );
  });

  it('has a default instance and refuses unknown permission modes', () => {
    expect(claude.launcherId).toBe('claude');
    expect(claude.locate().overrideVariable).toBe('SASE_CLAUDE_BIN');
    expect(() => createClaude({ approvedPermissionMode: 'yolo' as never })).toThrow(
      expect.objectContaining({
        code: 'INVALID_SETTINGS',
        message:
          'launcher.claude: approvedPermissionMode must be one of acceptEdits, auto, bypassPermissions, default, ' +
          'dontAsk, manual, plan, not "yolo"',
      }),
    );
  });

  it("accepts the permission modes of Claude Code 2.1.332's --help (manual is new), and default", () => {
    expect(CLAUDE_PERMISSION_MODES).toEqual([
      'acceptEdits',
      'auto',
      'bypassPermissions',
      'default',
      'dontAsk',
      'manual',
      'plan',
    ]);
    expect(() => createClaude({ permissionMode: 'manual' })).not.toThrow();
    expect(claudeArguments({ ...request(), approve: true }, { approvedPermissionMode: 'manual' })).toContain(
      'manual',
    );
  });
});
