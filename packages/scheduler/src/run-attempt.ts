import { setMaxListeners } from 'node:events';
import { existsSync, type FSWatcher, watch } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createTranscriptWriter,
  type LauncherV1,
  type LaunchOutcome,
  type LaunchRequest,
  type LaunchRun,
  type PromptSection,
  prepareAgentProcesses,
  type TranscriptWriter,
} from '@sase/launcher-core';
import { isErrorCode, isoNow, readJsonIfExists } from './internal/files.js';
import { processIdentity } from './internal/processes.js';
import type { AgentOutcome } from './outcomes.js';
import { type AgentRequest, type DoneRecord, parseKillRequest } from './records.js';
import { AGENT_FILES, type AgentRegistry, createRegistry } from './registry.js';

/**
 * Returns the launcher for a launcher id (`shell`, `claude`, ...), synchronously or as a promise; injected by
 * the caller (the CLI composes it from sase.yml). Throwing records the attempt as `failed`.
 */
export type ResolveLauncher = (launcherId: string) => LauncherV1 | Promise<LauncherV1>;

/** The outcome of an attempt before it is recorded: what an attempt lifecycle's `finish` sees and returns. */
export interface AttemptOutcome {
  outcome: AgentOutcome;
  exitCode: number | null;
  /** Why it failed or was killed (null for `completed` and `noop`). */
  error: string | null;
  finalText?: string;
  sessionId?: string;
}

/** What an attempt lifecycle is told about the attempt it wraps. */
export interface AttemptContext {
  registry: AgentRegistry;
  /** The request of this attempt (`request.attempt` is its number). */
  request: AgentRequest;
  /** The agent's artifact directory. */
  agentDir: string;
  /** Aborted when the attempt is killed (`sase agent kill`, the supervisor stopping). */
  signal: AbortSignal;
  log: (line: string) => void;
}

/** What `prepare` may change about the launch. */
export interface PreparedAttempt {
  /** The agent's working directory (absolute), instead of the request's `cwd`. */
  cwd?: string;
  /** More environment for the agent process. */
  env?: Record<string, string>;
  /** Notes for the agent beside its prompt (launcher-v1 `context`: a failing check's log, ...). */
  context?: PromptSection[];
  /**
   * Continue the CLI session of an earlier attempt instead of starting afresh, where the launcher can
   * (`launcher.resume`): `prompt` is the next user message (what went wrong), and `context` is not sent. A
   * launcher without `resume` starts a fresh run with the request's prompt and `context`.
   */
  resume?: { sessionId: string; prompt: string };
}

/**
 * The workflow around each attempt, injected by the caller (the scheduler knows nothing of git): the CLI's
 * (@sase/workspace) gives each agent with a `worktree` request its own git worktree in `prepare`, and in
 * `finish` commits what the agent left, runs the checks and records the change.
 */
export interface AttemptLifecycle {
  /**
   * Runs after the attempt is claimed, before the launcher starts. Throwing records the attempt `failed`
   * with the error's message, and nothing is launched.
   */
  prepare?(attempt: AttemptContext): PreparedAttempt | undefined | Promise<PreparedAttempt | undefined>;
  /**
   * Runs after the launcher's outcome, before `done.json` is written, so that agents waiting on this one
   * see the final result only: it may turn `completed` into `noop` or `failed`. Not called when the attempt
   * never started. Throwing records `failed` with the error's message.
   */
  finish?(
    attempt: AttemptContext & { prepared: PreparedAttempt | undefined },
    outcome: AttemptOutcome,
  ): AttemptOutcome | Promise<AttemptOutcome>;
}

export interface RunAttemptOptions {
  registry: AgentRegistry;
  name: string;
  attempt: number;
  resolveLauncher: ResolveLauncher;
  /** Aborting kills the agent; the outcome is recorded as `killed` with the abort reason. */
  signal?: AbortSignal;
  /** The supervisor this attempt runs for (recorded in the claim and running.json). */
  supervisorPid?: number | null;
  /** How often to look for a kill request besides watching the directory. Default 1000 ms. */
  pollMs?: number;
  log?: (line: string) => void;
  /** The workflow around the attempt (worktrees, commits, checks). */
  lifecycle?: AttemptLifecycle;
}

export type RunAttemptResult =
  /** Someone else holds the claim, or the attempt is no longer current: nothing was started. */
  | { status: 'not-claimed' }
  /** The attempt ran (or could not start) and its outcome is on disk (unless another process recorded one first). */
  | { status: 'finished'; done: DoneRecord; isRecorded: boolean };

function reasonOf(signal: AbortSignal | undefined, fallback: string): string {
  const reason = signal?.reason;
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return fallback;
}

/**
 * Runs one attempt of one agent to its outcome: takes the exclusive claim `launch.<attempt>.claim` before
 * anything starts (so no attempt ever starts twice, whichever process tries), runs the lifecycle's
 * `prepare`, launches it through its launcher, keeps `running.json` and the transcript, honours kill
 * requests (`kill.json`), runs the lifecycle's `finish`, and publishes `done.json`. The claim is taken
 * synchronously, before the returned promise's first await.
 */
export async function runAttempt(options: RunAttemptOptions): Promise<RunAttemptResult> {
  const { registry, name, attempt } = options;
  const log = options.log ?? (() => {});
  let isClaimed: boolean;
  try {
    isClaimed = registry.claim(name, {
      attempt,
      purpose: 'launch',
      hostPid: process.pid,
      hostIdentity: processIdentity(process.pid) ?? null,
      supervisorPid: options.supervisorPid ?? null,
      claimedAt: isoNow(),
    });
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return { status: 'not-claimed' }; // no such agent (any more)
    throw error;
  }
  if (!isClaimed) return { status: 'not-claimed' };
  const snapshot = registry.read(name);
  const request = snapshot?.request;
  if (snapshot === undefined || request === undefined || request.attempt !== attempt || snapshot.done) {
    registry.releaseClaim(name, attempt);
    return { status: 'not-claimed' };
  }
  registry.writeWaiting(name, undefined);

  const base = {
    name,
    attempt,
    launcher: request.launcher,
    model: request.model,
  };
  const record = (done: Omit<DoneRecord, keyof typeof base | 'finishedAt'>): RunAttemptResult => {
    const full: DoneRecord = { ...base, ...done, finishedAt: isoNow() };
    const isRecorded = registry.recordOutcome(full);
    log(
      `${name} (attempt ${attempt}) ${full.outcome}` +
        (full.exitCode !== null ? ` (exit ${full.exitCode})` : '') +
        (full.error ? `: ${full.error}` : ''),
    );
    return { status: 'finished', done: full, isRecorded };
  };

  if (snapshot.killRequest !== undefined || options.signal?.aborted) {
    const reason = snapshot.killRequest?.reason ?? reasonOf(options.signal, 'stopped before it started');
    return record({
      outcome: 'killed',
      exitCode: null,
      startedAt: null,
      error: `killed before it started: ${reason}`,
    });
  }

  // Kill requests, from here to the outcome: an abort of our signal, or kill.json appearing in the agent's
  // directory. They abort `killed`, which stops the lifecycle's work and the agent's process group.
  const agentDir = registry.agentDir(name);
  const killed = new AbortController();
  let run: LaunchRun | undefined;
  let killReason: string | undefined;
  const kill = (reason: string) => {
    if (killReason !== undefined) return;
    killReason = reason;
    killed.abort(reason);
    run?.kill(reason);
  };
  const killPath = join(agentDir, AGENT_FILES.kill);
  const checkKillRequest = () => {
    try {
      // kill.json alone (not the whole snapshot): this runs on every event in the agent's directory.
      const value = readJsonIfExists(killPath);
      if (value === undefined) return;
      const request = parseKillRequest(value, killPath);
      if (request.attempt === attempt) kill(request.reason);
    } catch {
      // A half-written or unreadable kill request is checked again on the next event or poll.
    }
  };
  const onAbort = () => kill(reasonOf(options.signal, 'the supervisor stopped'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(agentDir, (_event, file) => {
      if (file === null || file === AGENT_FILES.kill) checkKillRequest();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  const poll = setInterval(checkKillRequest, options.pollMs ?? 1000);
  checkKillRequest();
  try {
    return await launchAndFinish();
  } finally {
    clearInterval(poll);
    watcher?.close();
    options.signal?.removeEventListener('abort', onAbort);
  }

  async function launchAndFinish(): Promise<RunAttemptResult> {
    const context: AttemptContext = {
      registry,
      request: request as AgentRequest,
      agentDir,
      signal: killed.signal,
      log,
    };
    const killedBeforeStart = (reason: string) =>
      record({
        outcome: 'killed',
        exitCode: null,
        startedAt: null,
        error: `killed before it started: ${reason}`,
      });
    let prepared: PreparedAttempt | undefined;
    try {
      prepared = (await options.lifecycle?.prepare?.(context)) ?? undefined;
    } catch (error) {
      if (killReason !== undefined) return killedBeforeStart(killReason);
      return record({ outcome: 'failed', exitCode: null, startedAt: null, error: (error as Error).message });
    }
    if (killReason !== undefined) return killedBeforeStart(killReason);

    let launcher: LauncherV1;
    try {
      launcher = await options.resolveLauncher((request as AgentRequest).launcher);
    } catch (error) {
      return record({
        outcome: 'failed',
        exitCode: null,
        startedAt: null,
        error: `launcher "${base.launcher}" could not be used: ${(error as Error).message}`,
      });
    }

    const startedAt = isoNow();
    const current = request as AgentRequest;
    const isResumed = prepared?.resume !== undefined && typeof launcher.resume === 'function';
    const launchRequest: LaunchRequest = {
      agentName: name,
      prompt: isResumed ? prepared!.resume!.prompt : current.prompt,
      ...(current.model === null ? {} : { model: current.model }),
      cwd: prepared?.cwd ?? resolve(registry.workspaceRoot, current.cwd),
      artifactsDir: agentDir,
      env: {
        ...current.env,
        ...prepared?.env,
        SASE_WORKSPACE: registry.workspaceRoot,
        SASE_AGENT_ATTEMPT: String(attempt),
      },
      approve: current.approve,
      ...(current.beadId === null ? {} : { beadId: current.beadId }),
      ...(isResumed || prepared?.context === undefined || prepared.context.length === 0
        ? {}
        : { context: prepared.context }),
    };
    try {
      run = isResumed
        ? launcher.resume!(launchRequest, prepared!.resume!.sessionId)
        : launcher.launch(launchRequest);
    } catch (error) {
      return record({
        outcome: 'failed',
        exitCode: null,
        startedAt,
        error: `could not start: ${(error as Error).message}`,
      });
    }
    if (isResumed) log(`${name} (attempt ${attempt}) resumes session ${prepared!.resume!.sessionId}`);
    const started = run;
    registry.writeRunning(name, {
      attempt,
      pid: started.pid ?? null,
      pidIdentity: started.pid === undefined ? null : (processIdentity(started.pid) ?? null),
      hostPid: process.pid,
      supervisorPid: options.supervisorPid ?? null,
      startedAt,
      launcher: current.launcher,
      model: current.model,
    });
    log(`${name} (attempt ${attempt}) started with ${current.launcher}, pid ${started.pid ?? 'unknown'}`);
    if (killReason !== undefined) started.kill(killReason);

    // Launchers built on launcher-core write transcript.jsonl themselves (the file exists once launch()
    // returned); for any other launcher, the events are written here with launcher-core's writer. The agent's
    // directory is not created again when it is gone (the workspace was removed: whatever is at its path now
    // is not this registry's).
    let transcript: TranscriptWriter | undefined;
    if (!existsSync(join(agentDir, AGENT_FILES.transcript))) {
      try {
        transcript = createTranscriptWriter(agentDir, AGENT_FILES.transcript, { canCreateDirectory: false });
      } catch (error) {
        log(`${name}: cannot write the transcript: ${(error as Error).message}`);
      }
    }
    const drained = (async () => {
      try {
        for await (const event of started.events) transcript?.write(event);
      } catch (error) {
        log(`${name}: reading the launcher's events failed: ${(error as Error).message}`);
      }
    })();

    let outcome: LaunchOutcome;
    try {
      outcome = await started.outcome;
    } catch (error) {
      outcome = {
        outcome: 'failed',
        exitCode: null,
        error: `the launcher failed: ${(error as Error).message}`,
      };
    }
    await Promise.race([drained, new Promise((done) => setTimeout(done, 2000).unref())]);
    transcript?.close();

    let result: AttemptOutcome = {
      outcome: outcome.outcome,
      exitCode: outcome.exitCode,
      error: outcome.error ?? null,
    };
    if (killReason !== undefined && outcome.outcome !== 'completed') {
      result = { ...result, outcome: 'killed', error: killReason };
    } else if (outcome.outcome === 'failed' && outcome.error === undefined) {
      result.error = outcome.exitCode === null ? 'failed' : `exit code ${outcome.exitCode}`;
    }
    if (outcome.finalText !== undefined) result.finalText = outcome.finalText;
    if (outcome.sessionId !== undefined) result.sessionId = outcome.sessionId;
    if (options.lifecycle?.finish !== undefined) {
      try {
        result = await options.lifecycle.finish({ ...context, prepared }, result);
      } catch (error) {
        result = { ...result, outcome: 'failed', error: (error as Error).message };
      }
      if (killReason !== undefined && result.outcome !== 'killed' && result.outcome !== 'failed') {
        result = { ...result, outcome: 'killed', error: killReason };
      }
    }
    const { outcome: kind, exitCode, error, ...rest } = result;
    return record({ outcome: kind, exitCode, startedAt, error, ...rest });
  }
}

export interface RunAgentHostOptions {
  workspaceRoot: string;
  /**
   * The agent and attempt to run. Without them the host is a warm host: it reads its assignments from stdin,
   * one JSON line `{"name": "...", "attempt": N}` each, runs each one as soon as it arrives (several at once,
   * each agent in its own process group, each attempt claimed on disk exactly once as always), and exits
   * when its input has ended and its attempts have their outcomes (at once, if none came). A line
   * `{"standby": N}` asks it to keep N standby shells for the assignments to come (prepareAgentProcesses of
   * @sase/launcher-core); the supervisor sends it when agents wait on a running blocker.
   */
  name?: string;
  attempt?: number;
  resolveLauncher: ResolveLauncher;
  registry?: AgentRegistry;
  supervisorPid?: number | null;
  pollMs?: number;
  /** Where a warm host reads its assignments. Default process.stdin. */
  input?: NodeJS.ReadableStream;
  /** Default: timestamped lines on stderr (which the supervisor points at its log). */
  log?: (line: string) => void;
  /** The workflow around the attempt (see AttemptLifecycle). */
  lifecycle?: AttemptLifecycle;
}

interface Assignment {
  name: string;
  attempt: number;
}

/**
 * Calls `onAssignment` for each line of `input` that is a `{name, attempt}` assignment and `onStandby` for each
 * `{standby}` line (other lines are logged and skipped), and resolves when the input ends, fails, or `signal`
 * aborts.
 */
async function readAssignments(
  input: NodeJS.ReadableStream,
  signal: AbortSignal,
  onAssignment: (assignment: Assignment) => void,
  onStandby: (count: number) => void,
  log: (line: string) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    const finish = () => {
      input.off('data', onData);
      input.off('end', finish);
      input.off('error', finish);
      signal.removeEventListener('abort', finish);
      (input as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      resolve();
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n')) {
        const line = text.slice(0, newline).trim();
        text = text.slice(newline + 1);
        if (line === '') continue;
        try {
          const parsed = JSON.parse(line) as { name?: unknown; attempt?: unknown; standby?: unknown };
          if (typeof parsed.name === 'string' && Number.isInteger(parsed.attempt)) {
            onAssignment({ name: parsed.name, attempt: parsed.attempt as number });
            continue;
          }
          if (Number.isInteger(parsed.standby) && (parsed.standby as number) >= 0) {
            onStandby(parsed.standby as number);
            continue;
          }
        } catch {
          // reported below
        }
        log(
          `agent host ${process.pid}: ignoring a line that is neither {"name", "attempt"} nor {"standby"}: ${line.slice(0, 200)}`,
        );
      }
    };
    input.on('data', onData);
    input.on('end', finish);
    input.on('error', finish);
    signal.addEventListener('abort', finish, { once: true });
    if (signal.aborted) finish();
  });
}

/**
 * When runAttempt throws in a host that runs several attempts, the claim it took would never get an outcome
 * while the host lives (a host of one attempt exits, and the supervisor recovers the claim): record `failed`.
 */
function recordHostFailure(
  registry: AgentRegistry,
  assignment: Assignment,
  error: unknown,
  log: (line: string) => void,
) {
  const message = `the agent host failed: ${(error as Error).message ?? String(error)}`;
  log(`${assignment.name} (attempt ${assignment.attempt}): ${(error as Error).stack ?? message}`);
  try {
    const snapshot = registry.read(assignment.name);
    const request = snapshot?.request;
    if (
      request === undefined ||
      request.attempt !== assignment.attempt ||
      snapshot?.done !== undefined ||
      snapshot?.claim?.hostPid !== process.pid
    )
      return;
    registry.recordOutcome({
      name: assignment.name,
      outcome: 'failed',
      exitCode: null,
      startedAt: snapshot.running?.startedAt ?? null,
      finishedAt: isoNow(),
      launcher: request.launcher,
      model: request.model,
      error: message,
      attempt: assignment.attempt,
    });
  } catch (cause) {
    log(
      `${assignment.name} (attempt ${assignment.attempt}): cannot record the failure: ${(cause as Error).message}`,
    );
  }
}

/**
 * Resolves, ahead of any assignment, the launchers that the registry's unfinished agents name, so that a
 * warm host's first attempt does not wait for the launcher's module to load. Failures are left for the
 * attempt itself to report.
 */
function warmLaunchers(registry: AgentRegistry, resolveLauncher: ResolveLauncher): void {
  const ids = new Set<string>();
  try {
    for (const name of registry.names()) {
      try {
        const snapshot = registry.read(name);
        if (snapshot?.request !== undefined && snapshot.done === undefined)
          ids.add(snapshot.request.launcher);
      } catch {
        // an unreadable agent is the supervisor's to report
      }
    }
  } catch {
    return;
  }
  for (const id of ids) {
    try {
      void Promise.resolve(resolveLauncher(id)).catch(() => {});
    } catch {
      // reported by the attempt
    }
  }
}

/**
 * The body of an agent host process (`sase axe host`), with SIGTERM, SIGINT and SIGHUP killing its agents
 * (outcome `killed`). Agent hosts are what let agents outlive a supervisor that is killed: the host, not the
 * supervisor, waits for the agent and records its outcome. Given a name and attempt it runs that one attempt;
 * without them it is a warm host (see `name`), which the supervisor starts ahead so that waiting agents start
 * without paying for a process start-up, and hands several attempts at once when many are released together.
 * Resolves to the result of its (first) attempt, `{status: 'not-claimed'}` when it was given none.
 */
export async function runAgentHost(options: RunAgentHostOptions): Promise<RunAttemptResult> {
  const registry = options.registry ?? createRegistry(options.workspaceRoot);
  const controller = new AbortController();
  // A warm host runs many attempts at once, each listening on the one signal: no leak warning for that.
  setMaxListeners(0, controller.signal);
  const log = options.log ?? ((line: string) => void process.stderr.write(`${isoNow()} ${line}\n`));
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  const handlers = signals.map((signal) => {
    const handler = () => controller.abort(`the agent host received ${signal} (the supervisor was stopped)`);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const run = ({ name, attempt }: Assignment) =>
    runAttempt({
      registry,
      name,
      attempt,
      resolveLauncher: options.resolveLauncher,
      signal: controller.signal,
      supervisorPid: options.supervisorPid ?? null,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      ...(options.lifecycle === undefined ? {} : { lifecycle: options.lifecycle }),
      log,
    });
  try {
    if (options.name !== undefined && options.attempt !== undefined) {
      return await run({ name: options.name, attempt: options.attempt });
    }
    const runs: Promise<RunAttemptResult>[] = [];
    setImmediate(() => warmLaunchers(registry, options.resolveLauncher));
    const standby = prepareAgentProcesses(0);
    try {
      await readAssignments(
        options.input ?? process.stdin,
        controller.signal,
        (assignment) => {
          runs.push(
            run(assignment).catch((error: unknown): RunAttemptResult => {
              recordHostFailure(registry, assignment, error, log);
              return { status: 'not-claimed' };
            }),
          );
        },
        (count) => standby.update(count),
        log,
      );
    } finally {
      // No more assignments come: the shells kept for them end now.
      standby.release();
    }
    const results = await Promise.all(runs);
    return results[0] ?? { status: 'not-claimed' };
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
