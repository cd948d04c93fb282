import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isoNow, readTextIfExists } from './internal/files.js';
import { isProcessAlive, sleep } from './internal/processes.js';
import { isSchedulerError, SchedulerError } from './scheduler-error.js';
import { createSupervisor, type SupervisorOptions, type SupervisorStopEvent } from './supervisor.js';
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
  /**
   * Other live supervisors of the workspace that were stopped too (present only when there were some): ones
   * that had lost the lock file (see `readSupervisorStatus`).
   */
  others?: number[];
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the process has exited. */
async function stopProcess(pid: number, timeoutMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // exited meanwhile
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isProcessAlive(pid)) await sleep(25);
  if (!isProcessAlive(pid)) return;
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

/**
 * Stops the workspace's supervisor (SIGTERM: it kills its agents, records them `killed` and releases the
 * lock), waiting up to `timeoutMs` (default 30000) before SIGKILL — and any other live supervisor of the
 * workspace that `readSupervisorStatus` finds. A stale lock is cleared.
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
  const others = (status.others ?? []).map((other) => other.pid);
  for (const each of [pid, ...others]) {
    if (each === process.pid) {
      throw new SchedulerError(
        'SUPERVISOR_STOP_FAILED',
        'the supervisor runs in this process; call its stop() method instead',
        { pid: each },
      );
    }
  }
  await Promise.all([pid, ...others].map((each) => stopProcess(each, options.timeoutMs ?? 30_000)));
  const result = acquireSupervisorLock(root);
  if (result.isAcquired) result.lock.release();
  return { wasRunning: true, pid, ...(others.length === 0 ? {} : { others }) };
}

export interface ServeSupervisorOptions extends SupervisorOptions {
  /** Where log lines go when `log` is not given (timestamped). Default stdout. */
  write?: (text: string) => void;
  /**
   * With `watchFiles`: when one of them changes, returns the options of the next supervisor (the
   * configuration read again). The running supervisor then stops without stopping agents that run in agent
   * hosts (the next one adopts them; agents run in-process are killed) and a new one starts with these
   * options, in this process, keeping its pid. If `reload` throws (say, the new configuration is invalid),
   * that is logged and the running supervisor goes on.
   */
  reload?: () => SupervisorOptions | Promise<SupervisorOptions>;
}

type ServeEvent =
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'stopped'; event: SupervisorStopEvent }
  | { kind: 'files'; files: string[] };

/**
 * Runs a supervisor in the foreground until SIGTERM, SIGINT or SIGHUP, then stops it (its agents are killed
 * and recorded), or until it stops by itself (`idleExitMs`, or a lost lock: logged). Logs one timestamped
 * line per event to stdout. With `watchFiles` and `reload`, a change of a watched file (`sase.yml`) restarts
 * the supervisor with the reloaded options, agents in agent hosts running on. Resolves to an exit code: 0,
 * also when another supervisor already holds the lock (that one keeps running).
 */
export async function serveSupervisor(options: ServeSupervisorOptions): Promise<number> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  // Handlers first: a SIGTERM that arrives while starting must still stop the supervisor cleanly.
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  const queue: ServeEvent[] = [];
  let notify: (() => void) | undefined;
  const push = (event: ServeEvent) => {
    queue.push(event);
    notify?.();
  };
  const next = async (): Promise<ServeEvent> => {
    while (queue.length === 0) await new Promise<void>((resolve) => (notify = resolve));
    notify = undefined;
    return queue.shift() as ServeEvent;
  };
  const handler = (signal: NodeJS.Signals) => push({ kind: 'signal', signal });
  for (const each of signals) process.on(each, handler);
  try {
    let current: SupervisorOptions = options;
    for (;;) {
      const settings = current;
      const log = settings.log ?? ((line: string) => write(`${isoNow()} ${line}\n`));
      const isReloading = options.reload !== undefined && (settings.watchFiles?.length ?? 0) > 0;
      const supervisor = createSupervisor({
        ...settings,
        log,
        onStop: (event) => {
          settings.onStop?.(event);
          push({ kind: 'stopped', event });
        },
        onFilesChanged: (files) => {
          settings.onFilesChanged?.(files);
          if (isReloading) push({ kind: 'files', files });
        },
      });
      try {
        await supervisor.start();
      } catch (error) {
        if (isSchedulerError(error, 'SUPERVISOR_RUNNING')) {
          log(`not starting: ${error.message}`);
          return 0;
        }
        throw error;
      }
      let reloaded: SupervisorOptions | undefined;
      let baseline: Map<string, string | undefined> | undefined;
      let changed: string[] = [];
      while (reloaded === undefined) {
        const event = await next();
        if (event.kind === 'signal') {
          await supervisor.stop(`the supervisor received ${event.signal}`);
          return 0;
        }
        if (event.kind === 'stopped') {
          if (event.event.cause === 'stop') continue; // the restart below
          return 0;
        }
        changed = event.files;
        // What the files hold before the configuration is read again: the next supervisor compares with this,
        // so an edit made while reloading restarts it once more instead of going unnoticed.
        baseline = readContents(settings.watchFiles ?? [], settings.workspaceRoot);
        try {
          reloaded = await (options.reload as NonNullable<ServeSupervisorOptions['reload']>)();
        } catch (error) {
          log(
            `${event.files.join(', ')} changed but could not be loaded (${(error as Error).message}); ` +
              'the supervisor goes on with the configuration it has',
          );
        }
      }
      await supervisor.stop(
        `${changed.join(', ')} changed: restarting with the new configuration (agents in agent hosts keep running)`,
        { agents: 'keep' },
      );
      // What the old supervisor reported on its way out is over; a signal still counts.
      queue.splice(0, queue.length, ...queue.filter((event) => event.kind === 'signal'));
      current = {
        ...reloaded,
        watchFiles: reloaded.watchFiles ?? settings.watchFiles,
        watchBaseline: baseline,
      };
    }
  } finally {
    for (const each of signals) process.off(each, handler);
  }
}

/** The contents of `files` (resolved against `root`), undefined for those that cannot be read. */
function readContents(files: readonly string[], root: string): Map<string, string | undefined> {
  const contents = new Map<string, string | undefined>();
  for (const file of files) {
    const path = resolve(root, file);
    try {
      contents.set(path, readFileSync(path, 'utf8'));
    } catch {
      contents.set(path, undefined);
    }
  }
  return contents;
}
