import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { EventChannel } from './internal/event-channel.js';
import { createJsonLineParser, type JsonLine, type JsonObject } from './json-lines.js';
import { LauncherError } from './launcher-error.js';
import { PROMPT_CONTEXT_VARIABLE } from './prompt-context.js';
import { type AgentProcess, type ProcessExit, spawnAgentProcess } from './spawn-agent-process.js';
import type { LaunchEvent, LaunchOutcome, LaunchRequest, LaunchRun } from './spec.js';
import { stripAnsi } from './strip-ansi.js';
import { createTranscriptWriter, type TranscriptWriter } from './transcript.js';

type WithoutTime<T> = T extends unknown ? Omit<T, 'time'> : never;

/** An event as an adapter's mapper produces it: the core stamps `time`. Start and outcome are the core's. */
export type LaunchEventInput = WithoutTime<Exclude<LaunchEvent, { type: 'start' } | { type: 'outcome' }>>;

/** What a mapper's finish() sees once the process has exited (never called for a killed run). */
export interface FinishContext {
  /** The exit code, or null when the process died of a signal. */
  exitCode: number | null;
  /** The signal that ended the process, if any. */
  signal: NodeJS.Signals | null;
  /** The last lines of stderr (at most about 4 KB), for error messages. */
  stderrTail: string;
  /** How many stdout lines were not JSON objects (noise). */
  textLineCount: number;
  /** The last stdout line that was not a JSON object. */
  lastTextLine?: string;
}

/** A mapper's verdict: `killed` is never the mapper's to give. */
export interface OutcomeDecision {
  outcome: 'completed' | 'failed';
  /** Defaults to the process exit code. */
  exitCode?: number | null;
  finalText?: string;
  error?: string;
  sessionId?: string;
  /** Events to emit just before the outcome (e.g. a message parsed from a CLI's one final JSON document). */
  events?: LaunchEventInput[];
}

/**
 * Turns one CLI's stdout into LaunchEvents and its end into an outcome. The only CLI-specific code an adapter
 * needs besides its argv. A mapper is created per run, so it may keep state (the result event, the last message).
 */
export interface OutputMapper {
  /** One stdout line that is a JSON object. Without this method, JSON lines are treated as text. */
  json?(value: JsonObject): LaunchEventInput[] | undefined;
  /** One stdout line that is not a JSON object. Default: an `output` event with the line. */
  text?(line: string): LaunchEventInput[] | undefined;
  /** Decides completed or failed once the process has exited and its output is read. */
  finish(context: FinishContext): OutcomeDecision;
}

export interface LauncherRunOptions {
  /** Recorded in the `start` event. */
  launcherId: string;
  /** The resolved argv: `[absolute executable path, ...arguments]`. */
  command: readonly string[];
  /** Written to stdin, which is then closed (the prompt, for CLIs that read it there). */
  input?: string;
  /** The adapter's environment (settings): over process.env, under the SASE_* variables and request.env. */
  env?: Record<string, string>;
  /** Maps output to events and the exit to an outcome. Default: plain text, completed iff exit code 0. */
  mapper?: OutputMapper;
  /** Milliseconds between SIGTERM and SIGKILL. Default 5000. */
  killGraceMs?: number;
  /**
   * Milliseconds to keep reading stdout and stderr after the process exited, for output still in the pipes or
   * held open by a leftover grandchild. Default 2000.
   */
  drainMs?: number;
}

/** Builds a one-line reason such as `exited with code 2: <last stderr line>` (ANSI escapes removed). */
export function describeExit(context: FinishContext): string {
  const how =
    context.signal !== null
      ? `was terminated by signal ${context.signal}`
      : `exited with code ${context.exitCode ?? 'unknown'}`;
  const detail = lastLines(context.stderrTail, 3);
  return detail === '' ? how : `${how}: ${detail}`;
}

/** The outcome of a plain process: completed iff it exited with code 0. */
export function exitCodeOutcome(context: FinishContext): OutcomeDecision {
  if (context.exitCode === 0) return { outcome: 'completed' };
  return { outcome: 'failed', error: `the agent ${describeExit(context)}` };
}

function lastLines(text: string, count: number): string {
  return stripAnsi(text)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-count)
    .join(' | ');
}

/** The default mapper: every stdout line is an `output` event; completed iff exit code 0. */
export function createTextMapper(): OutputMapper {
  return { finish: exitCodeOutcome };
}

/**
 * The environment of an agent process: process.env, then the adapter's settings, then SASE_AGENT_NAME,
 * SASE_ARTIFACTS_DIR, SASE_BEAD_ID and SASE_MODEL (an inherited SASE_BEAD_ID or SASE_MODEL is removed when the
 * request has none, and an inherited SASE_PROMPT_CONTEXT always, so a nested agent never sees its parent's), then
 * request.env, which wins (a launcher that hands the context over as a file sets SASE_PROMPT_CONTEXT there).
 */
export function createAgentEnvironment(
  request: LaunchRequest,
  adapterEnvironment: Record<string, string> = {},
): Record<string, string | undefined> {
  return {
    ...process.env,
    ...adapterEnvironment,
    SASE_AGENT_NAME: request.agentName,
    SASE_ARTIFACTS_DIR: resolve(request.artifactsDir),
    SASE_BEAD_ID: request.beadId,
    SASE_MODEL: request.model,
    [PROMPT_CONTEXT_VARIABLE]: undefined,
    ...request.env,
  };
}

/**
 * What a `LaunchRequest.model` must look like: one argv word that cannot be read as a flag — non-empty, without
 * whitespace or control characters, not starting with `-` (`opus`, `gpt-6.2-sol`, `claude-sonnet-4-5[1m]`,
 * `models/gemini-2.5-pro`). An adapter may then pass it as `--model=<value>` or `--model <value>` alike.
 */
export const MODEL_NAME_PATTERN: RegExp = /^(?!-)[^\s\p{Cc}]+$/u;

/**
 * What a session id given to `resume()` must look like: the same rule as a model name (one argv word that cannot
 * be read as a flag). The CLIs' own ids (UUIDs) match it.
 */
export const SESSION_ID_PATTERN: RegExp = MODEL_NAME_PATTERN;

function invalidRequest(launcherId: string | undefined, message: string): never {
  throw new LauncherError('INVALID_REQUEST', `${launcherId ?? 'launcher'}: ${message}`, {
    ...(launcherId === undefined ? {} : { launcherId }),
  });
}

/**
 * Checks a session id for `resume()` (it goes into the CLI's argv): a non-empty string without whitespace or
 * control characters that does not start with `-` (SESSION_ID_PATTERN); throws a LauncherError `INVALID_REQUEST`.
 */
export function assertSessionId(sessionId: string, launcherId?: string): void {
  if (typeof sessionId !== 'string' || !SESSION_ID_PATTERN.test(sessionId)) {
    invalidRequest(
      launcherId,
      `the session id to resume must be one word that cannot be read as a flag (non-empty, without whitespace ` +
        `or control characters, not starting with "-"), such as a previous run's outcome.sessionId ` +
        `"8463b8d8-e245-4979-a6d9-8c29a62e09ff"; not ${describeValue(sessionId)}`,
    );
  }
}

function describeValue(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** Checks the fields every launcher relies on; throws a LauncherError `INVALID_REQUEST`. */
export function assertLaunchRequest(request: LaunchRequest, launcherId?: string): void {
  const fail = (message: string): never => invalidRequest(launcherId, message);
  if (request === null || typeof request !== 'object') fail('the launch request must be an object');
  if (typeof request.agentName !== 'string' || request.agentName.trim() === '') {
    fail('agentName must be a non-empty string such as "myapp-7.1"');
  }
  if (typeof request.prompt !== 'string') fail('prompt must be a string (the expanded prompt text)');
  if (typeof request.cwd !== 'string' || request.cwd === '') fail('cwd must be the path of a directory');
  let isDirectory = false;
  try {
    isDirectory = statSync(request.cwd).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) fail(`the working directory "${request.cwd}" does not exist or is not a directory`);
  if (typeof request.artifactsDir !== 'string' || request.artifactsDir === '') {
    fail('artifactsDir must be a path such as ".sase/agents/<name>"');
  }
  if (
    request.model !== undefined &&
    (typeof request.model !== 'string' || !MODEL_NAME_PATTERN.test(request.model))
  ) {
    fail(
      `model must be one word that cannot be read as a flag (non-empty, without whitespace or control ` +
        `characters, not starting with "-"), such as "opus" or "gpt-6.2-sol"; not ${describeValue(request.model)} ` +
        `(leave it out for the CLI's default model)`,
    );
  }
  if (request.timeoutMs !== undefined && !(Number.isFinite(request.timeoutMs) && request.timeoutMs > 0)) {
    fail(`timeoutMs must be a positive number of milliseconds, not ${String(request.timeoutMs)}`);
  }
  if (request.context !== undefined) {
    const example = '[{ title: "Failing check", text: "<log tail>" }]';
    if (!Array.isArray(request.context)) fail(`context must be a list of sections such as ${example}`);
    request.context.forEach((section: unknown, index) => {
      const where = `context[${index}]`;
      if (section === null || typeof section !== 'object' || Array.isArray(section)) {
        fail(`${where} must be a section { title, text } such as ${example.slice(1, -1)}`);
      }
      const { title, text } = section as { title?: unknown; text?: unknown };
      if (typeof title !== 'string' || title.trim() === '' || /[\r\n]/.test(title)) {
        fail(
          `${where}.title must be a non-empty single-line string such as "Failing check", not ${JSON.stringify(title)}`,
        );
      }
      if (typeof text !== 'string')
        fail(`${where}.text must be a string (the note for the agent), not ${typeof text}`);
    });
  }
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string' && reason !== '') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError' && reason.message !== '') return reason.message;
  return 'aborted';
}

function whenClosed(stream: Readable): Promise<void> {
  return new Promise((resolveClosed) => {
    if (stream.destroyed || stream.readableEnded) resolveClosed();
    else {
      stream.once('close', () => resolveClosed());
      stream.once('end', () => resolveClosed());
    }
  });
}

const STDERR_TAIL_CHARACTERS = 4096;

/**
 * The plumbing every process-based launcher shares: validates the request, opens the transcript, spawns the
 * process (no shell, own process group), feeds stdout lines through the mapper and stderr lines to `output`
 * events, honours the abort signal and `timeoutMs`, and settles exactly one outcome:
 *
 * - `killed` when kill() was called or the signal aborted before the process exited (after the whole process
 *   group is gone);
 * - `failed` when the process could not be started, or when the mapper says so;
 * - otherwise what the mapper's finish() decides.
 *
 * Every event is written to `<artifactsDir>/transcript.jsonl` as it happens.
 */
export function createLauncherRun(request: LaunchRequest, options: LauncherRunOptions): LaunchRun {
  assertLaunchRequest(request, options.launcherId);
  const mapper = options.mapper ?? createTextMapper();
  let transcript: TranscriptWriter;
  try {
    transcript = createTranscriptWriter(request.artifactsDir);
  } catch (cause) {
    throw new LauncherError(
      'INVALID_REQUEST',
      `${options.launcherId}: cannot write the transcript in "${request.artifactsDir}": ${(cause as Error).message}`,
      { launcherId: options.launcherId, file: request.artifactsDir, cause },
    );
  }
  const channel = new EventChannel<LaunchEvent>();
  const now = (): string => new Date().toISOString();
  const emit = (event: LaunchEvent): void => {
    transcript.write(event);
    channel.push(event);
  };
  const emitInputs = (inputs: LaunchEventInput[] | undefined): void => {
    if (inputs === undefined) return;
    for (const input of inputs) emit({ ...input, time: now() } as LaunchEvent);
  };

  let isSettled = false;
  let resolveOutcome!: (outcome: LaunchOutcome) => void;
  const outcome = new Promise<LaunchOutcome>((resolvePromise) => {
    resolveOutcome = resolvePromise;
  });
  const cleanups: (() => void)[] = [];
  const settle = (result: LaunchOutcome): void => {
    if (isSettled) return;
    isSettled = true;
    // Every error text, whoever wrote it (a mapper quoting the CLI, a stderr tail), without colour codes.
    if (result.error !== undefined) result.error = stripAnsi(result.error);
    for (const cleanup of cleanups) cleanup();
    emit({ type: 'outcome', time: now(), outcome: result });
    transcript.close();
    channel.close();
    resolveOutcome(result);
  };

  if (request.signal?.aborted) {
    settle({
      outcome: 'killed',
      exitCode: null,
      error: `${abortReason(request.signal)} before the agent started`,
    });
    return { pid: undefined, events: channel, outcome, kill: () => {} };
  }

  const agent: AgentProcess = spawnAgentProcess({
    command: options.command,
    cwd: request.cwd,
    env: createAgentEnvironment(request, options.env),
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
  });
  if (agent.pid !== undefined) {
    emit({
      type: 'start',
      time: now(),
      pid: agent.pid,
      command: [...options.command],
      launcherId: options.launcherId,
    });
  }

  let killReason: string | undefined;
  let hasExited = false;
  const kill = (reason?: string): void => {
    if (isSettled) return;
    if (!hasExited && killReason === undefined) killReason = reason ?? 'killed';
    agent.kill();
  };

  if (request.signal !== undefined) {
    const signal = request.signal;
    const onAbort = (): void => kill(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => signal.removeEventListener('abort', onAbort));
  }
  if (request.timeoutMs !== undefined) {
    const timeoutMs = request.timeoutMs;
    const timer = setTimeout(() => kill(`timed out after ${timeoutMs} ms`), timeoutMs);
    cleanups.push(() => clearTimeout(timer));
  }

  // stdout: line by line through the mapper.
  let textLineCount = 0;
  let lastTextLine: string | undefined;
  const handleStdout = (lines: JsonLine[]): void => {
    for (const line of lines) {
      try {
        if (line.kind === 'json' && mapper.json !== undefined) {
          emitInputs(mapper.json(line.value));
          continue;
        }
        textLineCount += 1;
        lastTextLine = line.line;
        emitInputs(
          mapper.text === undefined
            ? [{ type: 'output', stream: 'stdout', text: line.line }]
            : mapper.text(line.line),
        );
      } catch (cause) {
        emit({
          type: 'output',
          time: now(),
          stream: 'stderr',
          text: `sase: ${options.launcherId} adapter could not map a line (${(cause as Error).message}): ${line.line}`,
        });
      }
    }
  };
  const stdoutParser = createJsonLineParser();
  agent.stdout.on('data', (chunk: Buffer) => handleStdout(stdoutParser.push(chunk)));
  agent.stdout.once('end', () => handleStdout(stdoutParser.end()));

  // stderr: every line is an output event; the tail is kept for error messages.
  let stderrTail = '';
  const handleStderr = (lines: JsonLine[]): void => {
    for (const line of lines) {
      stderrTail = `${stderrTail}${line.line}\n`.slice(-STDERR_TAIL_CHARACTERS);
      emit({ type: 'output', time: now(), stream: 'stderr', text: line.line });
    }
  };
  const stderrParser = createJsonLineParser();
  agent.stderr.on('data', (chunk: Buffer) => handleStderr(stderrParser.push(chunk)));
  agent.stderr.once('end', () => handleStderr(stderrParser.end()));

  const finish = async (): Promise<void> => {
    const exit: ProcessExit = await agent.exited;
    hasExited = true;
    const drainMs = options.drainMs ?? 2000;
    let drainTimer: NodeJS.Timeout | undefined;
    const isDrained = await Promise.race([
      Promise.all([whenClosed(agent.stdout), whenClosed(agent.stderr)]).then(() => true),
      new Promise<false>((resolveDrain) => {
        drainTimer = setTimeout(() => resolveDrain(false), drainMs);
      }),
    ]);
    if (drainTimer !== undefined) clearTimeout(drainTimer);
    if (!isDrained) {
      handleStdout(stdoutParser.end());
      handleStderr(stderrParser.end());
      agent.stdout.destroy();
      agent.stderr.destroy();
    }
    if (agent.isKilled) await agent.waitForGroupExit();

    if (exit.spawnError !== undefined) {
      settle({
        outcome: 'failed',
        exitCode: null,
        error: `could not start ${options.command[0]}: ${exit.spawnError.message}`,
      });
      return;
    }
    if (killReason !== undefined) {
      settle({ outcome: 'killed', exitCode: exit.exitCode, error: killReason });
      return;
    }
    const context: FinishContext = {
      exitCode: exit.exitCode,
      signal: exit.signal,
      stderrTail,
      textLineCount,
      ...(lastTextLine === undefined ? {} : { lastTextLine }),
    };
    let decision: OutcomeDecision;
    try {
      decision = mapper.finish(context);
    } catch (cause) {
      decision = {
        outcome: 'failed',
        error: `the ${options.launcherId} adapter could not decide the outcome: ${(cause as Error).message}`,
      };
    }
    emitInputs(decision.events);
    const result: LaunchOutcome = {
      outcome: decision.outcome,
      exitCode: decision.exitCode === undefined ? exit.exitCode : decision.exitCode,
    };
    if (decision.finalText !== undefined) result.finalText = decision.finalText;
    if (decision.outcome === 'failed') result.error = decision.error ?? `the agent ${describeExit(context)}`;
    if (decision.sessionId !== undefined) result.sessionId = decision.sessionId;
    settle(result);
  };
  finish().catch((cause: unknown) => {
    settle({
      outcome: 'failed',
      exitCode: null,
      error: `internal launcher error: ${(cause as Error).message}`,
    });
  });

  return {
    pid: agent.pid,
    events: channel,
    outcome,
    kill,
  };
}
