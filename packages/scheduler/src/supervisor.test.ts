import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useSupervisorsDir } from './__fixtures__/supervisors-dir.js';
import { createTestWorkspace, readLines, resolveShell } from './__fixtures__/test-workspace.js';
import { killAgent, retryAgent } from './agent-control.js';
import { agentStates } from './agent-state.js';
import { createRegistry } from './registry.js';
import { submitSegments } from './submit-segments.js';
import { createSupervisor, type Supervisor } from './supervisor.js';
import { readSupervisorStatus } from './supervisor-lock.js';
import { waitForAgent, waitForAgents } from './wait-for-agents.js';

useSupervisorsDir();

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup() {
  const { root, cleanup } = createTestWorkspace();
  cleanups.push(cleanup);
  const registry = createRegistry(root);
  const supervisor = createSupervisor({ workspaceRoot: root, resolveLauncher: resolveShell, pollMs: 200 });
  cleanups.push(() => supervisor.stop());
  const log = join(root, 'order.log');
  /** A shell agent that records its start and end in order.log. */
  const step = (name: string, extra = '') =>
    `echo "start ${name}" >> "${log}"\nsleep 0.2\n${extra}\necho "end ${name}" >> "${log}"\n`;
  return { root, registry, supervisor, log, step };
}

function outcomes(supervisorOrStates: Awaited<ReturnType<Supervisor['runUntilSettled']>>) {
  return Object.fromEntries(supervisorOrStates.map((state) => [state.name, state.state]));
}

describe('the supervisor (in-process)', () => {
  it('runs a diamond in dependency order: a; b and c after a; d after b and c', async () => {
    const { registry, supervisor, log, step } = setup();
    submitSegments(registry, [
      { prompt: step('a'), directives: { name: 'a' } },
      { prompt: step('b'), directives: { name: 'b', wait: ['a'] } },
      { prompt: step('c'), directives: { name: 'c', wait: ['a'] } },
      { prompt: step('d'), directives: { name: 'd', wait: ['b', 'c'] } },
    ]);
    const states = await supervisor.runUntilSettled();
    expect(outcomes(states)).toEqual({ a: 'completed', b: 'completed', c: 'completed', d: 'completed' });
    const lines = readLines(log);
    const at = (line: string) => lines.indexOf(line);
    expect(at('end a')).toBeLessThan(at('start b'));
    expect(at('end a')).toBeLessThan(at('start c'));
    expect(at('end b')).toBeLessThan(at('start d'));
    expect(at('end c')).toBeLessThan(at('start d'));
    expect(lines.filter((line) => line.startsWith('start'))).toHaveLength(4);

    const done = JSON.parse(readFileSync(registry.agentFile('d', 'done.json'), 'utf8'));
    expect(Object.keys(done).sort()).toEqual(
      [
        'attempt',
        'error',
        'exit_code',
        'finished_at',
        'launcher',
        'model',
        'name',
        'outcome',
        'started_at',
      ].sort(),
    );
    expect(done).toMatchObject({
      name: 'd',
      outcome: 'completed',
      exit_code: 0,
      launcher: 'shell',
      attempt: 1,
    });
    expect(existsSync(registry.agentFile('d', 'running.json'))).toBe(false);
    expect(existsSync(registry.agentFile('d', 'waiting.json'))).toBe(false);
    expect(existsSync(registry.agentFile('d', 'transcript.jsonl'))).toBe(true);
    expect(existsSync(registry.agentFile('d', 'launch.1.claim'))).toBe(true);
  });

  it('parks d behind a failed b with the reason, and a retry of b (after the fix) lets d run', async () => {
    const { root, registry, supervisor, log, step } = setup();
    const flag = join(root, 'fixed');
    submitSegments(registry, [
      { prompt: step('a'), directives: { name: 'a' } },
      { prompt: step('b', `test -f "${flag}" || exit 3`), directives: { name: 'b', wait: ['a'] } },
      { prompt: step('c'), directives: { name: 'c', wait: ['a'] } },
      { prompt: step('d'), directives: { name: 'd', wait: ['b', 'c'] } },
    ]);
    await supervisor.start();
    const settled = await waitForAgents(registry);
    expect(outcomes(settled)).toEqual({ a: 'completed', b: 'failed', c: 'completed', d: 'waiting' });
    const d = settled.find((state) => state.name === 'd');
    expect(d).toMatchObject({ isParked: true, waitsOn: ['b'], reason: 'b failed (exit 3)' });
    // The supervisor writes waiting.json with the reason.
    await waitFor(() => existsSync(registry.agentFile('d', 'waiting.json')));
    await waitFor(
      () =>
        JSON.parse(readFileSync(registry.agentFile('d', 'waiting.json'), 'utf8')).reason ===
        'b failed (exit 3)',
    );
    expect(JSON.parse(readFileSync(registry.agentFile('d', 'waiting.json'), 'utf8'))).toMatchObject({
      waits_on: ['b'],
      is_parked: true,
    });
    expect(readLines(log)).not.toContain('start d');

    writeFileSync(flag, '');
    expect(retryAgent(registry, 'b')).toMatchObject({ attempt: 2 });
    const final = await waitForAgents(registry);
    expect(outcomes(final)).toEqual({ a: 'completed', b: 'completed', c: 'completed', d: 'completed' });
    expect(final.find((state) => state.name === 'b')?.attempt).toBe(2);
    expect(readLines(log).filter((line) => line === 'start d')).toHaveLength(1);
    expect(existsSync(join(registry.agentDir('b'), 'attempts', '1', 'done.json'))).toBe(true);
  });

  it('kills a running agent and a waiting one; killed never satisfies a wait', async () => {
    const { root, registry, supervisor } = setup();
    const started = join(root, 'started');
    submitSegments(registry, [
      { prompt: `touch "${started}"\nsleep 30`, directives: { name: 'slow' } },
      { prompt: 'true', directives: { name: 'after', wait: ['slow'] } },
      { prompt: 'true', directives: { name: 'later', wait: ['after'] } },
    ]);
    await supervisor.start();
    await waitFor(() => existsSync(started));
    expect(await killAgent(registry, 'slow', { reason: 'no longer needed' })).toMatchObject({
      previousState: 'running',
      state: 'killed',
    });
    const done = JSON.parse(readFileSync(registry.agentFile('slow', 'done.json'), 'utf8'));
    expect(done).toMatchObject({ outcome: 'killed', error: 'no longer needed' });
    const settled = await waitForAgents(registry);
    expect(outcomes(settled)).toEqual({ slow: 'killed', after: 'waiting', later: 'waiting' });
    expect(settled.find((state) => state.name === 'later')).toMatchObject({
      isParked: true,
      reason: 'after is parked',
    });
    expect(await killAgent(registry, 'after')).toMatchObject({ previousState: 'waiting', state: 'killed' });
    expect(await killAgent(registry, 'after')).toMatchObject({ previousState: 'killed', state: 'killed' });
  });

  it('honours %time', async () => {
    const { registry, supervisor } = setup();
    const now = new Date();
    submitSegments(registry, [{ prompt: 'true', directives: { name: 'timed', time: '+1s' } }], { now });
    await supervisor.start();
    expect(agentStates(registry)[0]).toMatchObject({ state: 'waiting', isReady: false });
    const state = await waitForAgent(registry, 'timed');
    expect(state.state).toBe('completed');
    expect(Date.parse(state.startedAt as string)).toBeGreaterThanOrEqual(now.getTime() + 1000);
  });

  it('records a failed outcome when the launcher is unknown or cannot start', async () => {
    const { registry, supervisor } = setup();
    submitSegments(registry, [{ prompt: 'true', directives: { name: 'x', model: 'nope/model' } }]);
    const [state] = await supervisor.runUntilSettled();
    expect(state).toMatchObject({ state: 'failed', exitCode: null });
    expect(state?.error).toMatch(/launcher "nope" could not be used/);
  });

  it('holds the one-per-workspace lock while running', async () => {
    const { root, supervisor } = setup();
    await supervisor.start();
    expect(readSupervisorStatus(root)).toMatchObject({ isRunning: true, pid: process.pid });
    const second = createSupervisor({ workspaceRoot: root, resolveLauncher: resolveShell });
    await expect(second.start()).rejects.toMatchObject({ code: 'SUPERVISOR_RUNNING' });
    await supervisor.stop();
    expect(readSupervisorStatus(root)).toMatchObject({ isRunning: false, pid: null });
  });

  it('kills its running agents when stopped, and records them killed', async () => {
    const { root, registry, supervisor } = setup();
    const started = join(root, 'started');
    submitSegments(registry, [{ prompt: `touch "${started}"\nsleep 30`, directives: { name: 'long' } }]);
    await supervisor.start();
    await waitFor(() => existsSync(started));
    const pid = registry.get('long').running?.pid as number;
    await supervisor.stop('test over');
    const done = registry.get('long').done;
    expect(done).toMatchObject({ outcome: 'killed', error: 'test over' });
    expect(isAlive(pid)).toBe(false);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
