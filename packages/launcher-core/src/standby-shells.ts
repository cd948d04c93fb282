import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { findExecutable } from './resolve-executable.js';

// Standby shells: `sh` processes started ahead of need, each blocked on reading one line from its stdin. To start
// an agent, the line `cd <dir> && <env changes> && exec <agent argv>` is written to one: the shell turns into the
// agent with `exec` (no fork), keeping its pid, its process group and its stdin, stdout and stderr pipes, which
// are already connected to this process. Starting a process from Node costs a fork of the whole Node process
// (several milliseconds, during which this process is blocked); exec in a standby shell costs this process a
// write to a pipe. So agents released together start in parallel instead of one fork after another.

/** The shell of standby shells: POSIX, and always there (dash on Debian and Ubuntu). */
const SHELL = '/bin/sh';
/**
 * The script of a standby shell. `read` takes exactly one line (POSIX: it reads no further than the newline), so
 * the agent's input written after that line stays in the pipe for the agent. `sase_nl` holds a newline, for values
 * that contain one (the line itself cannot). End of input (the pool trimmed, or this process gone) exits.
 */
const SCRIPT = `sase_nl='\n'; IFS= read -r sase_exec || exit 0; eval "$sase_exec"`;
/** The shell variables of SCRIPT: an environment that has them is left to a plain spawn. */
const SCRIPT_VARIABLES = ['sase_nl', 'sase_exec'];
/** `read` takes its line a byte at a time: a longer command is started with a plain spawn. */
const MAX_LINE_LENGTH = 16_384;
/** The most standby shells kept by one process. */
export const MAX_STANDBY_SHELLS = 64;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables `cd` sets: always given their value from the agent's environment (or unset). */
const CD_VARIABLES = ['PWD', 'OLDPWD'];

interface StandbyShell {
  child: ChildProcess;
  /** The environment it was started with (what the agent's environment is compared with). */
  env: Record<string, string>;
}

const standby: StandbyShell[] = [];
let isExitHooked = false;

type Environment = Record<string, string | undefined>;

function definedEntries(env: Environment): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value;
  return result;
}

function setReferenced(child: ChildProcess, isReferenced: boolean): void {
  for (const handle of [child, child.stdin, child.stdout, child.stderr] as unknown as {
    ref?: () => void;
    unref?: () => void;
  }[]) {
    if (isReferenced) handle?.ref?.();
    else handle?.unref?.();
  }
}

function isUsable(shell: StandbyShell): boolean {
  const { child } = shell;
  return child.exitCode === null && child.signalCode === null && child.stdin?.writable === true;
}

function close(shell: StandbyShell): void {
  shell.child.stdin?.end();
}

function startStandbyShell(env: Record<string, string>): StandbyShell | undefined {
  // A variable the shell cannot name could not be unset for an agent, nor be relied on to reach it.
  if (Object.keys(env).some((key) => !VARIABLE_NAME.test(key) || SCRIPT_VARIABLES.includes(key)))
    return undefined;
  let child: ChildProcess;
  try {
    child = spawn(SHELL, ['-c', SCRIPT], {
      env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch {
    return undefined;
  }
  if (child.pid === undefined) {
    child.on('error', () => {});
    return undefined;
  }
  child.on('error', () => {});
  child.stdin?.on('error', () => {});
  setReferenced(child, false);
  return { child, env };
}

/** A request for standby shells, from prepareAgentProcesses. */
export interface StandbyShells {
  /** How many this request asks for now: each shell an agent has started in since the last update counts against it. */
  readonly count: number;
  /**
   * Asks for `count` instead: the missing shells are started (one per turn of the event loop); shells no
   * longer asked for are closed 2 s later, so that launches already under way still find them.
   */
  update(count: number): void;
  /** Withdraws the request: the shells no other request wants are closed at once. */
  release(): void;
}

const requests = new Set<{ count: number }>();

function wantedCount(): number {
  let wanted = 0;
  for (const request of requests) wanted += request.count;
  return Math.min(MAX_STANDBY_SHELLS, wanted);
}

let isFillScheduled = false;

/**
 * Starts one missing standby shell per turn of the event loop (each start blocks this process for a fork), so
 * that what this process does meanwhile, such as launching the agents whose blocker just finished, waits for
 * one fork at most.
 */
function fill(): void {
  isFillScheduled = false;
  if (standby.length >= wantedCount()) return;
  const shell = startStandbyShell(definedEntries(process.env));
  if (shell === undefined) return;
  standby.push(shell);
  if (standby.length < wantedCount()) scheduleFill();
}

function scheduleFill(): void {
  if (isFillScheduled) return;
  isFillScheduled = true;
  // A timer, not setImmediate: an unref'd immediate waits for other events to wake the loop.
  setTimeout(fill, 0).unref();
}

/** How long standby shells no longer asked for are kept (for the launches already under way). */
const TRIM_DELAY_MS = 2000;
let trimTimer: NodeJS.Timeout | undefined;

function trim(): void {
  trimTimer = undefined;
  const wanted = wantedCount();
  while (standby.length > wanted) close(standby.pop() as StandbyShell);
}

/**
 * Has the missing standby shells started, and closes the ones beyond what the requests ask for: at once when
 * `isTrimmedNow`, else after TRIM_DELAY_MS. A request lowered because its agents have just been released
 * (a supervisor's count of agents about to start falls to 0 in the same moment) must not take the shells
 * from the launches already on their way to spawnAgentProcess.
 */
function balance(isTrimmedNow: boolean): void {
  const wanted = wantedCount();
  for (let index = standby.length - 1; index >= 0; index--) {
    if (!isUsable(standby[index] as StandbyShell)) standby.splice(index, 1);
  }
  if (standby.length > wanted) {
    if (isTrimmedNow) trim();
    else if (trimTimer === undefined) trimTimer = setTimeout(trim, TRIM_DELAY_MS).unref();
  }
  if (standby.length >= wanted) return;
  if (!isExitHooked) {
    isExitHooked = true;
    process.once('exit', () => {
      for (const shell of standby.splice(0)) close(shell);
    });
  }
  scheduleFill();
}

/**
 * Asks for `count` standby shells in this process, for agents about to start (a supervisor whose agents wait on
 * a running blocker asks for as many as will be released). Each is a `/bin/sh` of about a megabyte, blocked on
 * reading its stdin, that spawnAgentProcess turns into an agent with `exec`: the agent then starts without a
 * fork of this process, so agents released together start in parallel instead of one fork after another.
 *
 * The process keeps as many shells as all its requests ask for (at most MAX_STANDBY_SHELLS), started one per
 * turn of the event loop. A shell an agent starts in counts against a request (its count falls by one): it is
 * not replaced until a request is updated, so no shell is started while released agents are starting. The
 * shells hold no reference on the event loop and exit when this process does. Nothing happens on Windows.
 */
export function prepareAgentProcesses(count: number): StandbyShells {
  const entry = { count: 0 };
  const set = (next: number, isTrimmedNow: boolean) => {
    if (process.platform === 'win32') return;
    entry.count = Number.isFinite(next) ? Math.max(0, Math.floor(next)) : 0;
    if (entry.count > 0) requests.add(entry);
    else requests.delete(entry);
    balance(isTrimmedNow);
  };
  set(count, false);
  return {
    get count() {
      return entry.count;
    },
    update: (next) => set(next, false),
    release: () => set(0, true),
  };
}

/** How many standby shells are ready in this process. */
export function countStandbyShells(): number {
  return standby.filter(isUsable).length;
}

/** `value` as one single-quoted shell word, newlines written as `$sase_nl` (the line must stay one line). */
function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`).replaceAll('\n', `'"$sase_nl"'`)}'`;
}

/**
 * Whether exec runs `path` as Node's spawn does: a binary or a script with `#!`. sh runs any other file as a
 * shell script where a plain spawn fails with ENOEXEC, so such a file is left to the plain spawn.
 */
function isExecFormat(path: string): boolean {
  try {
    const fd = openSync(path, constants.O_RDONLY);
    try {
      const head = Buffer.alloc(4);
      const length = readSync(fd, head, 0, 4, 0);
      const isScript = length >= 2 && head[0] === 0x23 && head[1] === 0x21;
      return isScript || (length === 4 && head.readUInt32BE(0) === 0x7f454c46);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * The line that turns a standby shell started with `shellEnv` into `command` run in `cwd` with exactly `env`, or
 * undefined when a plain spawn must do it (a program exec would not run as Node would, a variable name the
 * shell cannot set, a line too long). `cwd` is not checked here (launchers check it just before): if it is
 * gone by the time the shell runs `cd`, the shell says so on stderr and exits with code 2.
 */
function execLine(
  command: readonly string[],
  cwd: string,
  env: Environment,
  shellEnv: Record<string, string>,
): string | undefined {
  const [executable, ...argumentList] = command;
  if (executable === undefined) return undefined;
  const directory = resolve(cwd);
  // The program as exec will find it, so that a missing one is the spawn error of a plain spawn.
  const program = findExecutable(executable, env, directory);
  if (program === undefined || !isExecFormat(program)) return undefined;
  const unset: string[] = [];
  const exported: string[] = [];
  for (const key in shellEnv) {
    if (env[key] === undefined && !CD_VARIABLES.includes(key)) unset.push(key);
  }
  for (const key in env) {
    const value = env[key];
    if (value === undefined) continue;
    if (!VARIABLE_NAME.test(key) || SCRIPT_VARIABLES.includes(key)) return undefined;
    if (shellEnv[key] !== value || CD_VARIABLES.includes(key)) exported.push(`${key}=${quote(value)}`);
  }
  for (const key of CD_VARIABLES) if (env[key] === undefined) unset.push(key);
  const parts = [`cd ${quote(directory)}`];
  if (unset.length > 0) parts.push(`unset ${unset.join(' ')}`);
  if (exported.length > 0) parts.push(`export ${exported.join(' ')}`);
  parts.push(`exec ${[program, ...argumentList].map(quote).join(' ')}`);
  const line = parts.join(' && ');
  return line.length > MAX_LINE_LENGTH ? undefined : line;
}

/**
 * Takes a standby shell and has it exec `command`, or returns undefined (none ready, or a plain spawn must start
 * this command). The child returned is that shell, ref'd again: its pid is the agent's from now on.
 */
export function startInStandbyShell(
  command: readonly string[],
  cwd: string,
  env: Environment,
): ChildProcess | undefined {
  while (standby.length > 0) {
    const shell = standby[standby.length - 1] as StandbyShell;
    if (!isUsable(shell)) {
      standby.pop();
      continue;
    }
    const line = execLine(command, cwd, env, shell.env);
    if (line === undefined) return undefined;
    standby.pop();
    // The agent it was kept for has come: it counts against a request (so a fill under way does not start
    // a replacement while agents are starting, when every core is wanted).
    for (const request of requests) {
      if (request.count === 0) continue;
      request.count--;
      if (request.count === 0) requests.delete(request);
      break;
    }
    setReferenced(shell.child, true);
    shell.child.stdin?.write(`${line}\n`);
    return shell.child;
  }
  return undefined;
}
