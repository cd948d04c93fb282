import { readFileSync } from 'node:fs';

/**
 * The kernel's start time of a process (Linux: field 22 of /proc/<pid>/stat), used with the pid to tell a
 * process from a later one that reused its pid. Undefined where /proc is not available.
 */
export function processIdentity(pid: number): string | undefined {
  const stat = readStat(pid);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

function readStat(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Whether a process is alive: it exists, is not a zombie, and (when `identity` is given and the platform
 * reports one) is the same process that recorded that identity.
 */
export function isProcessAlive(pid: number | null | undefined, identity?: string | null): boolean {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EPERM') return false;
  }
  const stat = readStat(pid);
  if (stat === undefined) return true;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  if (identity && fields[19] !== undefined && fields[19] !== identity) return false;
  return true;
}

/** Sends a signal to a process group (negative pid), falling back to the process alone. */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * SIGTERM to the whole group, then, once the leader has exited or `graceMs` has passed, SIGKILL to whatever
 * is left of the group.
 */
export async function terminateProcessGroup(pid: number, graceMs = 3000): Promise<void> {
  if (!signalProcessGroup(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isProcessAlive(pid)) await sleep(25);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone (or the process leads no group).
  }
  if (isProcessAlive(pid)) signalProcessGroup(pid, 'SIGKILL');
}
