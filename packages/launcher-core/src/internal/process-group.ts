import { readdirSync, readFileSync } from 'node:fs';

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function signalProcessGroup(processGroupId: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-processGroupId, signal);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state letter and process group of a process from /proc (Linux), or undefined. */
function readProcStat(pid: string): { state: string; processGroupId: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ..." where comm may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const processGroupId = Number(fields[2]);
    if (state === undefined || Number.isNaN(processGroupId)) return undefined;
    return { state, processGroupId };
  } catch {
    return undefined;
  }
}

let isProcAvailable: boolean | undefined;

/**
 * True while any process of the group is alive. A zombie does not count: where PID 1 does not reap orphans (many
 * containers), a killed grandchild stays a zombie forever and `kill(-pgid, 0)` keeps succeeding.
 */
export function isProcessGroupAlive(processGroupId: number): boolean {
  if (!signalProcessGroup(processGroupId, 0)) return false;
  if (isProcAvailable === undefined) isProcAvailable = readProcStat('self') !== undefined;
  if (!isProcAvailable) return true;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    const stat = readProcStat(entry);
    if (
      stat !== undefined &&
      stat.processGroupId === processGroupId &&
      stat.state !== 'Z' &&
      stat.state !== 'X'
    ) {
      return true;
    }
  }
  return false;
}

/** True while the process is alive (a zombie counts as dead). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProcStat(String(pid));
  return stat === undefined ? true : stat.state !== 'Z' && stat.state !== 'X';
}
