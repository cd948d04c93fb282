import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { spawnAgentProcess } from '@sase/launcher-core';
import type { HookConfig } from './config.js';

export interface HookRunResult {
  name: string;
  status: 'PASSED' | 'FAILED';
  /** null when the hook was killed (timeout, abort) or could not start. */
  exitCode: number | null;
  durationMs: number;
  /** Absolute path of its log (stdout and stderr, in order). */
  log: string;
  startedAt: string;
  /** Why it failed without an exit code (`timed out after 600 s`, `could not start: …`). */
  reason?: string;
}

export interface RunHooksOptions {
  hooks: readonly HookConfig[];
  /** The worktree the checks run in. */
  cwd: string;
  env?: Record<string, string>;
  /** The log file of a hook. */
  logFileOf: (hook: HookConfig) => string;
  /** Aborting kills the running hook's process group; the hooks after it do not run. */
  signal?: AbortSignal;
}

/**
 * Runs the checks one after another in `cwd` (argv, no shell), each with its output in its own log file,
 * and stops at the first that fails: later checks of a change that already failed would only take time.
 * A hook that runs past its timeout is killed (its whole process group) and fails.
 */
export async function runHooks(options: RunHooksOptions): Promise<HookRunResult[]> {
  const results: HookRunResult[] = [];
  for (const hook of options.hooks) {
    if (options.signal?.aborted) break;
    const result = await runHook(hook, options);
    results.push(result);
    if (result.status === 'FAILED') break;
  }
  return results;
}

async function runHook(hook: HookConfig, options: RunHooksOptions): Promise<HookRunResult> {
  const log = options.logFileOf(hook);
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, 'w');
  const write = (chunk: Buffer | string) => {
    try {
      if (typeof chunk === 'string') writeSync(fd, chunk);
      else writeSync(fd, chunk);
    } catch {
      // a full disk must not hang the check
    }
  };
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  write(`$ ${hook.command.join(' ')}\n`);
  const child = spawnAgentProcess({
    command: hook.command,
    cwd: options.cwd,
    env: { ...process.env, ...options.env, SASE_HOOK: hook.name },
    killGraceMs: 2000,
  });
  child.stdout.on('data', write);
  child.stderr.on('data', write);
  let reason: string | undefined;
  const stop = (why: string) => {
    if (reason !== undefined) return;
    reason = why;
    child.kill();
  };
  const timer = setTimeout(
    () => stop(`timed out after ${Math.round(hook.timeoutMs / 1000)} s`),
    hook.timeoutMs,
  );
  const onAbort = () => stop('stopped: the agent was killed');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const exit = await child.exited;
  await Promise.race([
    Promise.all([onEnd(child.stdout), onEnd(child.stderr)]),
    new Promise((done) => setTimeout(done, 1000).unref()),
  ]);
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  if (exit.spawnError !== undefined) reason = `could not start: ${exit.spawnError.message}`;
  const durationMs = Date.now() - started;
  const status = reason === undefined && exit.exitCode === 0 ? 'PASSED' : 'FAILED';
  write(
    `\n[sase] ${hook.name} ${status}${exit.exitCode === null ? '' : ` (exit ${exit.exitCode})`}` +
      `${reason === undefined ? '' : `: ${reason}`} in ${durationMs} ms\n`,
  );
  closeSync(fd);
  return {
    name: hook.name,
    status,
    exitCode: exit.exitCode,
    durationMs,
    log,
    startedAt,
    ...(reason === undefined ? {} : { reason }),
  };
}

function onEnd(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    if ((stream as { readableEnded?: boolean }).readableEnded) resolve();
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
  });
}

/** The last `lines` lines of a text file ('' when it cannot be read). */
export function tailOfFile(path: string, lines: number): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return '';
  }
  const all = text.replace(/\n+$/, '').split('\n');
  return all.slice(-lines).join('\n');
}
