/** Helpers of the tests that run real supervisor and agent host processes. */
import { readdirSync, readFileSync } from 'node:fs';

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

export async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The parent's pid, from /proc/<pid>/stat (after the command name, which may contain spaces). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Live processes (zombies aside) whose command line satisfies `isMatch`. */
function liveProcesses(isMatch: (argv: string[]) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (isMatch(argv) && isAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/**
 * Live processes whose command line contains every one of `parts`. A child that one of them has forked but
 * not yet exec'd (an agent host being started) has its parent's command line for that moment: it is left out.
 */
export function processesWith(...parts: string[]): number[] {
  const pids = liveProcesses((argv) => parts.every((part) => argv.includes(part)));
  return pids.filter((pid) => !pids.includes(parentOf(pid) ?? -1));
}

export function countLines(lines: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) counts[line] = (counts[line] ?? 0) + 1;
  return counts;
}

/** The standby shells (see prepareAgentProcesses of @sase/launcher-core) whose parent is one of `parents`. */
export function standbyShellsOf(parents: readonly number[]): number[] {
  return liveProcesses(
    (argv) => argv[0] === '/bin/sh' && argv[2]?.includes('read -r sase_exec') === true,
  ).filter((pid) => parents.includes(parentOf(pid) ?? -1));
}
