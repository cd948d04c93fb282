import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { isProcessGroupAlive, signalProcessGroup } from './internal/process-group.js';
import { LauncherError } from './launcher-error.js';
import { startInStandbyShell } from './standby-shells.js';

/** The default time between SIGTERM and SIGKILL when a run is killed. */
export const DEFAULT_KILL_GRACE_MS = 5000;

export interface SpawnAgentProcessOptions {
  /** The argv: `[executable, ...arguments]`. Run directly, never through a shell. */
  command: readonly string[];
  /** The working directory. */
  cwd: string;
  /** The complete environment of the process (not merged with process.env here). */
  env: Record<string, string | undefined>;
  /** Text written to stdin, which is then closed. Undefined closes stdin at once. */
  input?: string;
  /** Milliseconds between SIGTERM and SIGKILL in kill(). Default 5000. */
  killGraceMs?: number;
}

/** How the process ended. */
export interface ProcessExit {
  /** The exit code, or null when it died of a signal or never started. */
  exitCode: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES, ...). */
  spawnError?: Error;
}

export interface AgentProcess {
  /** The pid, which is also its process group id; undefined when it could not be started. */
  readonly pid: number | undefined;
  /** The Node child process. */
  readonly child: ChildProcess;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles (never rejects) when the process has exited or failed to start. Its output may still be draining. */
  readonly exited: Promise<ProcessExit>;
  /** True once kill() has been called. */
  readonly isKilled: boolean;
  /**
   * Kills the whole process group: SIGTERM now, SIGKILL after the grace period if anything of the group is still
   * alive. Safe to call more than once and after the process has exited (it then reaches leftover grandchildren).
   */
  kill(): void;
  /**
   * Resolves once no process of the group is alive (zombies aside). After kill() this means SIGKILL has done its
   * work; it gives up `killGraceMs + 2000` ms after kill() so that a process in uninterruptible sleep cannot hang it.
   */
  waitForGroupExit(): Promise<void>;
}

/**
 * Starts an agent process the way every launcher should: no shell (argv is passed as is, so nothing in a prompt
 * is ever interpreted), its own process group (`detached`) so that kill() reaches the agent's children and
 * grandchildren, stdin piped (the prompt is written and stdin closed), stdout and stderr piped.
 */
export function spawnAgentProcess(options: SpawnAgentProcessOptions): AgentProcess {
  const [executable, ...argumentList] = options.command;
  if (executable === undefined || executable === '') {
    throw new LauncherError(
      'INVALID_REQUEST',
      'spawnAgentProcess: the command is empty; give [executable, ...arguments]',
    );
  }
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const child =
    startInStandbyShell(options.command, options.cwd, options.env) ??
    spawn(executable, argumentList, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
  const pid = child.pid;

  // The agent may exit without reading its stdin (EPIPE); that is its business, not an error of ours.
  child.stdin?.on('error', () => {});
  if (options.input !== undefined && options.input !== '') child.stdin?.end(options.input);
  else child.stdin?.end();

  let hasExited = false;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (exitCode, signal) => {
      hasExited = true;
      resolve({ exitCode, signal });
    });
    child.once('error', (error) => {
      // 'error' without a pid means the process never started; with a pid it is a failed kill or the like.
      if (pid === undefined) {
        hasExited = true;
        resolve({ exitCode: null, signal: null, spawnError: error });
      }
    });
  });

  let isKilled = false;
  let killTimer: NodeJS.Timeout | undefined;
  let killedAt = 0;

  const kill = (): void => {
    if (pid === undefined) return;
    if (!isKilled) {
      isKilled = true;
      killedAt = Date.now();
      signalProcessGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => {
        if (isProcessGroupAlive(pid)) signalProcessGroup(pid, 'SIGKILL');
      }, killGraceMs);
      killTimer.unref();
    } else if (hasExited) {
      signalProcessGroup(pid, 'SIGTERM');
    }
  };

  const waitForGroupExit = async (): Promise<void> => {
    if (pid === undefined) return;
    await exited;
    while (isProcessGroupAlive(pid)) {
      if (!isKilled || Date.now() - killedAt > killGraceMs + 2000) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (killTimer !== undefined) clearTimeout(killTimer);
  };

  return {
    pid,
    child,
    stdout: child.stdout!,
    stderr: child.stderr!,
    exited,
    get isKilled() {
      return isKilled;
    },
    kill,
    waitForGroupExit,
  };
}
