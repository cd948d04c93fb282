// One supervisor per workspace, even when `.sase/axe/lock` vanishes under a live supervisor (issue 14), and
// the supervisor's own exits: idle, and restarts when its configuration changes. Real processes throughout.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useSupervisorCommand } from './__fixtures__/bundle.js';
import { countLines, isAlive, processesWith, waitFor } from './__fixtures__/processes.js';
import { useSupervisorsDir } from './__fixtures__/supervisors-dir.js';
import { createTestWorkspace, readLines } from './__fixtures__/test-workspace.js';
import { createRegistry } from './registry.js';
import { submitSegments } from './submit-segments.js';
import { readSupervisorStatus } from './supervisor-lock.js';
import { startSupervisorProcess, stopSupervisorProcess } from './supervisor-process.js';
import { waitForAgents } from './wait-for-agents.js';

const supervisorsDir = useSupervisorsDir();

const run = promisify(execFile);
const { fixture: fixturePath, onCleanup } = useSupervisorCommand();

function setup() {
  const { root, cleanup } = createTestWorkspace();
  onCleanup(cleanup);
  onCleanup(async () => {
    if (existsSync(root)) await stopSupervisorProcess(root);
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

const serveProcesses = (root: string) => processesWith(fixturePath(), 'serve', root);
const logOf = (root: string) => readFileSync(join(root, '.sase', 'axe', 'log'), 'utf8');

/** Starts a supervisor and waits until it is in the registry of supervisors too (it is, just after the lock). */
async function startRegistered(root: string) {
  const started = await start(root);
  await waitFor(() => readdirSync(supervisorsDir).some((name) => name.endsWith(`.${started.pid}.json`)));
  return started;
}

/** A live process that is not a supervisor, written into the lock file as its holder. */
function otherHolder(root: string): number {
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  onCleanup(() => {
    other.kill('SIGKILL');
  });
  writeFileSync(
    join(root, '.sase', 'axe', 'lock'),
    JSON.stringify({ pid: other.pid, identity: null, started_at: 'now' }),
  );
  return other.pid as number;
}

/** Kills (SIGKILL) a process that the test froze, when the test ends early. */
function killLater(pid: number) {
  onCleanup(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  });
}

describe('one supervisor per workspace when the lock file vanishes', () => {
  it('a supervisor whose lock file is removed creates it again; a second start finds it meanwhile', async () => {
    const { root, registry, launches, agent } = setup();
    const first = await startRegistered(root);
    submitSegments(registry, [{ prompt: agent(1.5), directives: { name: 'a' } }]);
    await waitFor(() => readLines(launches).includes('a'));

    // Frozen, it cannot put its lock back: the registry of supervisors still knows it.
    process.kill(first.pid, 'SIGSTOP');
    killLater(first.pid);
    rmSync(join(root, '.sase', 'axe'), { recursive: true, force: true });
    expect(readSupervisorStatus(root)).toMatchObject({ isRunning: true, pid: first.pid });
    expect(await start(root)).toMatchObject({ pid: first.pid, isNew: false });
    const direct = await run(process.execPath, [fixturePath(), 'serve', root], { encoding: 'utf8' });
    expect(direct.stdout).toContain(`not starting: a supervisor (pid ${first.pid}) already runs`);
    expect(existsSync(join(root, '.sase', 'axe', 'lock'))).toBe(false);

    process.kill(first.pid, 'SIGCONT');
    // With `.sase/axe/` itself gone it puts nothing back (that would fight a removal of the workspace), and
    // goes on; its lock is back as soon as the directory is.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(existsSync(join(root, '.sase', 'axe'))).toBe(false);
    expect(serveProcesses(root)).toEqual([first.pid]);
    mkdirSync(join(root, '.sase', 'axe'));
    await waitFor(() => existsSync(join(root, '.sase', 'axe', 'lock'))).catch((error: Error) => {
      const log = join(root, '.sase', 'axe', 'log');
      throw new Error(
        `${error.message}: the lock was not created again (log: ${existsSync(log) ? readFileSync(log, 'utf8') : 'none'})`,
      );
    });
    expect(JSON.parse(readFileSync(join(root, '.sase', 'axe', 'lock'), 'utf8'))).toMatchObject({
      pid: first.pid,
    });
    expect(serveProcesses(root)).toEqual([first.pid]);
    const states = await waitForAgents(registry, { timeoutMs: 30_000 });
    expect(states.map((state) => state.state)).toEqual(['completed']);
    expect(readLines(launches)).toEqual(['a']);
  }, 60_000);

  it('a supervisor whose lock is taken by another process stops itself: its agents killed and recorded once', async () => {
    const { root, registry, launches, agent } = setup();
    const first = await startRegistered(root);
    submitSegments(registry, [{ prompt: agent(30), directives: { name: 'a' } }]);
    await waitFor(() => registry.read('a')?.running?.pid != null);
    const agentPid = registry.read('a')?.running?.pid as number;
    process.kill(first.pid, 'SIGSTOP'); // so that the status below sees both
    killLater(first.pid);
    const other = otherHolder(root);
    expect(readSupervisorStatus(root)).toEqual({
      isRunning: true,
      pid: other,
      startedAt: 'now',
      others: [expect.objectContaining({ pid: first.pid })],
    });
    process.kill(first.pid, 'SIGCONT');
    await waitFor(() => !isAlive(first.pid));
    await waitFor(() => !isAlive(agentPid));
    expect(registry.read('a')?.done).toMatchObject({ outcome: 'killed' });
    expect(readFileSync(join(root, '.sase', 'axe', 'log'), 'utf8')).toMatch(
      new RegExp(
        `supervisor ${first.pid} stopping: it no longer holds the workspace's lock: .*lock was replaced \\(it now names pid ${other}\\)`,
      ),
    );
    expect(serveProcesses(root)).toEqual([]);
    expect(countLines(readLines(launches))).toEqual({ a: 1 });
  }, 60_000);

  it('stopSupervisorProcess stops every live supervisor of the workspace, not only the lock holder', async () => {
    const { root } = setup();
    const first = await startRegistered(root);
    process.kill(first.pid, 'SIGSTOP'); // it would notice and stop by itself: keep it running, unaware
    killLater(first.pid);
    const other = otherHolder(root);
    expect(await stopSupervisorProcess(root, { timeoutMs: 1000 })).toEqual({
      wasRunning: true,
      pid: other,
      others: [first.pid],
    });
    expect(isAlive(first.pid) || isAlive(other)).toBe(false);
    expect(readSupervisorStatus(root)).toEqual({ isRunning: false, pid: null, startedAt: null });
  }, 60_000);

  it('a workspace removed and created again at the same path: the old supervisor stops, a new one starts', async () => {
    const { root, registry, agent } = setup();
    const first = await start(root);
    submitSegments(registry, [{ prompt: agent(30), directives: { name: 'old' } }]);
    await waitFor(() => registry.read('old')?.running?.pid != null);
    const agentPid = registry.read('old')?.running?.pid as number;
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root);
    await waitFor(() => !isAlive(first.pid));
    await waitFor(() => !isAlive(agentPid)); // its agent host was stopped, and with it the agent
    // The new workspace was left alone: no lock and no agent of the old supervisor in it (an empty directory
    // may be left where the removal raced the old supervisor's last writes).
    expect(existsSync(join(root, '.sase', 'axe', 'lock'))).toBe(false);
    expect(
      existsSync(join(root, '.sase', 'agents'))
        ? readdirSync(join(root, '.sase', 'agents'), { recursive: true })
        : false,
    ).toBe(false);
    expect(readSupervisorStatus(root)).toEqual({ isRunning: false, pid: null, startedAt: null });

    const second = await start(root);
    expect(second.isNew).toBe(true);
    submitSegments(registry, [{ prompt: agent(0.1), directives: { name: 'new' } }]);
    const states = await waitForAgents(registry, { timeoutMs: 30_000 });
    expect(states.map((state) => [state.name, state.state])).toEqual([['new', 'completed']]);
    expect(await stopSupervisorProcess(root)).toEqual({ wasRunning: true, pid: second.pid });
    expect(serveProcesses(root)).toEqual([]);
  }, 60_000);
});

describe('a supervisor that stops or restarts by itself', () => {
  it('idleExitMs: exits once nothing is waiting, running or settling, and says why', async () => {
    const { root, registry, agent } = setup();
    const first = await start(root, '--idle-exit-ms', '500');
    submitSegments(registry, [
      { prompt: agent(0.3), directives: { name: 'a' } },
      { prompt: agent(0.3), directives: { name: 'b', wait: ['a'] } },
    ]);
    await waitFor(() => !isAlive(first.pid), 20_000);
    expect(registry.read('b')?.done?.outcome).toBe('completed');
    expect(logOf(root)).toContain(
      `supervisor ${first.pid} stopping: idle for 0.5 s (idleExitMs): no agent waiting, running or settling`,
    );
    expect(existsSync(join(root, '.sase', 'axe', 'lock'))).toBe(false);
    expect(readSupervisorStatus(root).isRunning).toBe(false);
  }, 60_000);

  it('watchFiles + reload: a changed sase.yml restarts it in the same process, its agents running on', async () => {
    const { root, registry, launches, agent } = setup();
    writeFileSync(join(root, 'sase.yml'), 'axe: {}\n');
    const first = await start(root, '--reload');
    submitSegments(registry, [{ prompt: agent(2), directives: { name: 'a' } }]);
    await waitFor(() => registry.read('a')?.running?.pid != null);

    writeFileSync(join(root, 'sase.yml'), 'axe: {poll_ms: 300}\n');
    await waitFor(() => logOf(root).includes('reload 1'));
    await waitFor(() => logOf(root).includes('restarting with the new configuration'));
    writeFileSync(join(root, 'sase.yml'), 'invalid\n');
    await waitFor(() => logOf(root).includes('could not be loaded (sase.yml: invalid)'));

    const states = await waitForAgents(registry, { timeoutMs: 30_000 });
    expect(states.map((state) => state.state)).toEqual(['completed']); // not killed by the restart
    expect(countLines(readLines(launches))).toEqual({ a: 1 });
    expect(readSupervisorStatus(root)).toMatchObject({ isRunning: true, pid: first.pid });
    expect(logOf(root)).toMatch(/sase\.yml changed: restarting with the new configuration/);
  }, 60_000);
});

it('uses a registry of supervisors of its own in these tests', () => {
  expect(process.env.SASE_SUPERVISORS_DIR).toBe(supervisorsDir);
});
