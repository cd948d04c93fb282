import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentState, deriveAgentStates } from './agent-state.js';
import { isoNow } from './internal/files.js';
import { isProcessAlive, processIdentity, sleep, terminateProcessGroup } from './internal/processes.js';
import { createRegistryWatcher, type RegistryWatcher } from './internal/registry-watcher.js';
import type { AgentRequest, ClaimRecord, DoneRecord } from './records.js';
import { type AgentRegistry, type AgentSnapshot, createRegistry } from './registry.js';
import { type AttemptLifecycle, type ResolveLauncher, runAttempt } from './run-attempt.js';
import { SchedulerError } from './scheduler-error.js';
import { acquireSupervisorLock, type SupervisorLock } from './supervisor-lock.js';
import { waitForAgents } from './wait-for-agents.js';

export interface AgentHostOptions {
  /**
   * The command of an agent host process; the supervisor appends `<workspaceRoot> <agent name> <attempt>`
   * (or only `<workspaceRoot>` for a warm spare, which reads `{"name","attempt"}` from stdin). The CLI uses
   * `node <sase> axe host`; a host calls `runAgentHost`.
   */
  command: string[];
  env?: Record<string, string>;
  /** Where the hosts' stdout and stderr go. Default `inherit` (the supervisor's log). */
  stdio?: 'inherit' | 'ignore';
  /**
   * Keep one warm host started ahead (it waits for its assignment on stdin), so that a waiting agent starts
   * within milliseconds of its last blocker's outcome instead of after a process start-up. Default true.
   */
  isSpareKept?: boolean;
}

export interface SupervisorOptions {
  workspaceRoot: string;
  /** Returns the launcher for a launcher id. Used in-process; agent hosts resolve launchers themselves. */
  resolveLauncher: ResolveLauncher;
  /** The safety-net poll interval (`axe.poll_ms`). Default 1000 ms. File watching reacts at once. */
  pollMs?: number;
  /**
   * Run each attempt in a detached agent host process instead of in this process. Agents then survive a
   * supervisor that is killed (SIGKILL, a crash): their hosts record the outcomes, and the next supervisor
   * adopts them. Without it, agents whose supervisor died are stopped and recorded `killed`.
   */
  agentHost?: AgentHostOptions;
  /** One line per event (launches, outcomes, recoveries). */
  log?: (line: string) => void;
  /** How long stop() lets agents record their `killed` outcome before it forces them. Default 10000 ms. */
  stopGraceMs?: number;
  /** Take the one-per-workspace lock in start(). Default true. */
  isLockRequired?: boolean;
  /**
   * Called once per attempt, in this process, after the supervisor sees its `done.json` (whoever recorded
   * it: this process, an agent host, or recovery). Calls run one at a time. A marker file
   * `settled.<attempt>` in the agent's directory records that the call succeeded, so a restarted supervisor
   * does not repeat it; a call that throws is logged and tried again on a later scan. The CLI uses it to
   * keep each agent's bead in step with its outcome.
   */
  onSettled?: (agent: AgentSnapshot & { request: AgentRequest; done: DoneRecord }) => void | Promise<void>;
  /**
   * The workflow around each attempt run in this process (worktrees, commits, checks; see AttemptLifecycle).
   * Agent hosts take theirs in runAgentHost.
   */
  lifecycle?: AttemptLifecycle;
}

export interface RunUntilSettledOptions {
  /** The agents to wait for; all agents when omitted. */
  names?: readonly string[];
  signal?: AbortSignal;
  onChange?: (states: AgentState[]) => void;
}

export interface Supervisor {
  readonly registry: AgentRegistry;
  readonly isRunning: boolean;
  /** Takes the lock (SUPERVISOR_RUNNING if another supervisor holds it), recovers, and starts the loop. */
  start(): Promise<void>;
  /** Kills the agents this supervisor runs or adopted (recorded `killed`), then releases the lock. */
  stop(reason?: string): Promise<void>;
  /** Starts if needed, waits until every (or every named) agent is settled, stops if it started. */
  runUntilSettled(options?: RunUntilSettledOptions): Promise<AgentState[]>;
  /** Looks at the registry now (file watching and the poll do this on their own). */
  wake(): void;
}

type InFlight =
  | { kind: 'in-process'; attempt: number; controller: AbortController; promise: Promise<unknown> }
  | { kind: 'host'; attempt: number; child: ChildProcess };

const HOST_START_ATTEMPTS = 3;

/**
 * The AXE supervisor: launches each submitted agent when every `%wait` target has `completed` and its
 * `%time` has come, records outcomes, and wakes the agents that waited on them. It reacts to changes of
 * `.sase/agents/` at once (fs.watch on the registry and on every unfinished agent's directory) and polls
 * every `pollMs` as a safety net. Launches are claimed on disk before anything starts, so no attempt
 * ever starts twice, whatever process is killed when.
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const registry = createRegistry(options.workspaceRoot);
  const pollMs = options.pollMs ?? 1000;
  const log = options.log ?? (() => {});
  const inFlight = new Map<string, InFlight>();
  const hostFailures = new Map<string, number>();
  const recovering = new Set<string>();
  let isRunning = false;

  /** Records attempt `request.attempt` of an agent as `killed` (false if an outcome was recorded first). */
  const recordKilled = (snapshot: AgentSnapshot, request: AgentRequest, error: string): boolean =>
    registry.recordOutcome({
      name: snapshot.name,
      outcome: 'killed',
      exitCode: null,
      startedAt: snapshot.running?.startedAt ?? null,
      finishedAt: isoNow(),
      launcher: request.launcher,
      model: request.model,
      error,
      attempt: request.attempt,
    });
  let lock: SupervisorLock | undefined;
  let watcher: RegistryWatcher | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let timeTimer: NodeJS.Timeout | undefined;
  let isScanScheduled = false;

  const wake = () => {
    if (!isRunning || isScanScheduled) return;
    isScanScheduled = true;
    setImmediate(() => {
      isScanScheduled = false;
      scan();
    });
  };

  const readAll = (): AgentSnapshot[] => {
    const snapshots: AgentSnapshot[] = [];
    for (const name of registry.names()) {
      try {
        const snapshot = registry.read(name);
        if (snapshot?.request !== undefined) snapshots.push(snapshot);
      } catch (error) {
        log(`cannot read agent ${name}: ${(error as Error).message}`);
      }
    }
    return snapshots;
  };

  const isHolderAlive = (claim: ClaimRecord) =>
    claim.hostPid === process.pid || isProcessAlive(claim.hostPid, claim.hostIdentity);

  /** A claim whose holder died before recording an outcome: stop what is left and record `killed`. */
  const recover = (snapshot: AgentSnapshot, claim: ClaimRecord) => {
    if (recovering.has(snapshot.name)) return;
    recovering.add(snapshot.name);
    const request = snapshot.request as NonNullable<AgentSnapshot['request']>;
    const agentPid = snapshot.running?.pid ?? null;
    void (async () => {
      const isAgentAlive = agentPid !== null && isProcessAlive(agentPid, snapshot.running?.pidIdentity);
      if (isAgentAlive) await terminateProcessGroup(agentPid);
      const holder = claim.purpose === 'cancel' ? 'the process cancelling it' : 'the process running it';
      const error =
        `${holder} (pid ${claim.hostPid}) exited without recording an outcome (the supervisor or agent host ` +
        `was killed); ` +
        (agentPid === null
          ? 'the agent had not started'
          : isAgentAlive
            ? `its orphaned agent process ${agentPid} was stopped`
            : `its agent process ${agentPid} had already exited`);
      const isRecorded = recordKilled(snapshot, request, error);
      if (isRecorded) log(`${snapshot.name} (attempt ${request.attempt}) recorded killed: ${error}`);
    })()
      .catch((cause) => log(`recovering ${snapshot.name} failed: ${(cause as Error).message}`))
      .finally(() => {
        recovering.delete(snapshot.name);
        wake();
      });
  };

  const launchInProcess = (name: string, attempt: number) => {
    const controller = new AbortController();
    const entry: InFlight = { kind: 'in-process', attempt, controller, promise: Promise.resolve() };
    inFlight.set(name, entry);
    entry.promise = runAttempt({
      registry,
      name,
      attempt,
      resolveLauncher: options.resolveLauncher,
      signal: controller.signal,
      supervisorPid: process.pid,
      pollMs,
      log,
      ...(options.lifecycle === undefined ? {} : { lifecycle: options.lifecycle }),
    })
      .catch((error) => log(`${name} (attempt ${attempt}): ${(error as Error).stack ?? error}`))
      .finally(() => {
        if (inFlight.get(name) === entry) inFlight.delete(name);
        wake();
      });
  };

  let spare: ChildProcess | undefined;
  let spareTimer: NodeJS.Timeout | undefined;

  const spawnHost = (host: AgentHostOptions, extra: string[], isSpare: boolean): ChildProcess => {
    const [command, ...args] = host.command;
    if (command === undefined)
      throw new SchedulerError('SUPERVISOR_START_FAILED', 'agentHost.command is empty');
    const child = spawn(command, [...args, registry.workspaceRoot, ...extra], {
      cwd: registry.workspaceRoot,
      detached: true,
      stdio: [isSpare ? 'pipe' : 'ignore', host.stdio ?? 'inherit', host.stdio ?? 'inherit'],
      env: { ...process.env, ...host.env, SASE_SUPERVISOR_PID: String(process.pid) },
    });
    child.unref();
    child.stdin?.on('error', () => {});
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  };

  /** Keeps one warm agent host ready, so a launch does not wait for a process start-up. */
  const refillSpare = (delayMs: number) => {
    const host = options.agentHost;
    if (host === undefined || host.isSpareKept === false || spare || spareTimer || !isRunning) return;
    spareTimer = setTimeout(() => {
      spareTimer = undefined;
      if (!isRunning || spare) return;
      try {
        const child = spawnHost(host, [], true);
        spare = child;
        const forget = () => {
          if (spare === child) spare = undefined;
        };
        child.on('exit', forget);
        child.on('error', forget);
      } catch (error) {
        log(`cannot start a spare agent host: ${(error as Error).message}`);
      }
    }, delayMs);
    spareTimer.unref();
  };

  const launchInHost = (name: string, attempt: number, host: AgentHostOptions) => {
    let child: ChildProcess;
    const warm = spare;
    if (warm !== undefined && warm.exitCode === null && warm.signalCode === null && warm.stdin?.writable) {
      spare = undefined;
      child = warm;
      child.stdin?.end(`${JSON.stringify({ name, attempt })}\n`);
    } else {
      child = spawnHost(host, [name, String(attempt)], false);
    }
    refillSpare(0);
    const entry: InFlight = { kind: 'host', attempt, child };
    inFlight.set(name, entry);
    log(
      `${name} (attempt ${attempt}): agent host pid ${child.pid ?? 'unknown'}${child === warm ? ' (warm)' : ''}`,
    );
    let isHandled = false;
    const onEnd = (description: string) => {
      if (isHandled) return;
      isHandled = true;
      if (inFlight.get(name) === entry) inFlight.delete(name);
      const snapshot = safeRead(name);
      if (snapshot?.request?.attempt === attempt && snapshot.claim === undefined && !snapshot.done) {
        const key = `${name}#${attempt}`;
        const failures = (hostFailures.get(key) ?? 0) + 1;
        hostFailures.set(key, failures);
        log(`${name} (attempt ${attempt}): agent host ${description} before starting the agent`);
        if (failures >= HOST_START_ATTEMPTS) {
          failBeforeStart(
            snapshot,
            `the agent host ${description} ${failures} times before starting the agent; see .sase/axe/log`,
          );
        }
      }
      wake();
    };
    if (child.exitCode !== null || child.signalCode !== null) onEnd('exited');
    child.on('error', (error) => onEnd(`could not start (${error.message})`));
    child.on('exit', (code, signal) =>
      onEnd(signal ? `was killed by ${signal}` : `exited with code ${code}`),
    );
  };

  const safeRead = (name: string): AgentSnapshot | undefined => {
    try {
      return registry.read(name);
    } catch {
      return undefined;
    }
  };

  const failBeforeStart = (snapshot: AgentSnapshot, error: string) => {
    const request = snapshot.request as NonNullable<AgentSnapshot['request']>;
    const isClaimed = registry.claim(snapshot.name, {
      attempt: request.attempt,
      purpose: 'cancel',
      hostPid: process.pid,
      hostIdentity: processIdentity(process.pid) ?? null,
      supervisorPid: process.pid,
      claimedAt: isoNow(),
    });
    if (!isClaimed) return;
    registry.recordOutcome({
      name: snapshot.name,
      outcome: 'failed',
      exitCode: null,
      startedAt: null,
      finishedAt: isoNow(),
      launcher: request.launcher,
      model: request.model,
      error,
      attempt: request.attempt,
    });
    log(`${snapshot.name} (attempt ${request.attempt}) failed: ${error}`);
  };

  const settledSeen = new Set<string>();
  let settledChain: Promise<void> = Promise.resolve();
  const settle = (snapshot: AgentSnapshot) => {
    const { request, done } = snapshot;
    if (options.onSettled === undefined || request === undefined || done === undefined) return;
    const key = `${snapshot.name}@${done.attempt}`;
    if (settledSeen.has(key)) return;
    settledSeen.add(key);
    const marker = join(snapshot.dir, `settled.${done.attempt}`);
    if (existsSync(marker)) return;
    const hook = options.onSettled;
    settledChain = settledChain.then(async () => {
      try {
        await hook({ ...snapshot, request, done });
        writeFileSync(marker, `${new Date().toISOString()}\n`);
      } catch (error) {
        settledSeen.delete(key);
        log(`${snapshot.name} (attempt ${done.attempt}): onSettled failed: ${(error as Error).message}`);
      }
    });
  };

  const scan = () => {
    if (!isRunning) return;
    const now = new Date();
    const snapshots = readAll();
    const states = deriveAgentStates(snapshots, now);
    const stateOf = new Map(states.map((state) => [state.name, state]));
    const unfinished: string[] = [];
    let nextTime = Number.POSITIVE_INFINITY;
    for (const snapshot of snapshots) {
      const request = snapshot.request;
      if (request === undefined) continue;
      if (snapshot.done !== undefined) {
        settle(snapshot);
        continue;
      }
      unfinished.push(snapshot.name);
      const owned = inFlight.get(snapshot.name);
      if (owned !== undefined && owned.attempt === request.attempt) continue;
      const claim = snapshot.claim;
      if (claim !== undefined) {
        if (!isHolderAlive(claim)) recover(snapshot, claim);
        continue;
      }
      const state = stateOf.get(snapshot.name);
      if (state === undefined) continue;
      if (state.isReady) {
        try {
          if (options.agentHost) launchInHost(snapshot.name, request.attempt, options.agentHost);
          else launchInProcess(snapshot.name, request.attempt);
        } catch (error) {
          log(`${snapshot.name}: launch failed: ${(error as Error).message}`);
        }
        continue;
      }
      if (request.notBefore !== null && state.waitsOn.length === 0) {
        nextTime = Math.min(nextTime, Date.parse(request.notBefore));
      }
      const previous = snapshot.waiting;
      const reason = state.reason ?? 'waiting';
      if (
        previous === undefined ||
        previous.reason !== reason ||
        previous.isParked !== state.isParked ||
        previous.waitsOn.join(',') !== state.waitsOn.join(',')
      ) {
        try {
          registry.writeWaiting(snapshot.name, {
            attempt: request.attempt,
            waitsOn: state.waitsOn,
            reason,
            isParked: state.isParked,
            notBefore: request.notBefore,
            since: previous?.since ?? isoNow(now),
          });
          if (previous?.reason !== reason)
            log(`${snapshot.name} (attempt ${request.attempt}) waiting: ${reason}`);
        } catch (error) {
          log(`${snapshot.name}: cannot write waiting.json: ${(error as Error).message}`);
        }
      }
    }
    watcher?.sync(unfinished);
    if (timeTimer !== undefined) clearTimeout(timeTimer);
    timeTimer = undefined;
    if (Number.isFinite(nextTime)) {
      timeTimer = setTimeout(wake, Math.min(Math.max(0, nextTime - Date.now()) + 5, 3_600_000));
    }
  };

  const stop = async (reason = 'the supervisor was stopped') => {
    if (!isRunning) return;
    isRunning = false;
    if (pollTimer !== undefined) clearInterval(pollTimer);
    if (timeTimer !== undefined) clearTimeout(timeTimer);
    if (spareTimer !== undefined) clearTimeout(spareTimer);
    spareTimer = undefined;
    if (spare !== undefined) {
      spare.stdin?.end();
      spare.kill('SIGTERM');
      spare = undefined;
    }
    watcher?.close();
    watcher = undefined;
    log(`supervisor ${process.pid} stopping: ${reason}`);
    const deadline = Date.now() + (options.stopGraceMs ?? 10_000);
    const waitingFor: { name: string; attempt: number; hostPid: number }[] = [];
    for (const entry of inFlight.values()) {
      if (entry.kind === 'in-process') entry.controller.abort(reason);
      else if (entry.child.exitCode === null && entry.child.signalCode === null) entry.child.kill('SIGTERM');
    }
    // Agent hosts started by this supervisor, or orphaned by a dead one and adopted.
    for (const snapshot of readAll()) {
      const claim = snapshot.claim;
      if (snapshot.done || claim === undefined || claim.purpose !== 'launch' || claim.hostPid === process.pid)
        continue;
      const isOurs = claim.supervisorPid === process.pid;
      const isAdopted = claim.supervisorPid !== null && !isProcessAlive(claim.supervisorPid);
      if (!(isOurs || isAdopted) || !isProcessAlive(claim.hostPid, claim.hostIdentity)) continue;
      try {
        process.kill(claim.hostPid, 'SIGTERM');
      } catch {
        // exited meanwhile
      }
      waitingFor.push({ name: snapshot.name, attempt: claim.attempt, hostPid: claim.hostPid });
    }
    const promises = [...inFlight.values()].flatMap((entry) =>
      entry.kind === 'in-process' ? [entry.promise] : [],
    );
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(promises),
      new Promise((resolve) => {
        graceTimer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(graceTimer);
    for (const host of waitingFor) {
      while (Date.now() < deadline && !safeRead(host.name)?.done && isProcessAlive(host.hostPid))
        await sleep(25);
      const snapshot = safeRead(host.name);
      if (snapshot?.done || snapshot?.claim === undefined) continue;
      try {
        process.kill(host.hostPid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
      await sleep(10);
      recoverNow(snapshot, reason);
    }
    // onSettled hooks already under way finish within the grace period; one that does not has no marker
    // yet and runs again under the next supervisor.
    let hookTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      settledChain,
      new Promise((resolve) => {
        hookTimer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(hookTimer);
    lock?.release();
    lock = undefined;
    log(`supervisor ${process.pid} stopped`);
  };

  /** Used by stop(): the host did not record in time, so stop the agent and record it here. */
  const recoverNow = (snapshot: AgentSnapshot, reason: string) => {
    const request = snapshot.request as NonNullable<AgentSnapshot['request']>;
    const agentPid = snapshot.running?.pid ?? null;
    if (agentPid !== null && isProcessAlive(agentPid, snapshot.running?.pidIdentity)) {
      void terminateProcessGroup(agentPid, 1000);
    }
    recordKilled(snapshot, request, `${reason}; its agent host did not stop in time and was killed`);
  };

  const supervisor: Supervisor = {
    registry,
    get isRunning() {
      return isRunning;
    },
    async start() {
      if (isRunning) return;
      mkdirSync(registry.agentsDir, { recursive: true });
      if (options.isLockRequired !== false) {
        const result = acquireSupervisorLock(registry.workspaceRoot);
        if (!result.isAcquired) {
          throw new SchedulerError(
            'SUPERVISOR_RUNNING',
            `a supervisor (pid ${result.holder.pid}) already runs for ${registry.workspaceRoot}; stop it with ` +
              '`sase axe stop` first',
            { pid: result.holder.pid },
          );
        }
        lock = result.lock;
      }
      isRunning = true;
      log(`supervisor ${process.pid} started for ${registry.workspaceRoot} (poll ${pollMs} ms)`);
      watcher = createRegistryWatcher(registry, wake);
      pollTimer = setInterval(wake, pollMs);
      refillSpare(0);
      scan();
    },
    stop,
    async runUntilSettled(settleOptions = {}) {
      const isOwnRun = !isRunning;
      if (isOwnRun) await supervisor.start();
      try {
        return await waitForAgents(registry, {
          ...(settleOptions.names === undefined ? {} : { names: settleOptions.names }),
          ...(settleOptions.signal === undefined ? {} : { signal: settleOptions.signal }),
          ...(settleOptions.onChange === undefined ? {} : { onChange: settleOptions.onChange }),
          pollMs,
        });
      } finally {
        if (isOwnRun) await stop('runUntilSettled finished');
      }
    },
    wake,
  };
  return supervisor;
}
