import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  createJsonExclusive,
  isoNow,
  readJsonIfExists,
  readTextIfExists,
  removeIfExists,
  stringifyJson,
  writeFileAtomic,
  writeJsonAtomic,
} from './internal/files.js';
import { isProcessAlive, processIdentity } from './internal/processes.js';

/** Who holds a workspace's supervisor lock (`.sase/axe/lock`). */
export interface SupervisorLockHolder {
  pid: number;
  identity: string | null;
  startedAt: string;
}

/** What {@link SupervisorLock.check} found. */
export type SupervisorLockCheck =
  /**
   * The lock file is this holder's. `isRestored`: it had been removed, and was created again. `restoreInMs`:
   * it is missing, and a check this much later puts it back (if the workspace is still the same).
   */
  | { isHeld: true; isRestored: boolean; restoreInMs?: number }
  /**
   * Someone else holds the lock now, or the workspace directory was removed or replaced
   * (`isWorkspaceReplaced`: the files at its path are another workspace's now): stop supervising.
   */
  | { isHeld: false; reason: string; isWorkspaceReplaced: boolean };

export interface SupervisorLock {
  readonly holder: SupervisorLockHolder;
  /**
   * Whether this process still holds the lock: the lock file is the one it created (same device and inode)
   * with the same content, in the same workspace directory (same device and inode). A lock file that was
   * removed while the workspace directory stayed is created again (if nobody else took it meanwhile). The
   * supervisor calls this on every scan and when `.sase/axe/` changes, and stops when the lock is lost.
   */
  check(): SupervisorLockCheck;
  /** Removes the lock and the pid file if they are still this process's, and its entry in the registry of supervisors. */
  release(): void;
}

export type AcquireSupervisorLockResult =
  | { isAcquired: true; lock: SupervisorLock }
  | { isAcquired: false; holder: SupervisorLockHolder };

export interface SupervisorStatus {
  isRunning: boolean;
  pid: number | null;
  startedAt: string | null;
  /**
   * Other live supervisors of this workspace, present only when there are some: processes that hold no lock
   * (theirs was removed or taken) but still run, found in the registry of supervisors. A supervisor notices
   * that it lost its lock within a poll interval and stops itself.
   */
  others?: SupervisorLockHolder[];
}

export function axeDirOf(workspaceRoot: string): string {
  return join(resolve(workspaceRoot), '.sase', 'axe');
}

/**
 * The registry of live supervisors, one file per supervisor, for every workspace of the user:
 * `$SASE_SUPERVISORS_DIR`, else `~/.sase/supervisors/`. It is how a supervisor is found even when the lock file
 * of its workspace is gone.
 */
export function supervisorsDirOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.SASE_SUPERVISORS_DIR || join(env.HOME || homedir(), '.sase', 'supervisors');
}

/** The workspace's absolute path with symbolic links resolved (as given, when it does not exist). */
function canonicalRoot(workspaceRoot: string): string {
  const absolute = resolve(workspaceRoot);
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

function workspaceKey(root: string): string {
  return createHash('sha256').update(root).digest('hex').slice(0, 16);
}

/**
 * What tells a file from another one later created at the same path: device and inode, and the birth time
 * where the file system keeps one (0 where it does not). Inode numbers alone are reused at once: a directory
 * removed and created again often gets the inode it had.
 */
interface FileIdentity {
  device: number;
  inode: number;
  birth: number;
}

function fileIdentity(path: string): FileIdentity | undefined {
  try {
    const stat = statSync(path);
    return { device: stat.dev, inode: stat.ino, birth: stat.birthtimeMs };
  } catch {
    return undefined;
  }
}

function isSameFile(left: FileIdentity | undefined, right: FileIdentity | undefined): boolean {
  return (
    left !== undefined &&
    right !== undefined &&
    left.device === right.device &&
    left.inode === right.inode &&
    left.birth === right.birth
  );
}

interface RegistryEntry extends SupervisorLockHolder {
  workspaceRoot: string;
  rootIdentity: FileIdentity | undefined;
  file: string;
}

function readRegistryEntry(file: string): RegistryEntry | undefined {
  try {
    const value = readJsonIfExists(file) as Record<string, unknown> | undefined;
    if (value === undefined || typeof value.pid !== 'number' || typeof value.workspace_root !== 'string')
      return undefined;
    return {
      pid: value.pid,
      identity: typeof value.identity === 'string' ? value.identity : null,
      startedAt: typeof value.started_at === 'string' ? value.started_at : '',
      workspaceRoot: value.workspace_root,
      rootIdentity:
        typeof value.root_device === 'number' && typeof value.root_inode === 'number'
          ? {
              device: value.root_device,
              inode: value.root_inode,
              birth: typeof value.root_birth === 'number' ? value.root_birth : 0,
            }
          : undefined,
      file,
    };
  } catch {
    return undefined;
  }
}

/** Entry files are named `<workspace key>.<pid>.json`; ones of dead processes are removed on the way. */
function liveRegistryEntries(prefix?: string): RegistryEntry[] {
  const dir = supervisorsDirOf();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const entries: RegistryEntry[] = [];
  for (const name of names) {
    if (!name.endsWith('.json') || (prefix !== undefined && !name.startsWith(`${prefix}.`))) continue;
    const file = join(dir, name);
    const entry = readRegistryEntry(file);
    if (entry === undefined || !isProcessAlive(entry.pid, entry.identity)) {
      const pid = Number(name.split('.')[1]);
      if (entry !== undefined || !isProcessAlive(pid)) {
        try {
          removeIfExists(file);
        } catch {
          // not ours to remove, or gone
        }
      }
      continue;
    }
    entries.push(entry);
  }
  return entries;
}

function register(root: string, rootIdentity: FileIdentity | undefined, holder: SupervisorLockHolder) {
  const dir = supervisorsDirOf();
  const file = join(dir, `${workspaceKey(root)}.${holder.pid}.json`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    liveRegistryEntries(); // removes the entries of supervisors that died without cleaning up
    writeJsonAtomic(file, {
      pid: holder.pid,
      identity: holder.identity,
      started_at: holder.startedAt,
      workspace_root: root,
      root_device: rootIdentity?.device ?? null,
      root_inode: rootIdentity?.inode ?? null,
      root_birth: rootIdentity?.birth ?? null,
    });
    return file;
  } catch {
    return undefined; // no writable home: the lock file alone still keeps one supervisor per workspace
  }
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

/** How long a supervisor waits before it puts back a lock file removed from under it (see check()). */
const LOCK_RESTORE_DELAY_MS = 500;

/**
 * Takes the one-per-workspace supervisor lock. The lock file is created exclusively (temporary file + hard
 * link), so of two processes starting at the same moment exactly one wins. A lock whose holder is dead (or
 * whose pid now belongs to another process) is stale and is taken over; takeovers are serialised by a
 * second exclusive file, `lock.takeover`, so two processes clearing the same stale lock cannot both win.
 * The pid is also written to `.sase/axe/pid` for people and scripts, and the holder to the registry of
 * supervisors (see {@link supervisorsDirOf}): the lock is refused while a live supervisor of this workspace is
 * registered there, even if the lock file was removed under it, and {@link readSupervisorStatus} finds it.
 * The holder keeps checking that the lock is still its own ({@link SupervisorLock.check}).
 */
export function acquireSupervisorLock(workspaceRoot: string): AcquireSupervisorLockResult {
  const registered = registeredSupervisors(workspaceRoot);
  if (registered.length > 0) return { isAcquired: false, holder: registered[0] as SupervisorLockHolder };
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
  const contentText = stringifyJson(content);
  const acquired = (): AcquireSupervisorLockResult => {
    const rootPath = resolve(workspaceRoot);
    const root = canonicalRoot(rootPath);
    const rootIdentity = fileIdentity(rootPath);
    let lockIdentity = fileIdentity(lockPath);
    let registryFile = register(root, rootIdentity, holder);
    writeFileAtomic(pidPath, `${process.pid}\n`);
    let isReleased = false;
    let lockMissingSince: number | undefined;
    return {
      isAcquired: true,
      lock: {
        holder,
        check() {
          if (isReleased)
            return { isHeld: false, reason: 'the lock was released', isWorkspaceReplaced: false };
          const replaced = {
            isHeld: false,
            reason: `the workspace directory ${rootPath} was removed or replaced`,
            isWorkspaceReplaced: true,
          } as const;
          if (!isSameFile(fileIdentity(rootPath), rootIdentity)) return replaced;
          const text = readTextIfExists(lockPath);
          if (text === undefined) {
            // Removed, in the same workspace directory: this process is still its supervisor. (Only where
            // birth times tell a directory from a new one at the same path; elsewhere, give it up.)
            if (rootIdentity === undefined || rootIdentity.birth <= 0) {
              return { isHeld: false, reason: `${lockPath} was removed`, isWorkspaceReplaced: false };
            }
            if (!existsSync(axeDir)) {
              // `.sase/axe/` itself is gone (removed with the workspace, or by hand): nothing is put back,
              // which would fight the removal. The registry of supervisors still names this one, so no
              // second supervisor starts meanwhile; the lock is put back once the directory is there again.
              return { isHeld: true, isRestored: false };
            }
            // Only the lock is gone, so far: it is put back a moment later, when the workspace is still the
            // same. Put back at once, it raced `rm -rf` of the workspace, which had listed `.sase/axe/` and
            // then could not remove it (ENOTEMPTY). The registry keeps a second supervisor out meanwhile.
            const checkedAt = Date.now();
            lockMissingSince ??= checkedAt;
            const restoreInMs = lockMissingSince + LOCK_RESTORE_DELAY_MS - checkedAt;
            if (restoreInMs > 0) return { isHeld: true, isRestored: false, restoreInMs };
            try {
              if (createJsonExclusive(lockPath, content)) {
                if (!isSameFile(fileIdentity(rootPath), rootIdentity)) {
                  removeIfExists(lockPath);
                  return replaced;
                }
                lockIdentity = fileIdentity(lockPath);
                lockMissingSince = undefined;
                writeFileAtomic(pidPath, `${process.pid}\n`);
                registryFile ??= register(root, rootIdentity, holder);
                return { isHeld: true, isRestored: true };
              }
            } catch {
              // cannot write the workspace any more: treated as lost below
            }
            if (!isSameFile(fileIdentity(rootPath), rootIdentity)) return replaced;
            const now = readHolder(lockPath);
            return {
              isHeld: false,
              reason: `${lockPath} was removed${now ? ` and taken by pid ${now.pid}` : ' and cannot be created again'}`,
              isWorkspaceReplaced: false,
            };
          }
          lockMissingSince = undefined;
          if (text !== contentText || !isSameFile(fileIdentity(lockPath), lockIdentity)) {
            const now = readHolder(lockPath);
            return {
              isHeld: false,
              reason: `${lockPath} was replaced${now && now.pid !== 0 ? ` (it now names pid ${now.pid})` : ''}`,
              isWorkspaceReplaced: false,
            };
          }
          return { isHeld: true, isRestored: false };
        },
        release() {
          if (isReleased) return;
          isReleased = true;
          if (registryFile !== undefined) {
            try {
              removeIfExists(registryFile);
            } catch {
              // gone already
            }
          }
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

/**
 * Live supervisors of this workspace that the registry of supervisors knows, the lock holder included: those
 * registered for this path whose workspace directory is this one (not one removed and recreated at the same
 * path since) and whose process is alive.
 */
function registeredSupervisors(workspaceRoot: string): SupervisorLockHolder[] {
  const root = canonicalRoot(workspaceRoot);
  const rootIdentity = fileIdentity(resolve(workspaceRoot));
  return liveRegistryEntries(workspaceKey(root))
    .filter(
      (entry) =>
        entry.workspaceRoot === root &&
        (entry.rootIdentity === undefined || isSameFile(entry.rootIdentity, rootIdentity)),
    )
    .sort((left, right) => left.startedAt.localeCompare(right.startedAt))
    .map(({ pid, identity, startedAt }) => ({ pid, identity, startedAt }));
}

/**
 * Whether a supervisor runs for this workspace, and its pid: the holder of `.sase/axe/lock` if it is alive,
 * else any live supervisor of the workspace in the registry of supervisors (one whose lock file was removed:
 * it creates it again, or stops if someone else took it). A stale lock reads as not running.
 */
export function readSupervisorStatus(workspaceRoot: string): SupervisorStatus {
  const holder = readHolder(join(axeDirOf(workspaceRoot), 'lock'));
  const isHolderRunning = holder !== undefined && holder.pid !== 0 && isHolderAlive(holder);
  const others = registeredSupervisors(workspaceRoot).filter(
    (entry) => !(isHolderRunning && entry.pid === holder.pid),
  );
  const main = isHolderRunning ? holder : others.shift();
  if (main === undefined) return { isRunning: false, pid: null, startedAt: null };
  return {
    isRunning: true,
    pid: main.pid,
    startedAt: main.startedAt,
    ...(others.length === 0 ? {} : { others }),
  };
}
