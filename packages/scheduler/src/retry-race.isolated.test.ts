import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useSupervisorsDir } from './__fixtures__/supervisors-dir.js';
import { createTestWorkspace, resolveShell } from './__fixtures__/test-workspace.js';
import { retryAgent } from './agent-control.js';
import { agentStates } from './agent-state.js';
import { writeJsonAtomic } from './internal/files.js';
import { formatDone } from './records.js';
import { type AgentRegistry, createRegistry } from './registry.js';
import { submitSegments } from './submit-segments.js';
import { createSupervisor, type Supervisor } from './supervisor.js';
import { waitForAgents } from './wait-for-agents.js';

useSupervisorsDir();

// Every rename and file read of the registry goes through these hooks, so that a test can run a supervisor
// pass (or a retry) at an exact step of another operation: the interleavings that happen only rarely when
// the two run in different processes.
const hooks = vi.hoisted(() => ({
  afterRename: undefined as ((to: string) => void) | undefined,
  afterRead: undefined as ((path: string) => void) | undefined,
}));
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const renameSync: typeof actual.renameSync = (from, to) => {
    actual.renameSync(from, to);
    hooks.afterRename?.(String(to));
  };
  const readFileSync = ((...args: Parameters<typeof actual.readFileSync>) => {
    const result = actual.readFileSync(...args);
    hooks.afterRead?.(String(args[0]));
    return result;
  }) as typeof actual.readFileSync;
  return { ...actual, renameSync, readFileSync, default: { ...actual, renameSync, readFileSync } };
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  hooks.afterRename = undefined;
  hooks.afterRead = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The pid of a process that has exited: an agent host that finished its attempt. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

/** Records an attempt the way an agent host does: claim, then outcome; the host has exited since. */
function finish(registry: AgentRegistry, name: string, outcome: 'completed' | 'failed', hostPid: number) {
  const claimed = registry.claim(name, {
    attempt: 1,
    purpose: 'launch',
    hostPid,
    hostIdentity: null,
    supervisorPid: null,
    claimedAt: new Date().toISOString(),
  });
  expect(claimed).toBe(true);
  fs.writeFileSync(join(registry.agentDir(name), 'transcript.jsonl'), '');
  registry.recordOutcome({
    name,
    outcome,
    exitCode: outcome === 'completed' ? 0 : 4,
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    launcher: 'shell',
    model: null,
    error: outcome === 'completed' ? null : 'exit code 4',
    attempt: 1,
  });
}

/** a completed, b (waits on a) failed, d (waits on b) parked: all run by agent hosts that have exited. */
function parkedBehindFailure(): AgentRegistry {
  const { root, cleanup } = createTestWorkspace();
  cleanups.push(cleanup);
  const registry = createRegistry(root);
  submitSegments(registry, [
    { prompt: 'true', directives: { name: 'a' } },
    { prompt: 'true', directives: { name: 'b', wait: ['a'] } },
    { prompt: 'true', directives: { name: 'd', wait: ['b'] } },
  ]);
  const host = deadPid();
  finish(registry, 'a', 'completed', host);
  finish(registry, 'b', 'failed', host);
  expect(agentStates(registry).find((state) => state.name === 'd')).toMatchObject({ isParked: true });
  return registry;
}

describe('retrying an agent while a supervisor looks', () => {
  it('no supervisor pass during a retry records a stale outcome, so the new attempt completes and d runs', async () => {
    const registry = parkedBehindFailure();
    const logs: string[] = [];
    const passes: Supervisor[] = [];
    let isInside = false;
    // A supervisor pass after every step of the retry (start() scans at once, synchronously). The final
    // wake-up (.pulse) comes once the retry is over; the supervisor started below covers that.
    hooks.afterRename = (to) => {
      if (isInside || to.endsWith('.pulse')) return;
      isInside = true;
      try {
        const supervisor = createSupervisor({
          workspaceRoot: registry.workspaceRoot,
          resolveLauncher: resolveShell,
          isLockRequired: false,
          pollMs: 60_000,
          log: (line) => logs.push(line),
        });
        passes.push(supervisor);
        void supervisor.start();
      } finally {
        isInside = false;
      }
    };
    expect(retryAgent(registry, 'b')).toMatchObject({ attempt: 2, previousState: 'failed' });
    hooks.afterRename = undefined;
    await Promise.all(passes.map((supervisor) => supervisor.stop()));
    expect(passes.length).toBeGreaterThan(3);

    // Before the fix, a pass between "done.json archived" and "request of attempt 2 written" saw attempt 1
    // claimed by a dead agent host without an outcome, and recorded it `killed` into the live directory...
    expect(logs.filter((line) => line.includes('recorded killed'))).toEqual([]);
    const b = registry.get('b');
    expect(b).toMatchObject({ request: { attempt: 2 }, done: undefined, claim: undefined });
    expect(fs.existsSync(registry.agentFile('b', 'done.json'))).toBe(false);
    const archived = JSON.parse(fs.readFileSync(join(b.dir, 'attempts', '1', 'done.json'), 'utf8'));
    expect(archived).toMatchObject({ outcome: 'failed', exit_code: 4, attempt: 1 });

    // ...where it kept attempt 2 from recording its outcome: b ran, but d never started.
    const supervisor = createSupervisor({
      workspaceRoot: registry.workspaceRoot,
      resolveLauncher: resolveShell,
      isLockRequired: false,
      pollMs: 100,
    });
    cleanups.push(() => supervisor.stop());
    await supervisor.start();
    const states = await waitForAgents(registry, { pollMs: 100, timeoutMs: 15_000 });
    const byName = [...states].sort((left, right) => left.name.localeCompare(right.name));
    expect(byName.map(({ name, state, attempt }) => ({ name, state, attempt }))).toEqual([
      { name: 'a', state: 'completed', attempt: 1 },
      { name: 'b', state: 'completed', attempt: 2 },
      { name: 'd', state: 'completed', attempt: 1 },
    ]);
  });

  it('a snapshot read while a retry runs shows one attempt whole, wherever the retry lands in the read', () => {
    for (let at = 1; at <= 12; at++) {
      const registry = parkedBehindFailure();
      const bDir = registry.agentDir('b');
      let reads = 0;
      let isRetried = false;
      hooks.afterRead = (path) => {
        if (isRetried || !path.startsWith(bDir)) return;
        reads += 1;
        if (reads < at) return;
        isRetried = true;
        retryAgent(registry, 'b');
      };
      const snapshot = registry.read('b');
      hooks.afterRead = undefined;
      expect(snapshot).toBeDefined();
      if (snapshot?.request?.attempt === 1) {
        expect(snapshot).toMatchObject({ done: { outcome: 'failed' }, claim: { attempt: 1 } });
      } else {
        expect(snapshot).toMatchObject({ request: { attempt: 2 }, done: undefined, claim: undefined });
      }
    }
  });

  it('a done.json left over from an earlier attempt does not keep the current one from recording', () => {
    const registry = parkedBehindFailure();
    const dir = registry.agentDir('b');
    retryAgent(registry, 'b');
    const stale = {
      name: 'b',
      outcome: 'killed' as const,
      exitCode: null,
      startedAt: null,
      finishedAt: new Date().toISOString(),
      launcher: 'shell',
      model: null,
      error: 'recorded late',
      attempt: 1,
    };
    // An outcome recorded late for attempt 1, after the retry archived the real one.
    writeJsonAtomic(join(dir, 'done.json'), formatDone(stale));
    expect(registry.get('b').done).toBeUndefined();
    const second = { ...stale, outcome: 'completed' as const, exitCode: 0, error: null, attempt: 2 };
    expect(registry.recordOutcome(second)).toBe(true);
    expect(registry.get('b').done).toMatchObject({ outcome: 'completed', attempt: 2 });
    expect(registry.recordOutcome({ ...second, outcome: 'failed' })).toBe(false);
    expect(registry.get('b').done).toMatchObject({ outcome: 'completed', attempt: 2 });
    const archived = () => JSON.parse(fs.readFileSync(join(dir, 'attempts', '1', 'done.json'), 'utf8'));
    expect(archived()).toMatchObject({ outcome: 'failed', attempt: 1 }); // the real one is kept
    expect(fs.readdirSync(dir).filter((entry) => entry.endsWith('.tmp'))).toEqual([]);

    // An archive interrupted before it moved done.json: the leftover goes where the archive would have put it.
    const other = parkedBehindFailure();
    const otherDir = other.agentDir('b');
    retryAgent(other, 'b');
    fs.renameSync(join(otherDir, 'attempts', '1', 'done.json'), join(otherDir, 'done.json'));
    expect(other.recordOutcome({ ...second, outcome: 'failed', exitCode: 4 })).toBe(true);
    expect(other.get('b').done).toMatchObject({ outcome: 'failed', attempt: 2 });
    expect(JSON.parse(fs.readFileSync(join(otherDir, 'attempts', '1', 'done.json'), 'utf8'))).toMatchObject({
      outcome: 'failed',
      exit_code: 4,
      attempt: 1,
    });
  });
});

describe("an agent's directory removed while its attempt starts (the workspace deleted under a supervisor)", () => {
  it('is not created again by the attempt: nothing of the old workspace is planted where it was', async () => {
    const { root, cleanup } = createTestWorkspace();
    cleanups.push(cleanup);
    const registry = createRegistry(root);
    submitSegments(registry, [{ prompt: 'true', directives: { name: 'x' } }]);
    const sase = join(root, '.sase');
    let isRemoved = false;
    // Right after the attempt recorded running.json (the launcher's transcript exists by then), the
    // workspace's .sase/ goes away: the next step used to create the transcript's directory again.
    hooks.afterRename = (to) => {
      if (isRemoved || to !== registry.agentFile('x', 'running.json')) return;
      isRemoved = true;
      fs.rmSync(sase, { recursive: true, force: true });
    };
    const logs: string[] = [];
    const supervisor = createSupervisor({
      workspaceRoot: root,
      resolveLauncher: resolveShell,
      isLockRequired: false,
      pollMs: 60_000,
      log: (line) => logs.push(line),
    });
    await supervisor.start();
    for (const deadline = Date.now() + 10_000; !isRemoved && Date.now() < deadline; )
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(isRemoved).toBe(true);
    await supervisor.stop();
    expect(fs.existsSync(sase) ? fs.readdirSync(sase, { recursive: true }) : 'no .sase').toBe('no .sase');
    expect(logs.some((line) => line.startsWith('x: cannot write the transcript: ENOENT'))).toBe(true);
  });
});
