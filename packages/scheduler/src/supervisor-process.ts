import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isoNow, readTextIfExists } from './internal/files.js';
import { isProcessAlive, sleep } from './internal/processes.js';
import { isSchedulerError, SchedulerError } from './scheduler-error.js';
import { createSupervisor, type SupervisorOptions } from './supervisor.js';
import { acquireSupervisorLock, axeDirOf, readSupervisorStatus } from './supervisor-lock.js';

export interface StartSupervisorProcessOptions {
  workspaceRoot: string;
  /** The command that serves the supervisor in the foreground (the CLI: `node <sase> axe serve`). */
  command: string[];
  env?: Record<string, string>;
  /** How long to wait for the supervisor to hold the lock. Default 15000 ms. */
  timeoutMs?: number;
}

export interface StartSupervisorProcessResult {
  /** The pid of the supervisor that runs now. */
  pid: number;
  /** False when one was already running (start is idempotent). */
  isNew: boolean;
  /** `.sase/axe/log`, where the supervisor's output goes. */
  logFile: string;
}

export function supervisorLogFileOf(workspaceRoot: string): string {
  return join(axeDirOf(workspaceRoot), 'log');
}

function logTail(file: string, lines = 15): string {
  const text = readTextIfExists(file) ?? '';
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Starts a detached supervisor process for the workspace unless one runs (idempotent), with stdout and
 * stderr appended to `.sase/axe/log`, and resolves once a live supervisor holds the lock. When several
 * start at the same moment, the lock leaves exactly one; every caller gets that one's pid.
 */
export async function startSupervisorProcess(
  options: StartSupervisorProcessOptions,
): Promise<StartSupervisorProcessResult> {
  const root = resolve(options.workspaceRoot);
  const logFile = supervisorLogFileOf(root);
  const status = readSupervisorStatus(root);
  if (status.isRunning && status.pid !== null) return { pid: status.pid, isNew: false, logFile };
  const [command, ...args] = options.command;
  if (command === undefined)
    throw new SchedulerError('SUPERVISOR_START_FAILED', 'the supervisor command is empty');
  mkdirSync(axeDirOf(root), { recursive: true });
  const descriptor = openSync(logFile, 'a');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(command, args, {
      cwd: root,
      detached: true,
      stdio: ['ignore', descriptor, descriptor],
      env: { ...process.env, ...options.env },
    });
  } finally {
    closeSync(descriptor);
  }
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  child.unref();
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const current = readSupervisorStatus(root);
    if (current.isRunning && current.pid !== null) {
      const isNew = current.pid === child.pid;
      // Another start won the race: ours is redundant, and must not take over once that one stops.
      if (!isNew && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return { pid: current.pid, isNew, logFile };
    }
    const hasExited = child.exitCode !== null || child.signalCode !== null || spawnError !== undefined;
    if (hasExited || Date.now() > deadline) {
      await sleep(50);
      const last = readSupervisorStatus(root);
      if (last.isRunning && last.pid !== null) {
        if (last.pid !== child.pid && child.exitCode === null && child.signalCode === null)
          child.kill('SIGTERM');
        return { pid: last.pid, isNew: last.pid === child.pid, logFile };
      }
      if (!hasExited) child.kill('SIGKILL');
      throw new SchedulerError(
        'SUPERVISOR_START_FAILED',
        `the supervisor did not start (${spawnError ? spawnError.message : hasExited ? `exited with code ${child.exitCode}` : 'timed out'}); ` +
          `the end of ${logFile}:\n${logTail(logFile)}`,
        { file: logFile },
      );
    }
    await sleep(20);
  }
}

export interface StopSupervisorProcessResult {
  /** Whether a supervisor was running. */
  wasRunning: boolean;
  pid: number | null;
}

/**
 * Stops the workspace's supervisor (SIGTERM: it kills its agents, records them `killed` and releases the
 * lock), waiting up to `timeoutMs` (default 30000) before SIGKILL. A stale lock is cleared.
 */
export async function stopSupervisorProcess(
  workspaceRoot: string,
  options: { timeoutMs?: number } = {},
): Promise<StopSupervisorProcessResult> {
  const root = resolve(workspaceRoot);
  const status = readSupervisorStatus(root);
  if (!status.isRunning || status.pid === null) {
    const result = acquireSupervisorLock(root); // clears a stale lock and pid file
    if (result.isAcquired) result.lock.release();
    return { wasRunning: false, pid: null };
  }
  const pid = status.pid;
  if (pid === process.pid) {
    throw new SchedulerError(
      'SUPERVISOR_STOP_FAILED',
      'the supervisor runs in this process; call its stop() method instead',
      { pid },
    );
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // exited meanwhile
  }
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline && isProcessAlive(pid)) await sleep(25);
  if (isProcessAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
    const killDeadline = Date.now() + 5000;
    while (Date.now() < killDeadline && isProcessAlive(pid)) await sleep(25);
    if (isProcessAlive(pid)) {
      throw new SchedulerError('SUPERVISOR_STOP_FAILED', `the supervisor (pid ${pid}) did not exit`, { pid });
    }
  }
  const result = acquireSupervisorLock(root);
  if (result.isAcquired) result.lock.release();
  return { wasRunning: true, pid };
}

/**
 * Runs a supervisor in the foreground until SIGTERM, SIGINT or SIGHUP, then stops it (its agents are
 * killed and recorded). Logs one timestamped line per event to stdout. Resolves to an exit code: 0, also
 * when another supervisor already holds the lock (that one keeps running).
 */
export async function serveSupervisor(
  options: SupervisorOptions & { write?: (text: string) => void },
): Promise<number> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const log = options.log ?? ((line: string) => write(`${isoNow()} ${line}\n`));
  const supervisor = createSupervisor({ ...options, log });
  // Handlers first: a SIGTERM that arrives while starting must still stop the supervisor cleanly.
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => resolve(signal);
  });
  const handler = (signal: NodeJS.Signals) => onSignal?.(signal);
  for (const each of signals) process.on(each, handler);
  try {
    try {
      await supervisor.start();
    } catch (error) {
      if (isSchedulerError(error, 'SUPERVISOR_RUNNING')) {
        log(`not starting: ${error.message}`);
        return 0;
      }
      throw error;
    }
    const signal = await received;
    await supervisor.stop(`the supervisor received ${signal}`);
    return 0;
  } finally {
    for (const each of signals) process.off(each, handler);
  }
}
