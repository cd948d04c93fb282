import { execFileSync } from 'node:child_process';
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
  CODEX_MODEL_ALIASES,
  codex,
  codexArguments,
  codexResumeArguments,
  createCodex,
  createCodexMapper,
  findGitDirectories,
} from './codex.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const fakeExecutable = join(fixtures, 'fake-agent.mjs');
chmodSync(fakeExecutable, 0o755);
// The fixtures are recorded from Codex CLI 0.171.0 by packages/e2e (src/record-fixtures.test.ts).
const FINAL =
  'Fixed: `add` in src/math.mjs returned `a + b + 1`; it now returns `a + b`, and `node test.mjs` now passes.';
const THREAD = '01a22116-b65c-7e13-8ca4-7132234b21f2';

runLauncherConformance({
  name: 'codex',
  createLauncher: () => createCodex({ killGraceMs: 300 }),
  fakeExecutable,
  overrideVariable: 'SASE_CODEX_BIN',
  expectedFinalText: FINAL,
  promptContext: 'prompt',
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
      '--model=gpt-5-codex',
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
  it('makes the git directories writable roots (--add-dir) for an approved workspace-write run only', () => {
    const gitDirectories = ['/repo/.git/worktrees/w', '/repo/.git'];
    expect(codexArguments({ ...request, approve: true }, {}, gitDirectories)).toEqual([
      'exec',
      '--json',
      '--sandbox',
      'workspace-write',
      '--add-dir',
      '/repo/.git/worktrees/w',
      '--add-dir',
      '/repo/.git',
      '-',
    ]);
    expect(codexArguments(request, { sandbox: 'workspace-write' }, gitDirectories)).not.toContain(
      '--add-dir',
    );
    expect(
      codexArguments(
        { ...request, approve: true },
        { approvedSandbox: 'danger-full-access' },
        gitDirectories,
      ),
    ).not.toContain('--add-dir');
  });
});

describe('codexResumeArguments', () => {
  const request = { agentName: 'a', prompt: 'p', cwd: '.', artifactsDir: 'x' };
  it("gives exec's flags and settings.args before `resume <thread_id> -`", () => {
    expect(codexResumeArguments(request, THREAD)).toEqual(['exec', '--json', 'resume', THREAD, '-']);
    expect(
      codexResumeArguments(
        { ...request, model: 'gpt-6.2-sol', approve: true },
        THREAD,
        { skipGitRepoCheck: true, args: ['-c', 'x=1'] },
        ['/repo/.git'],
      ),
    ).toEqual([
      'exec',
      '--json',
      '--model=gpt-6.2-sol',
      '--sandbox',
      'workspace-write',
      '--add-dir',
      '/repo/.git',
      '--skip-git-repo-check',
      '-c',
      'x=1',
      'resume',
      THREAD,
      '-',
    ]);
    expect(
      codexResumeArguments({ ...request, approve: true }, THREAD, { approvedSandbox: 'bypass' }),
    ).toEqual(['exec', '--json', '--dangerously-bypass-approvals-and-sandbox', 'resume', THREAD, '-']);
  });
});

describe('findGitDirectories', () => {
  it('finds the git directory of a checkout, and of a linked worktree with its common directory', () => {
    const repository = mkdtempSync(join(tmpdir(), 'sase-codex-git-'));
    try {
      const git = (...args: string[]) => execFileSync('git', args, { cwd: repository, stdio: 'ignore' });
      git('init', '-q');
      git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init');
      git('worktree', 'add', '-q', join(repository, 'linked'));
      const gitDirectory = execFileSync('git', ['rev-parse', '--absolute-git-dir'], {
        cwd: repository,
        encoding: 'utf8',
      }).trim();
      expect(findGitDirectories(repository)).toEqual([gitDirectory]);
      expect(findGitDirectories(join(repository, 'linked'))).toEqual([
        join(gitDirectory, 'worktrees', 'linked'),
        gitDirectory,
      ]);
      expect(findGitDirectories(tmpdir())).toEqual([]);
    } finally {
      rmSync(repository, { recursive: true, force: true });
    }
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
      'message',
      'message',
      'tool-use:command_execution',
      'tool-result',
      'message',
      'tool-use:command_execution',
      'tool-result',
      'tool-use:command_execution',
      'tool-result',
      'message',
      'usage',
    ]);
    expect(events[0]).toEqual({ type: 'message', role: 'system', text: `Codex thread ${THREAD}` });
    expect(events[1]).toMatchObject({
      role: 'system',
      text: expect.stringMatching(/^warning: Model metadata/),
    });
    expect(events[3]).toEqual({
      type: 'tool-use',
      name: 'command_execution',
      input: { command: "/bin/bash -lc 'node test.mjs'" },
      id: 'item_2',
    });
    expect(events[4]).toEqual({
      type: 'tool-result',
      id: 'item_2',
      output: 'FAIL test.mjs\n  add(2, 2): expected 4, received 5\n',
      isError: true,
    });
    expect(events[9]).toMatchObject({ output: 'PASS test.mjs (1 test)\n', isError: false });
    expect(events.at(-1)).toEqual({ type: 'usage', inputTokens: 48, outputTokens: 28 });
    expect(mapper.finish(exited(0))).toEqual({ outcome: 'completed', finalText: FINAL, sessionId: THREAD });
  });

  it('maps file changes and MCP tool calls', () => {
    const mapper = createCodexMapper();
    const fileChange = {
      id: 'item_2',
      type: 'file_change',
      changes: [{ path: '/app/src/math.ts', kind: 'update' }],
    };
    expect(mapper.json?.({ type: 'item.started', item: { ...fileChange, status: 'in_progress' } })).toEqual([
      { type: 'tool-use', name: 'file_change', input: { changes: fileChange.changes }, id: 'item_2' },
    ]);
    expect(mapper.json?.({ type: 'item.completed', item: { ...fileChange, status: 'completed' } })).toEqual([
      { type: 'tool-result', id: 'item_2', output: 'update /app/src/math.ts', isError: false },
    ]);
    const call = {
      id: 'item_3',
      type: 'mcp_tool_call',
      server: 'docs',
      tool: 'search',
      arguments: { query: 'toBe' },
    };
    expect(mapper.json?.({ type: 'item.started', item: { ...call, status: 'in_progress' } })).toEqual([
      { type: 'tool-use', name: 'mcp:docs/search', input: { query: 'toBe' }, id: 'item_3' },
    ]);
    expect(
      mapper.json?.({
        type: 'item.completed',
        item: {
          ...call,
          result: { content: [{ type: 'text', text: 'Object.is' }] },
          error: null,
          status: 'completed',
        },
      }),
    ).toEqual([{ type: 'tool-result', id: 'item_3', output: 'Object.is', isError: false }]);
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

  it("is failed on turn.failed even with exit code 0, with the API's message out of its error document", () => {
    const mapper = createCodexMapper();
    const events = replay(mapper, 'error-result.jsonl');
    expect(events).toContainEqual({
      type: 'message',
      role: 'system',
      text: "error: Invalid value for 'input': the conversation is too long.",
    });
    expect(mapper.finish(exited(0))).toEqual({
      outcome: 'failed',
      error: "codex turn failed: Invalid value for 'input': the conversation is too long.",
      sessionId: '01a22116-c06d-74f1-8f4b-e2339fd390d5',
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

  it('runs the fake end to end: a rate-limit failure with exit 1', async () => {
    const record = join(directory, 'record.json');
    const run = createCodex({ executable: fakeExecutable }).launch({
      agentName: 'x1',
      prompt: 'Fix it',
      model: 'gpt-5-codex',
      cwd: directory,
      artifactsDir: join(directory, 'agents', 'x1'),
      env: { SASE_FAKE_SCENARIO: 'rate-limit', SASE_FAKE_RECORD: record },
    });
    const { events, outcome } = await collectRun(run);
    expect(readFakeRecord(record)).toMatchObject({
      argv: ['exec', '--json', '--model=gpt-5-codex', '-'],
      stdin: 'Fix it',
    });
    expect(
      events.some((event) => event.type === 'message' && event.text.startsWith('warning: Model metadata')),
    ).toBe(true);
    expect(outcome).toMatchObject({
      outcome: 'failed',
      exitCode: 1,
      error: 'codex turn failed: exceeded retry limit, last status: 429 Too Many Requests',
    });
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

  it('resumes a thread against the fake: exec flags (with the git directory) before resume <id> -', async () => {
    const repository = mkdtempSync(join(tmpdir(), 'sase-codex-resume-'));
    try {
      execFileSync('git', ['init', '-q'], { cwd: repository });
      const gitDirectory = findGitDirectories(repository)[0] as string;
      const record = join(directory, 'record-resume.json');
      const launcher = createCodex({ executable: fakeExecutable, args: ['-c', 'x=1'] });
      expect('resume' in launcher).toBe(true);
      const run = launcher.resume!(
        {
          agentName: 'x4',
          prompt: 'The test still fails.',
          context: [{ title: 'Failing check', text: 'FAIL test.mjs' }],
          model: 'gpt-6.2-sol',
          approve: true,
          cwd: repository,
          artifactsDir: join(directory, 'agents', 'x4'),
          env: { SASE_FAKE_RECORD: record },
        },
        THREAD,
      );
      const { outcome } = await collectRun(run);
      expect(readFakeRecord(record)).toMatchObject({
        argv: [
          'exec',
          '--json',
          '--model=gpt-6.2-sol',
          '--sandbox',
          'workspace-write',
          '--add-dir',
          gitDirectory,
          '-c',
          'x=1',
          'resume',
          THREAD,
          '-',
        ],
        stdin: 'The test still fails.\n\n## Failing check\n\nFAIL test.mjs\n',
      });
      expect(outcome).toMatchObject({ outcome: 'completed', finalText: FINAL, sessionId: THREAD });
    } finally {
      rmSync(repository, { recursive: true, force: true });
    }
  });

  it('refuses to resume a thread id that could be read as a flag', () => {
    const resume = () =>
      createCodex({ executable: fakeExecutable }).resume!(
        { agentName: 'x5', prompt: 'p', cwd: directory, artifactsDir: join(directory, 'agents', 'x5') },
        '--last',
      );
    expect(resume).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', launcherId: 'codex' }));
  });

  it("has model aliases: models of Codex 0.171.0's catalogue for @smart, @fast and @cheap", () => {
    expect(CODEX_MODEL_ALIASES).toEqual({ smart: 'gpt-6.2-astra', fast: 'gpt-6.2-sol', cheap: 'gpt-6-luna' });
    expect(Object.isFrozen(CODEX_MODEL_ALIASES)).toBe(true);
    expect(createCodex().modelAliases).toEqual(CODEX_MODEL_ALIASES);
    expect(codex.modelAliases).toEqual(CODEX_MODEL_ALIASES);
  });

  it('appends the request context to the prompt on stdin', async () => {
    const record = join(directory, 'record-context.json');
    const context = [
      { title: 'Failing check', text: 'FAIL src/math.test.ts\n  expected 3, received 4\n' },
      { title: 'Previous attempt', text: 'exited with code 1' },
    ];
    const run = createCodex({ executable: fakeExecutable }).launch({
      agentName: 'x3',
      prompt: 'Fix the test',
      context,
      cwd: directory,
      artifactsDir: join(directory, 'agents', 'x3'),
      env: { SASE_FAKE_RECORD: record },
    });
    expect((await collectRun(run)).outcome.outcome).toBe('completed');
    expect(readFakeRecord(record)?.stdin).toBe(
      'Fix the test\n\n## Failing check\n\nFAIL src/math.test.ts\n  expected 3, received 4\n\n## Previous attempt\n\nexited with code 1\n',
    );
    expect(readFakeRecord(record)?.argv).toEqual(['exec', '--json', '-']);
  });

  it('refuses unknown settings, naming the key and the valid ones', () => {
    expect(() => createCodex({ skip_git_repo_check: true } as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_SETTINGS',
        message:
          'launcher.codex: unknown setting "skip_git_repo_check" (did you mean "skipGitRepoCheck"?); the valid ' +
          'settings are executable, args, env, killGraceMs (kill_grace_ms in sase.yml), approvedSandbox ' +
          '(approved_sandbox in sase.yml), sandbox, skipGitRepoCheck (skip_git_repo_check in sase.yml)',
      }),
    );
    expect(() => createCodex({ modle: 'o3' } as never)).toThrow(/unknown setting "modle"/);
  });

  it('has a default instance and refuses unknown sandboxes', () => {
    expect(codex.launcherId).toBe('codex');
    expect(codex.locate().overrideVariable).toBe('SASE_CODEX_BIN');
    expect(() => createCodex({ sandbox: 'open' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_SETTINGS' }),
    );
  });
});
