import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createJsonExclusive,
  isoNow,
  readJsonIfExists,
  readTextIfExists,
  removeIfExists,
  writeFileAtomic,
} from './internal/files.js';
import { isProcessAlive, processIdentity } from './internal/processes.js';

/** Who holds a workspace's supervisor lock (`.sase/axe/lock`). */
export interface SupervisorLockHolder {
  pid: number;
  identity: string | null;
  startedAt: string;
}

export interface SupervisorLock {
  readonly holder: SupervisorLockHolder;
  /** Removes the lock and the pid file if they are still this process's. */
  release(): void;
}

export type AcquireSupervisorLockResult =
  | { isAcquired: true; lock: SupervisorLock }
  | { isAcquired: false; holder: SupervisorLockHolder };

export interface SupervisorStatus {
  isRunning: boolean;
  pid: number | null;
  startedAt: string | null;
}

export function axeDirOf(workspaceRoot: string): string {
  return join(resolve(workspaceRoot), '.sase', 'axe');
}

function readHolder(path: string): SupervisorLockHolder | undefined {
  let value: unknown;
  try {
    value = readJsonIfExists(path);
  } catch {
    return { pid: 0, identity: null, startedAt: '' }; // unreadable: treated as stale
  }
  if (value === undefined) return undefined;
  const record = value as { pid?: unknown; identity?: unknown; started_at?: unknown };
  return {
    pid: typeof record.pid === 'number' ? record.pid : 0,
    identity: typeof record.identity === 'string' ? record.identity : null,
    startedAt: typeof record.started_at === 'string' ? record.started_at : '',
  };
}

function isSameHolder(left: SupervisorLockHolder, right: SupervisorLockHolder): boolean {
  return left.pid === right.pid && left.identity === right.identity && left.startedAt === right.startedAt;
}

function isHolderAlive(holder: SupervisorLockHolder): boolean {
  return holder.pid === process.pid || isProcessAlive(holder.pid, holder.identity);
}

const TAKEOVER_STALE_MS = 5000;

/**
 * Takes the one-per-workspace supervisor lock. The lock file is created exclusively (temporary file + hard
 * link), so of two processes starting at the same moment exactly one wins. A lock whose holder is dead (or
 * whose pid now belongs to another process) is stale and is taken over; takeovers are serialised by a
 * second exclusive file, `lock.takeover`, so two processes clearing the same stale lock cannot both win.
 * The pid is also written to `.sase/axe/pid` for people and scripts.
 */
export function acquireSupervisorLock(workspaceRoot: string): AcquireSupervisorLockResult {
  const axeDir = axeDirOf(workspaceRoot);
  mkdirSync(axeDir, { recursive: true });
  const lockPath = join(axeDir, 'lock');
  const takeoverPath = join(axeDir, 'lock.takeover');
  const pidPath = join(axeDir, 'pid');
  const holder: SupervisorLockHolder = {
    pid: process.pid,
    identity: processIdentity(process.pid) ?? null,
    startedAt: isoNow(),
  };
  const content = { pid: holder.pid, identity: holder.identity, started_at: holder.startedAt };
  const acquired = (): AcquireSupervisorLockResult => {
    writeFileAtomic(pidPath, `${process.pid}\n`);
    return {
      isAcquired: true,
      lock: {
        holder,
        release() {
          const current = readHolder(lockPath);
          if (current !== undefined && isSameHolder(current, holder)) {
            if (readTextIfExists(pidPath)?.trim() === String(process.pid)) removeIfExists(pidPath);
            removeIfExists(lockPath);
          }
        },
      },
    };
  };

  for (let round = 0; round < 100; round++) {
    if (createJsonExclusive(lockPath, content)) return acquired();
    const current = readHolder(lockPath);
    if (current === undefined) continue; // released meanwhile: try again
    if (isHolderAlive(current)) return { isAcquired: false, holder: current };
    // Stale: take it over under the takeover lock.
    if (!createJsonExclusive(takeoverPath, { pid: process.pid, at: isoNow() })) {
      try {
        if (Date.now() - statSync(takeoverPath).mtimeMs > TAKEOVER_STALE_MS) removeIfExists(takeoverPath);
      } catch {
        // gone already
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.random() * 20);
      continue;
    }
    try {
      const again = readHolder(lockPath);
      if (again !== undefined && isSameHolder(again, current) && !isHolderAlive(again)) {
        removeIfExists(lockPath);
      }
      if (createJsonExclusive(lockPath, content)) return acquired();
    } finally {
      removeIfExists(takeoverPath);
    }
  }
  const current = readHolder(lockPath);
  return { isAcquired: false, holder: current ?? { pid: 0, identity: null, startedAt: '' } };
}

/** Whether a supervisor runs for this workspace, and its pid. A stale lock reads as not running. */
export function readSupervisorStatus(workspaceRoot: string): SupervisorStatus {
  const holder = readHolder(join(axeDirOf(workspaceRoot), 'lock'));
  if (holder === undefined || holder.pid === 0 || !isHolderAlive(holder)) {
    return { isRunning: false, pid: null, startedAt: null };
  }
  return { isRunning: true, pid: holder.pid, startedAt: holder.startedAt };
}
