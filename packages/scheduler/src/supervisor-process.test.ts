import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useSupervisorCommand } from './__fixtures__/bundle.js';
import { isAlive, processesWith, waitFor } from './__fixtures__/processes.js';
import { useSupervisorsDir } from './__fixtures__/supervisors-dir.js';
import { createTestWorkspace, readLines, resolveShell } from './__fixtures__/test-workspace.js';
import { retryAgent } from './agent-control.js';
import { createRegistry } from './registry.js';
import { submitSegments } from './submit-segments.js';
import { createSupervisor } from './supervisor.js';
import { readSupervisorStatus } from './supervisor-lock.js';
import { startSupervisorProcess, stopSupervisorProcess } from './supervisor-process.js';
import { waitForAgents } from './wait-for-agents.js';

useSupervisorsDir();

const run = promisify(execFile);
const { fixture: fixturePath, onCleanup } = useSupervisorCommand();

function setup() {
  const { root, cleanup } = createTestWorkspace();
  onCleanup(cleanup);
  onCleanup(() => {
    if (process.env.DEBUG_AXE) console.log(readFileSync(join(root, '.sase', 'axe', 'log'), 'utf8'));
  });
  onCleanup(async () => {
    await stopSupervisorProcess(root);
  });
  const registry = createRegistry(root);
  const launches = join(root, 'launches');
  /** Each agent appends its name to `launches` when it starts, so launches can be counted. */
  const agent = (seconds: number) => `echo "$SASE_AGENT_NAME" >> "${launches}"\nsleep ${seconds}\n`;
  return { root, registry, launches, agent };
}

function start(root: string, ...flags: string[]) {
  return startSupervisorProcess({
    workspaceRoot: root,
    command: [process.execPath, fixturePath(), 'serve', root, ...flags],
  });
}

async function killHard(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isAlive(pid));
}

function count(lines: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) counts[line] = (counts[line] ?? 0) + 1;
  return counts;
}

/** Live processes running this fixture's `serve` for `root`. */
const serveProcesses = (root: string) => processesWith(fixturePath(), 'serve', root);

/** Live agent host processes of this fixture for `root` (a spare has no agent name argument). */
const hostProcesses = (root: string) => processesWith(fixturePath(), 'host', root);

const diamond = (agent: (seconds: number) => string) => [
  { prompt: agent(1.5), directives: { name: 'a' } },
  { prompt: agent(1), directives: { name: 'b', wait: ['a'] } },
  { prompt: agent(1), directives: { name: 'c', wait: ['a'] } },
  { prompt: agent(0.5), directives: { name: 'd', wait: ['b', 'c'] } },
];

describe('the supervisor process', () => {
  it('killed with SIGKILL mid-run and restarted, finishes with every agent launched exactly once', async () => {
    const { root, registry, launches, agent } = setup();
    submitSegments(registry, diamond(agent));
    const first = await start(root);
    expect(first.isNew).toBe(true);
    await waitFor(() => readLines(launches).includes('a'));
    await killHard(first.pid);
    expect(readSupervisorStatus(root).isRunning).toBe(false);

    // The agent host outlives the supervisor and records a's outcome on its own.
    await waitFor(() => registry.read('a')?.done !== undefined);
    expect(registry.read('a')?.done?.outcome).toBe('completed');

    const second = await start(root);
    expect(second.pid).not.toBe(first.pid);
    await waitFor(() => readLines(launches).some((line) => line === 'b' || line === 'c'));
    await killHard(second.pid);

    const third = await start(root);
    const states = await waitForAgents(registry, { timeoutMs: 60_000 });
    expect(Object.fromEntries(states.map((state) => [state.name, state.state]))).toEqual({
      a: 'completed',
      b: 'completed',
      c: 'completed',
      d: 'completed',
    });
    expect(count(readLines(launches))).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    expect(states.every((state) => state.attempt === 1)).toBe(true);
    const stopped = await stopSupervisorProcess(root);
    expect(stopped).toEqual({ wasRunning: true, pid: third.pid });
    expect(existsSync(join(root, '.sase', 'axe', 'lock'))).toBe(false);
    expect(readFileSync(join(root, '.sase', 'axe', 'log'), 'utf8')).toContain('started with shell');
  }, 120_000);

  it('in-process mode: an agent whose supervisor was SIGKILLed is stopped and recorded killed on restart', async () => {
    const { root, registry, launches, agent } = setup();
    const fast = join(root, 'fast');
    const slowUnlessFast = `echo "$SASE_AGENT_NAME" >> "${launches}"\nif [ -f "${fast}" ]; then sleep 0.2; else sleep 30; fi\n`;
    submitSegments(
      registry,
      diamond(agent).map((segment, index) =>
        index === 0 ? { ...segment, prompt: slowUnlessFast } : segment,
      ),
    );
    const first = await start(root, '--in-process');
    await waitFor(() => registry.read('a')?.running?.pid != null);
    const agentPid = registry.read('a')?.running?.pid as number;
    await killHard(first.pid);
    expect(isAlive(agentPid)).toBe(true); // its own process group: an orphan now

    await start(root, '--in-process');
    const settled = await waitForAgents(registry, { timeoutMs: 60_000 });
    expect(Object.fromEntries(settled.map((state) => [state.name, state.state]))).toEqual({
      a: 'killed',
      b: 'waiting',
      c: 'waiting',
      d: 'waiting',
    });
    expect(registry.read('a')?.done?.error).toMatch(
      /exited without recording an outcome.*orphaned agent process/,
    );
    await waitFor(() => !isAlive(agentPid));
    expect(settled.find((state) => state.name === 'b')).toMatchObject({
      isParked: true,
      reason: 'a was killed',
    });

    // A retry of a lets the rest run; nothing but a's new attempt is launched again.
    writeFileSync(fast, '');
    retryAgent(registry, 'a');
    const final = await waitForAgents(registry, { timeoutMs: 60_000 });
    expect(final.every((state) => state.state === 'completed')).toBe(true);
    expect(count(readLines(launches))).toEqual({ a: 2, b: 1, c: 1, d: 1 });
  }, 120_000);

  it('two starts at the same moment leave exactly one supervisor', async () => {
    const { root } = setup();
    const starts = await Promise.all(
      [1, 2, 3].map(() => run(process.execPath, [fixturePath(), 'start', root], { encoding: 'utf8' })),
    );
    const results = starts.map(({ stdout }) => JSON.parse(stdout) as { pid: number; isNew: boolean });
    const pids = new Set(results.map((result) => result.pid));
    expect(pids.size).toBe(1);
    const [pid] = [...pids] as [number];
    expect(readSupervisorStatus(root)).toMatchObject({ isRunning: true, pid });
    await waitFor(() => serveProcesses(root).length === 1);
    expect(serveProcesses(root)).toEqual([pid]);
    // Starting again is idempotent.
    expect(await start(root)).toMatchObject({ pid, isNew: false });
  }, 60_000);

  it('keeps a warm agent host ready, hands it the next launch, and stops it when stopped', async () => {
    const { root, registry, launches, agent } = setup();
    const lines: string[] = [];
    const supervisor = createSupervisor({
      workspaceRoot: root,
      resolveLauncher: resolveShell,
      pollMs: 200,
      agentHost: { command: [process.execPath, fixturePath(), 'host'] },
      log: (line) => lines.push(line),
    });
    onCleanup(() => supervisor.stop());
    await supervisor.start();
    await waitFor(() => hostProcesses(root).length === 1); // the spare, waiting for an assignment
    const [spare] = hostProcesses(root);
    submitSegments(registry, [{ prompt: agent(0.1), directives: { name: 'quick' } }]);
    await waitFor(() => registry.read('quick')?.done !== undefined);
    expect(registry.read('quick')?.done?.outcome).toBe('completed');
    expect(lines).toContain(`quick (attempt 1): agent host pid ${spare} (warm)`);
    expect(readLines(launches)).toEqual(['quick']);
    await waitFor(() => hostProcesses(root).length === 1 && !hostProcesses(root).includes(spare as number));
    await supervisor.stop();
    await waitFor(() => hostProcesses(root).length === 0);
  }, 60_000);

  it('clears a stale lock left by a killed supervisor', async () => {
    const { root } = setup();
    const first = await start(root);
    await killHard(first.pid);
    expect(existsSync(join(root, '.sase', 'axe', 'lock'))).toBe(true);
    expect(readSupervisorStatus(root)).toMatchObject({ isRunning: false, pid: null });
    const second = await start(root);
    expect(second).toMatchObject({ isNew: true });
    // The pid file follows the lock (written just after it is taken; the stale one removed before).
    const pidFile = join(root, '.sase', 'axe', 'pid');
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(second.pid));
  }, 60_000);
});
