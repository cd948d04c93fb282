import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestWorkspace } from './__fixtures__/test-workspace.js';
import { retryAgent } from './agent-control.js';
import { agentStates } from './agent-state.js';
import { createRegistry } from './registry.js';
import { isSchedulerError } from './scheduler-error.js';
import { submitSegments } from './submit-segments.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function workspace() {
  const { root, cleanup } = createTestWorkspace();
  cleanups.push(cleanup);
  return { root, registry: createRegistry(root) };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (isSchedulerError(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('submitSegments', () => {
  it('writes request.json and prompt.md per segment with snake_case keys', () => {
    const { root, registry } = workspace();
    const now = new Date('2026-03-01T10:00:00.000Z');
    const submitted = submitSegments(
      registry,
      [
        { prompt: 'echo first', directives: { name: 'a' } },
        {
          prompt: 'echo second',
          directives: { name: 'b', wait: ['a'], model: 'claude/opus', approve: true },
        },
        { prompt: 'echo third', directives: { waitPrevious: true, time: '+10m' } },
      ],
      { now },
    );
    expect(submitted.map((agent) => [agent.name, agent.waits, agent.launcher, agent.model])).toEqual([
      ['a', [], 'shell', null],
      ['b', ['a'], 'claude', 'opus'],
      ['echo-third-1', ['b'], 'shell', null],
    ]);
    const dir = join(root, '.sase', 'agents', 'b');
    expect(readFileSync(join(dir, 'prompt.md'), 'utf8')).toBe('echo second');
    expect(JSON.parse(readFileSync(join(dir, 'request.json'), 'utf8'))).toEqual({
      name: 'b',
      attempt: 1,
      prompt: 'echo second',
      directives: { name: 'b', wait: ['a'], approve: true, model: 'claude/opus' },
      waits: ['a'],
      launcher: 'claude',
      model: 'opus',
      approve: true,
      not_before: null,
      plan: false,
      group: null,
      hide: false,
      bead_id: null,
      cwd: '.',
      env: {},
      worktree: null,
      implements_plan: null,
      submitted_at: '2026-03-01T10:00:00.000Z',
    });
    expect(submitted[2]?.notBefore).toBe('2026-03-01T10:10:00.000Z');
    const states = agentStates(registry, now);
    expect(states.map((state) => [state.name, state.state, state.waitsOn, state.reason])).toEqual([
      ['a', 'waiting', [], null],
      ['b', 'waiting', ['a'], 'a is waiting'],
      ['echo-third-1', 'waiting', ['b'], 'b is waiting; not before 2026-03-01T10:10:00.000Z'],
    ]);
  });

  it('refuses invalid names, unknown wait targets, wait cycles and duplicate names before writing anything', () => {
    const { registry } = workspace();
    expect(codeOf(() => submitSegments(registry, [{ prompt: 'x', directives: { name: '../evil' } }]))).toBe(
      'AGENT_NAME_INVALID',
    );
    expect(codeOf(() => submitSegments(registry, [{ prompt: 'x', directives: { name: 'a/b' } }]))).toBe(
      'AGENT_NAME_INVALID',
    );
    expect(codeOf(() => submitSegments(registry, [{ prompt: 'x', directives: { wait: ['nobody'] } }]))).toBe(
      'WAIT_TARGET_UNKNOWN',
    );
    expect(
      codeOf(() =>
        submitSegments(registry, [
          { prompt: 'x', directives: { name: 'a', wait: ['b'] } },
          { prompt: 'y', directives: { name: 'b', wait: ['a'] } },
        ]),
      ),
    ).toBe('DEPENDENCY_CYCLE');
    expect(
      codeOf(() =>
        submitSegments(registry, [
          { prompt: 'x', directives: { name: 'a' } },
          { prompt: 'y', directives: { name: 'a' } },
        ]),
      ),
    ).toBe('SEGMENT_INVALID');
    expect(
      codeOf(() => submitSegments(registry, [{ prompt: 'x', directives: { waitPrevious: true } }])),
    ).toBe('SEGMENT_INVALID');
    expect(codeOf(() => submitSegments(registry, [{ prompt: 'x', directives: { time: 'soonish' } }]))).toBe(
      'TIME_INVALID',
    );
    expect(registry.names()).toEqual([]);
  });

  it('refuses an existing name unless force-reuse, which keeps the old attempt under attempts/<n>/', () => {
    const { root, registry } = workspace();
    submitSegments(registry, [{ prompt: 'one', directives: { name: 'a' } }]);
    expect(codeOf(() => submitSegments(registry, [{ prompt: 'two', directives: { name: 'a' } }]))).toBe(
      'AGENT_EXISTS',
    );
    const [replaced] = submitSegments(registry, [
      { prompt: 'two', directives: { name: 'a', forceReuse: true } },
    ]);
    expect(replaced).toMatchObject({ name: 'a', attempt: 2, isReplacement: true });
    const dir = join(root, '.sase', 'agents', 'a');
    expect(readFileSync(join(dir, 'prompt.md'), 'utf8')).toBe('two');
    expect(readFileSync(join(dir, 'attempts', '1', 'prompt.md'), 'utf8')).toBe('one');
    expect(JSON.parse(readFileSync(join(dir, 'attempts', '1', 'request.json'), 'utf8')).attempt).toBe(1);
    // The waiting attempt 1 was cancelled (claimed) so that no supervisor can still start it.
    expect(existsSync(join(dir, 'attempts', '1', 'launch.1.claim'))).toBe(true);
    expect(registry.get('a').archivedAttempts).toEqual([1]);
  });

  it('refuses to replace a running agent', () => {
    const { registry } = workspace();
    submitSegments(registry, [{ prompt: 'one', directives: { name: 'a' } }]);
    registry.claim('a', {
      attempt: 1,
      purpose: 'launch',
      hostPid: process.pid,
      hostIdentity: null,
      supervisorPid: null,
      claimedAt: new Date().toISOString(),
    });
    expect(
      codeOf(() =>
        submitSegments(registry, [{ prompt: 'two', directives: { name: 'a', forceReuse: true } }]),
      ),
    ).toBe('AGENT_RUNNING');
  });

  it('gives unnamed segments distinct names from their first words', () => {
    const { registry } = workspace();
    const first = submitSegments(registry, [
      { prompt: 'Fix the login bug!' },
      { prompt: 'Fix the login bug!' },
    ]);
    const second = submitSegments(registry, [{ prompt: '   ' }]);
    expect([...first, ...second].map((agent) => agent.name)).toEqual([
      'fix-the-login-1',
      'fix-the-login-2',
      'agent-1',
    ]);
  });

  it('uses resolveModel for aliases and the default launcher and model', () => {
    const { registry } = workspace();
    const submitted = submitSegments(
      registry,
      [{ prompt: 'a', directives: { model: 'smart' } }, { prompt: 'b' }],
      {
        launcher: 'codex',
        defaults: { model: 'o3' },
        resolveModel: (model) => (model === 'smart' ? { launcher: 'claude', model: 'opus' } : undefined),
      },
    );
    expect(submitted.map((agent) => [agent.launcher, agent.model])).toEqual([
      ['claude', 'opus'],
      ['codex', 'o3'],
    ]);
  });
});

describe('registry.get', () => {
  it('names the known agents in AGENT_NOT_FOUND, and says how many more when it lists only 20', () => {
    const { registry } = workspace();
    expect(() => registry.get('ghost')).toThrow('no agent was submitted yet');
    submitSegments(
      registry,
      Array.from({ length: 23 }, (_, index) => ({ prompt: 'x', directives: { name: `agent-${index + 1}` } })),
    );
    expect(() => registry.get('ghost')).toThrow(
      /known agents: agent-1, agent-2, .*agent-20 and 3 more \(sase agent list\)$/,
    );
  });
});

describe('retryAgent', () => {
  it('only retries failed or killed agents, moving the attempt under attempts/<n>/', () => {
    const { registry } = workspace();
    submitSegments(registry, [{ prompt: 'x', directives: { name: 'a' } }]);
    expect(codeOf(() => retryAgent(registry, 'a'))).toBe('AGENT_NOT_RETRYABLE');
    expect(codeOf(() => retryAgent(registry, 'ghost'))).toBe('AGENT_NOT_FOUND');
    registry.claim('a', {
      attempt: 1,
      purpose: 'launch',
      hostPid: process.pid,
      hostIdentity: null,
      supervisorPid: null,
      claimedAt: new Date().toISOString(),
    });
    registry.recordOutcome({
      name: 'a',
      outcome: 'failed',
      exitCode: 1,
      startedAt: null,
      finishedAt: new Date().toISOString(),
      launcher: 'shell',
      model: null,
      error: 'exit code 1',
      attempt: 1,
    });
    expect(agentStates(registry)[0]?.state).toBe('failed');
    expect(retryAgent(registry, 'a')).toEqual({ name: 'a', attempt: 2, previousState: 'failed' });
    const snapshot = registry.get('a');
    expect(snapshot.request?.attempt).toBe(2);
    expect(snapshot.done).toBeUndefined();
    expect(snapshot.claim).toBeUndefined();
    expect(snapshot.archivedAttempts).toEqual([1]);
    expect(agentStates(registry)[0]).toMatchObject({ state: 'waiting', attempt: 2, isReady: true });
  });
});
