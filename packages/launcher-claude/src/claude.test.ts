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
import { claude, claudeArguments, createClaude, createClaudeMapper } from './claude.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const fakeExecutable = join(fixtures, 'fake-agent.mjs');
chmodSync(fakeExecutable, 0o755);
const FINAL =
  'Fixed: `add` in src/math.ts returned `a + b + 1`; it now returns `a + b`, and `npm test` passes (12 tests).';

runLauncherConformance({
  name: 'claude',
  createLauncher: () => createClaude({ killGraceMs: 300 }),
  fakeExecutable,
  overrideVariable: 'SASE_CLAUDE_BIN',
  expectedFinalText: FINAL,
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
      '--model',
      'opus',
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
      text: 'Claude Code 2.1.197 session 3f1b9c2e-7a4d-4e8b-9f60-2c5d8e1a4b77 (model claude-sonnet-4-5-20250929)',
    });
    expect(events[2]).toEqual({
      type: 'tool-use',
      name: 'Bash',
      input: { command: 'npm test', description: 'Run the test suite' },
      id: 'toolu_01Abc',
    });
    expect(events[3]).toMatchObject({ type: 'tool-result', id: 'toolu_01Abc', isError: true });
    expect(events[5]).toEqual({
      type: 'tool-result',
      id: 'toolu_01Def',
      output: 'The file /home/dev/myapp/src/math.ts has been updated.',
      isError: false,
    });
    expect(events.at(-1)).toEqual({ type: 'usage', inputTokens: 20960, outputTokens: 223, costUsd: 0.0731 });
    expect(mapper.finish(exited(0))).toEqual({
      outcome: 'completed',
      finalText: FINAL,
      sessionId: '3f1b9c2e-7a4d-4e8b-9f60-2c5d8e1a4b77',
    });
  });

  it('is failed on an error subtype even with exit code 0, naming it and its errors', () => {
    const mapper = createClaudeMapper();
    replay(mapper, 'error-result.jsonl');
    expect(mapper.finish(exited(0))).toMatchObject({
      outcome: 'failed',
      error: 'claude reported error_max_turns: Reached maximum number of turns (1)',
    });
  });

  it('is failed on is_error with subtype success (an API error), with its text', () => {
    const mapper = createClaudeMapper();
    replay(mapper, 'api-error.jsonl');
    const decision = mapper.finish(exited(1));
    expect(decision.outcome).toBe('failed');
    expect(decision.error).toMatch(/^claude reported success: API Error: 401 .*invalid x-api-key/);
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
        '--model',
        'opus',
        '--dangerously-skip-permissions',
      ],
      stdin: 'Fix the test',
    });
    expect(outcome).toMatchObject({
      outcome: 'failed',
      exitCode: 1,
      sessionId: '5d2e8f10-1b3c-4d5e-8f90-a1b2c3d4e5f6',
    });
  });

  it('has a default instance and refuses unknown permission modes', () => {
    expect(claude.launcherId).toBe('claude');
    expect(claude.locate().overrideVariable).toBe('SASE_CLAUDE_BIN');
    expect(() => createClaude({ approvedPermissionMode: 'yolo' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_SETTINGS' }),
    );
  });
});
