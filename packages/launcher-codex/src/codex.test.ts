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
import { codex, codexArguments, createCodex, createCodexMapper } from './codex.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const fakeExecutable = join(fixtures, 'fake-agent.mjs');
chmodSync(fakeExecutable, 0o755);
const FINAL = 'Fixed the off-by-one in `add` (src/math.ts): it returned `a + b + 1`. `npm test` now passes.';

runLauncherConformance({
  name: 'codex',
  createLauncher: () => createCodex({ killGraceMs: 300 }),
  fakeExecutable,
  overrideVariable: 'SASE_CODEX_BIN',
  expectedFinalText: FINAL,
});

const replay = (mapper: OutputMapper, fixture: string) => replayOutput(mapper, join(fixtures, fixture));
const exited = exitedWith;

describe('codexArguments', () => {
  const request = { agentName: 'a', prompt: 'p', cwd: '.', artifactsDir: 'x' };
  it('runs exec with JSON events and reads the prompt from stdin (-)', () => {
    expect(codexArguments(request)).toEqual(['exec', '--json', '-']);
  });
  it('maps model, self-approval and settings to flags, keeping - last', () => {
    expect(
      codexArguments(
        { ...request, model: 'gpt-5-codex', approve: true },
        { skipGitRepoCheck: true, args: ['-c', 'x=1'] },
      ),
    ).toEqual([
      'exec',
      '--json',
      '--model',
      'gpt-5-codex',
      '--sandbox',
      'workspace-write',
      '--skip-git-repo-check',
      '-c',
      'x=1',
      '-',
    ]);
    expect(codexArguments({ ...request, approve: true }, { approvedSandbox: 'bypass' })).toContain(
      '--dangerously-bypass-approvals-and-sandbox',
    );
    expect(codexArguments(request, { sandbox: 'read-only' })).toEqual([
      'exec',
      '--json',
      '--sandbox',
      'read-only',
      '-',
    ]);
  });
});

describe('createCodexMapper', () => {
  it('maps a recorded turn: tool use at start, results at completion, messages and usage', () => {
    const mapper = createCodexMapper();
    const events = replay(mapper, 'success.jsonl');
    expect(
      events.map((event) => (event.type === 'tool-use' ? `tool-use:${event.name}` : event.type)),
    ).toEqual([
      'message',
      'tool-use:command_execution',
      'tool-result',
      'tool-use:file_change',
      'tool-result',
      'tool-use:mcp:docs/search',
      'tool-result',
      'tool-use:command_execution',
      'tool-result',
      'message',
      'usage',
    ]);
    expect(events[2]).toEqual({
      type: 'tool-result',
      id: 'item_1',
      output: 'FAIL src/math.test.ts\n  add › adds two numbers\n    expected 4, received 5\n',
      isError: true,
    });
    expect(events[4]).toEqual({
      type: 'tool-result',
      id: 'item_2',
      output: 'update /home/dev/myapp/src/math.ts',
      isError: false,
    });
    expect(events[6]).toMatchObject({ output: 'expect(x).toBe(y) uses Object.is', isError: false });
    expect(events.at(-1)).toEqual({ type: 'usage', inputTokens: 24763, outputTokens: 122 });
    expect(mapper.finish(exited(0))).toEqual({
      outcome: 'completed',
      finalText: FINAL,
      sessionId: '0199a213-81c0-7800-8aa1-bbab2a035a53',
    });
  });

  it('emits tool-use before tool-result for an item that completes without having started', () => {
    const mapper = createCodexMapper();
    expect(
      mapper.json?.({
        type: 'item.completed',
        item: {
          id: 'item_9',
          type: 'command_execution',
          command: 'ls',
          aggregated_output: 'a',
          exit_code: 0,
          status: 'completed',
        },
      }),
    ).toEqual([
      { type: 'tool-use', name: 'command_execution', input: { command: 'ls' }, id: 'item_9' },
      { type: 'tool-result', id: 'item_9', output: 'a', isError: false },
    ]);
  });

  it('is failed on turn.failed even with exit code 0, with its message', () => {
    const mapper = createCodexMapper();
    const events = replay(mapper, 'error-result.jsonl');
    expect(
      events
        .filter((event) => event.type === 'message')
        .map((event) => event.type === 'message' && event.text),
    ).toContain(
      'error: Reconnecting... 1/5 (stream disconnected before completion: error sending request for url (https://api.openai.com/v1/responses))',
    );
    expect(mapper.finish(exited(0))).toEqual({
      outcome: 'failed',
      error:
        'codex turn failed: stream disconnected before completion: error sending request for url (https://api.openai.com/v1/responses)',
      sessionId: '0199b7e4-2f10-7c31-9d2a-5e6f7a8b9c0d',
    });
  });

  it('is failed without turn.completed, naming the last error or the stderr', () => {
    const mapper = createCodexMapper();
    mapper.json?.({ type: 'error', message: 'quota exceeded' });
    expect(mapper.finish(exited(1)).error).toBe(
      'codex exited with code 1 without turn.completed (last error: quota exceeded)',
    );
    expect(
      createCodexMapper().finish(
        exited(1, {
          stderrTail: 'Not inside a trusted directory and --skip-git-repo-check was not specified.\n',
        }),
      ).error,
    ).toBe(
      'codex exited with code 1: Not inside a trusted directory and --skip-git-repo-check was not specified. without turn.completed',
    );
  });

  it('is failed when the turn completed but the process did not exit 0', () => {
    const mapper = createCodexMapper();
    replay(mapper, 'success.jsonl');
    expect(mapper.finish(exited(null, { signal: 'SIGSEGV' }))).toMatchObject({
      outcome: 'failed',
      error: 'codex completed its turn but was terminated by signal SIGSEGV',
    });
  });
});

describe('codex launcher', () => {
  const directory = mkdtempSync(join(tmpdir(), 'sase-codex-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('runs the fake end to end: a usage-limit failure with exit 1', async () => {
    const record = join(directory, 'record.json');
    const run = createCodex({ executable: fakeExecutable }).launch({
      agentName: 'x1',
      prompt: 'Fix it',
      model: 'gpt-5-codex',
      cwd: directory,
      artifactsDir: join(directory, 'agents', 'x1'),
      env: { SASE_FAKE_SCENARIO: 'usage-limit', SASE_FAKE_RECORD: record },
    });
    const { events, outcome } = await collectRun(run);
    expect(readFakeRecord(record)).toMatchObject({
      argv: ['exec', '--json', '--model', 'gpt-5-codex', '-'],
      stdin: 'Fix it',
    });
    expect(
      events.some((event) => event.type === 'message' && event.text.startsWith('warning: Model metadata')),
    ).toBe(true);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.exitCode).toBe(1);
    expect(outcome.error).toMatch(/^codex turn failed: You've hit your usage limit/);
  });

  it('reports a run outside a git repository with codex own stderr', async () => {
    const run = createCodex({ executable: fakeExecutable }).launch({
      agentName: 'x2',
      prompt: 'Fix it',
      cwd: directory,
      artifactsDir: join(directory, 'agents', 'x2'),
      env: { SASE_FAKE_SCENARIO: 'not-a-repo' },
    });
    expect((await collectRun(run)).outcome.error).toContain('--skip-git-repo-check was not specified');
  });

  it('has a default instance and refuses unknown sandboxes', () => {
    expect(codex.launcherId).toBe('codex');
    expect(codex.locate().overrideVariable).toBe('SASE_CODEX_BIN');
    expect(() => createCodex({ sandbox: 'open' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_SETTINGS' }),
    );
  });
});
