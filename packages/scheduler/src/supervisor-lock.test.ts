import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useSupervisorsDir } from './__fixtures__/supervisors-dir.js';
import { createTestWorkspace } from './__fixtures__/test-workspace.js';
import { agentStates } from './agent-state.js';
import { createRegistry } from './registry.js';
import { submitSegments } from './submit-segments.js';
import { acquireSupervisorLock, readSupervisorStatus } from './supervisor-lock.js';

const supervisorsDir = useSupervisorsDir();

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function workspace(): string {
  const { root, cleanup } = createTestWorkspace();
  cleanups.push(cleanup);
  return root;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

describe('the supervisor lock', () => {
  it('is exclusive, and released only by its holder', () => {
    const root = workspace();
    const first = acquireSupervisorLock(root);
    expect(first.isAcquired).toBe(true);
    const second = acquireSupervisorLock(root);
    expect(second).toMatchObject({ isAcquired: false, holder: { pid: process.pid } });
    expect(readFileSync(join(root, '.sase', 'axe', 'pid'), 'utf8').trim()).toBe(String(process.pid));
    expect(readSupervisorStatus(root)).toMatchObject({ isRunning: true, pid: process.pid });
    if (first.isAcquired) first.lock.release();
    expect(readSupervisorStatus(root)).toEqual({ isRunning: false, pid: null, startedAt: null });
    const third = acquireSupervisorLock(root);
    expect(third.isAcquired).toBe(true);
    if (third.isAcquired) third.lock.release();
  });

  it('takes over a stale lock (dead holder) and a corrupt one', () => {
    const root = workspace();
    const axe = join(root, '.sase', 'axe');
    mkdirSync(axe, { recursive: true });
    writeFileSync(join(axe, 'lock'), JSON.stringify({ pid: deadPid(), identity: null, started_at: 'x' }));
    expect(readSupervisorStatus(root).isRunning).toBe(false);
    const result = acquireSupervisorLock(root);
    expect(result.isAcquired).toBe(true);
    if (result.isAcquired) result.lock.release();

    writeFileSync(join(axe, 'lock'), '{ not json');
    const again = acquireSupervisorLock(root);
    expect(again.isAcquired).toBe(true);
    if (again.isAcquired) again.lock.release();
  });
});

describe('who holds the lock (issue 14: a lock that can vanish under its holder)', () => {
  it('check() creates a removed lock again, and reports one replaced by another holder', () => {
    const root = workspace();
    const result = acquireSupervisorLock(root);
    if (!result.isAcquired) throw new Error('not acquired');
    cleanups.push(() => result.lock.release());
    const lockPath = join(root, '.sase', 'axe', 'lock');
    expect(result.lock.check()).toEqual({ isHeld: true, isRestored: false });

    // `.sase/axe/` gone with it: still held (the registry of supervisors names this one), nothing put back.
    rmSync(join(root, '.sase', 'axe'), { recursive: true });
    expect(result.lock.check()).toEqual({ isHeld: true, isRestored: false });
    expect(existsSync(join(root, '.sase', 'axe'))).toBe(false);
    // The directory back (or only the lock file removed): the lock is put back a moment later (put back at
    // once, it would race an `rm -rf` of the whole workspace).
    mkdirSync(join(root, '.sase', 'axe'));
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      expect(result.lock.check()).toEqual({ isHeld: true, isRestored: false, restoreInMs: 500 });
      expect(existsSync(lockPath)).toBe(false);
      vi.setSystemTime(Date.now() + 499);
      expect(result.lock.check()).toEqual({ isHeld: true, isRestored: false, restoreInMs: 1 });
      vi.setSystemTime(Date.now() + 1);
      expect(result.lock.check()).toEqual({ isHeld: true, isRestored: true });
    } finally {
      vi.useRealTimers();
    }
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(readFileSync(join(root, '.sase', 'axe', 'pid'), 'utf8').trim()).toBe(String(process.pid));

    writeFileSync(lockPath, JSON.stringify({ pid: 4_000_000, identity: null, started_at: 'x' }));
    expect(result.lock.check()).toEqual({
      isHeld: false,
      reason: `${lockPath} was replaced (it now names pid 4000000)`,
      isWorkspaceReplaced: false,
    });
    result.lock.release();
    expect(existsSync(lockPath)).toBe(true); // not this holder's any more: left alone
  });

  it('check() reports a workspace directory removed and created again at the same path', () => {
    const root = workspace();
    const result = acquireSupervisorLock(root);
    if (!result.isAcquired) throw new Error('not acquired');
    cleanups.push(() => result.lock.release());
    rmSync(root, { recursive: true });
    mkdirSync(root);
    expect(result.lock.check()).toEqual({
      isHeld: false,
      reason: `the workspace directory ${root} was removed or replaced`,
      isWorkspaceReplaced: true,
    });
    expect(existsSync(join(root, '.sase'))).toBe(false); // the new workspace is not touched
    result.lock.release();
  });

  it('readSupervisorStatus finds a live supervisor whose lock file is gone, from the registry of supervisors', () => {
    const root = workspace();
    const result = acquireSupervisorLock(root);
    if (!result.isAcquired) throw new Error('not acquired');
    cleanups.push(() => result.lock.release());
    const entries = readdirSync(supervisorsDir);
    expect(entries).toEqual([expect.stringMatching(new RegExp(`^[0-9a-f]{16}\\.${process.pid}\\.json$`))]);
    rmSync(join(root, '.sase', 'axe', 'lock'));
    expect(readSupervisorStatus(root)).toEqual({
      isRunning: true,
      pid: process.pid,
      startedAt: result.lock.holder.startedAt,
    });
    // Another holder of the lock file: both are listed, the holder first.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(
        join(root, '.sase', 'axe', 'lock'),
        JSON.stringify({ pid: other.pid, identity: null, started_at: 'now' }),
      );
      expect(readSupervisorStatus(root)).toEqual({
        isRunning: true,
        pid: other.pid,
        startedAt: 'now',
        others: [result.lock.holder],
      });
    } finally {
      other.kill('SIGKILL');
    }
    // A workspace removed and created again at the same path is another workspace: its supervisor is not this one's.
    rmSync(root, { recursive: true });
    mkdirSync(root);
    expect(readSupervisorStatus(root)).toEqual({ isRunning: false, pid: null, startedAt: null });
    result.lock.release();
    expect(readdirSync(supervisorsDir)).toEqual([]);
  });

  it('forgets registered supervisors that died without cleaning up', () => {
    const root = workspace();
    writeFileSync(
      join(supervisorsDir, `0123456789abcdef.${deadPid()}.json`),
      JSON.stringify({ pid: deadPid(), workspace_root: root }),
    );
    expect(readSupervisorStatus(root).isRunning).toBe(false);
    const result = acquireSupervisorLock(root);
    if (!result.isAcquired) throw new Error('not acquired');
    expect(readdirSync(supervisorsDir)).toHaveLength(1);
    result.lock.release();
  });
});

describe('the registry', () => {
  it('reports a malformed file with REGISTRY_CORRUPT naming it', () => {
    const root = workspace();
    const registry = createRegistry(root);
    submitSegments(registry, [{ prompt: 'x', directives: { name: 'a' } }]);
    writeFileSync(registry.agentFile('a', 'done.json'), '{"name": "a", "outcome": "maybe"}');
    expect(() => agentStates(registry)).toThrow(
      /done\.json: "outcome" must be one of completed, noop, plan_committed, epic_approved, plan_submitted, plan_approved, in_review, plan_rejected, failed, killed/,
    );
  });
});
