import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, type FSWatcher, mkdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { prepareAgentProcesses } from '@sase/launcher-core';
import { type AgentState, deriveAgentStates, hasOutcome, isSettled } from './agent-state.js';
import { isoNow } from './internal/files.js';
import { isProcessAlive, processIdentity, sleep, terminateProcessGroup } from './internal/processes.js';
import { createRegistryWatcher, type RegistryWatcher } from './internal/registry-watcher.js';
import { createSnapshotReader } from './internal/snapshot-reader.js';
import type { AgentRequest, ClaimRecord, DoneRecord } from './records.js';
import { type AgentRegistry, type AgentSnapshot, createRegistry } from './registry.js';
import { type AttemptLifecycle, type ResolveLauncher, runAttempt } from './run-attempt.js';
import { SchedulerError } from './scheduler-error.js';
import { acquireSupervisorLock, type SupervisorLock } from './supervisor-lock.js';
import { followAgents } from './wait-for-agents.js';

export interface AgentHostOptions {
  /**
   * The command of an agent host process; the supervisor appends `<workspaceRoot>` and the host reads its
   * assignments from stdin, one JSON line `{"name","attempt"}` each, until stdin ends (a warm host). With
   * `isSpareKept: false` it appends `<workspaceRoot> <agent name> <attempt>` instead, one host per attempt.
   * The CLI uses `node <sase> axe host`; a host calls `runAgentHost`.
   */
  command: string[];
  env?: Record<string, string>;
  /** Where the hosts' stdout and stderr go. Default `inherit` (the supervisor's log). */
  stdio?: 'inherit' | 'ignore';
  /**
   * Keep warm hosts started ahead (they wait for assignments on stdin), so that a waiting agent starts within
   * milliseconds of its last blocker's outcome instead of after a process start-up. Default true. False
   * starts one host per attempt, when the attempt is launched.
   */
  isSpareKept?: boolean;
  /**
   * How many attempts one warm host runs at a time. Default 16. Agents released together (one blocker and
   * many dependants) start in the warm hosts at once instead of each in a new process; a host that crashes
   * takes at most this many attempts with it (they are recorded `killed`, as for any dead host).
   */
  maxAttemptsPerHost?: number;
  /**
   * How many unused warm hosts may be kept ready at once. Default 4. There are as many as the agents about to
   * be released need (waiting agents whose blockers are running or starting), and at least one.
   */
  maxSpareHosts?: number;
}

/** Why a supervisor stopped: `stop()` was called, `idleExitMs` passed, or it lost the workspace's lock. */
export type SupervisorStopCause = 'stop' | 'idle' | 'lock-lost';

export interface SupervisorStopEvent {
  cause: SupervisorStopCause;
  /** The reason it logged (`idle for 300 s: ...`, `.sase/axe/lock was replaced ...`). */
  reason: string;
}

export interface SupervisorStopOptions {
  /**
   * `stop` (default): kill the agents this supervisor runs or adopted, and record them `killed`. `keep`: leave
   * agents that run in agent hosts running (the hosts record their outcomes; the next supervisor adopts
   * them), for a restart; agents run in this process are killed either way.
   */
  agents?: 'stop' | 'keep';
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
  /**
   * How many standby shells (`prepareAgentProcesses` of @sase/launcher-core) may be kept for the agents about
   * to be released (waiting agents whose blockers are running), in this process or spread over the warm agent
   * hosts. Released together, such agents then start in parallel, with no fork of a Node process each.
   * Default 32; 0 keeps none.
   */
  maxStandbyShells?: number;
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
  /**
   * Stop by itself (logging why, cause `idle`) after this long without work: no agent running or settling
   * (its onSettled call under way), and none waiting for anything but a person (a waiting agent that is not
   * parked behind a failed or killed agent, nor waiting only on a plan that awaits approval, is work — also
   * one whose `%time` is hours away). Off by default. Whatever releases a parked or undecided agent later
   * (`retryAgent`, a plan approval) must start a supervisor again (`startSupervisorProcess` is idempotent).
   */
  idleExitMs?: number;
  /**
   * Files to watch (e.g. `sase.yml`): when one's content changes (or it appears or disappears), the change is
   * logged and `onFilesChanged` is called with the paths that changed. `serveSupervisor`'s `reload` uses it
   * to restart the supervisor with the new configuration.
   */
  watchFiles?: readonly string[];
  /**
   * The contents of the watched files that these options were made from (absolute path → text, undefined:
   * no such file). A file whose content differs from it when the supervisor starts counts as changed at once,
   * so an edit made while the options were being loaded is not missed. Default: what the files hold at start.
   */
  watchBaseline?: ReadonlyMap<string, string | undefined>;
  onFilesChanged?: (files: string[]) => void;
  /** Called once each time the supervisor has stopped (lock released), whatever the cause. */
  onStop?: (event: SupervisorStopEvent) => void;
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
  /**
   * Kills the agents this supervisor runs or adopted (recorded `killed`), then releases the lock. With
   * `{agents: 'keep'}`, agents in agent hosts are left running instead.
   */
  stop(reason?: string, options?: SupervisorStopOptions): Promise<void>;
  /** Starts if needed, waits until every (or every named) agent is settled, stops if it started. */
  runUntilSettled(options?: RunUntilSettledOptions): Promise<AgentState[]>;
  /** Looks at the registry now (file watching and the poll do this on their own). */
  wake(): void;
}

/** An agent host process started by this supervisor. */
interface HostProcess {
  child: ChildProcess;
  /** The attempts it was given that have not settled yet, by agent name. */
  attempts: Map<string, { attempt: number; assignedAt: number }>;
  /** How many attempts it was given in all. */
  assigned: number;
  /** Whether it takes more attempts: its stdin is open (a warm host). */
  isOpen: boolean;
  hasExited: boolean;
  /** How many standby shells it was last asked to keep. */
  standby: number;
}

type InFlight =
  | { kind: 'in-process'; attempt: number; controller: AbortController; promise: Promise<unknown> }
  | { kind: 'host'; attempt: number; host: HostProcess };

const HOST_START_ATTEMPTS = 3;
/** The least time between two scans that follow events (see wake). */
const SCAN_GAP_MS = 10;
/** A warm host that has not claimed an attempt it was given after this long is presumed stuck. */
const HOST_CLAIM_TIMEOUT_MS = 30_000;
/** A warm host given this many attempts takes no more (it finishes them and exits; a fresh one follows). */
const HOST_ASSIGNMENT_LIMIT = 100;

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
  let lockWatcher: FSWatcher | undefined;
  let restoreTimer: NodeJS.Timeout | undefined;
  let watcher: RegistryWatcher | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let timeTimer: NodeJS.Timeout | undefined;
  let isScanScheduled = false;

  // A scan follows an event at once, but never sooner after the previous scan than that one took, nor sooner
  // than SCAN_GAP_MS: during a burst of events (many agents starting at once, each claiming and recording its
  // start) the supervisor takes at most half a core from the agents. The gap also puts a poll of the file
  // watchers between two scans, so that the watcher stamps the snapshot reader trusts are up to date.
  let lastScanEnd = 0;
  let lastScanDuration = 0;
  const wake = () => {
    if (!isRunning || isScanScheduled) return;
    isScanScheduled = true;
    const run = () => {
      isScanScheduled = false;
      const started = performance.now();
      scan();
      lastScanEnd = performance.now();
      lastScanDuration = lastScanEnd - started;
    };
    const wait = lastScanEnd + Math.max(SCAN_GAP_MS, lastScanDuration) - performance.now();
    if (wait > 1) setTimeout(run, wait);
    else setImmediate(run);
  };

  const reader = createSnapshotReader(registry, pollMs, (name) => watcher?.stamp(name));
  const readAll = (): AgentSnapshot[] =>
    reader.readAll((name, error) => log(`cannot read agent ${name}: ${(error as Error).message}`));

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

  // ---- Agent hosts -------------------------------------------------------------------------------------
  // Warm hosts wait for assignments on stdin; each runs up to maxAttemptsPerHost attempts at once. A host
  // whose attempts have all settled is closed (stdin ended: it exits) and a fresh one takes its place, so no
  // host process lives on through bursts of work, and each burst's hosts read the configuration anew.

  const hosts = new Set<HostProcess>();
  const maxStandbyShells = Math.max(0, options.maxStandbyShells ?? 32);
  const standby = prepareAgentProcesses(0);
  const maxAttemptsPerHost = Math.max(1, options.agentHost?.maxAttemptsPerHost ?? 16);
  const maxSpareHosts = Math.max(1, options.agentHost?.maxSpareHosts ?? 4);
  // Starting a process blocks the one that starts it (fork and exec): agents released together start
  // fastest from as many hosts as there are cores.
  const cores = Math.max(1, availableParallelism());
  /** How many agents are about to be released (see countUpcoming): the room the warm hosts should have. */
  let upcoming = 0;
  let isPoolScheduled = false;

  const spawnHost = (host: AgentHostOptions, extra: string[], isWarm: boolean): ChildProcess => {
    const [command, ...args] = host.command;
    if (command === undefined)
      throw new SchedulerError('SUPERVISOR_START_FAILED', 'agentHost.command is empty');
    const child = spawn(command, [...args, registry.workspaceRoot, ...extra], {
      cwd: registry.workspaceRoot,
      detached: true,
      stdio: [isWarm ? 'pipe' : 'ignore', host.stdio ?? 'inherit', host.stdio ?? 'inherit'],
      env: { ...process.env, ...host.env, SASE_SUPERVISOR_PID: String(process.pid) },
    });
    child.unref();
    child.stdin?.on('error', () => {});
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  };

  const startHost = (host: AgentHostOptions, extra: string[], isWarm: boolean): HostProcess => {
    const child = spawnHost(host, extra, isWarm);
    const hostProcess: HostProcess = {
      child,
      attempts: new Map(),
      assigned: 0,
      isOpen: isWarm,
      hasExited: false,
      standby: 0,
    };
    hosts.add(hostProcess);
    let isHandled = false;
    const onEnd = (description: string) => {
      if (isHandled) return;
      isHandled = true;
      hostProcess.hasExited = true;
      hostProcess.isOpen = false;
      hosts.delete(hostProcess);
      for (const [name, { attempt }] of hostProcess.attempts) {
        const entry = inFlight.get(name);
        if (entry?.kind === 'host' && entry.host === hostProcess) inFlight.delete(name);
        if (isRunning) onHostLost(name, attempt, description);
      }
      hostProcess.attempts.clear();
      if (isRunning) {
        wake();
        schedulePool();
      }
    };
    if (child.exitCode !== null || child.signalCode !== null) onEnd('exited');
    child.on('error', (error) => onEnd(`could not start (${error.message})`));
    child.on('exit', (code, signal) =>
      onEnd(signal ? `was killed by ${signal}` : `exited with code ${code}`),
    );
    return hostProcess;
  };

  /** A host ended (or gave up on) an attempt it was given: if it never claimed it, count a failed start. */
  const onHostLost = (name: string, attempt: number, description: string) => {
    const snapshot = safeRead(name);
    if (snapshot?.request?.attempt !== attempt || snapshot.claim !== undefined || snapshot.done) return;
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
  };

  const closeHost = (host: HostProcess) => {
    if (!host.isOpen) return;
    host.isOpen = false;
    host.child.stdin?.end();
  };

  const isUsable = (host: HostProcess) =>
    host.isOpen &&
    !host.hasExited &&
    host.child.exitCode === null &&
    host.child.signalCode === null &&
    host.child.stdin?.writable === true;

  /** The attempt settled (or moved on): it no longer counts against its host. */
  const releaseHostAttempt = (name: string) => {
    const entry = inFlight.get(name);
    if (entry?.kind !== 'host') return;
    entry.host.attempts.delete(name);
    inFlight.delete(name);
  };

  const launchInHost = (name: string, attempt: number, host: AgentHostOptions) => {
    let target: HostProcess | undefined;
    let isWarm = false;
    if (host.isSpareKept === false) {
      target = startHost(host, [name, String(attempt)], false);
    } else {
      // The least busy host with room (agents released together are spread over the warm hosts, which start
      // them in parallel), preferring one already used (fresh ones stay fresh); else start one.
      for (const candidate of hosts) {
        if (!isUsable(candidate) || candidate.attempts.size >= maxAttemptsPerHost) continue;
        if (
          target === undefined ||
          candidate.attempts.size < target.attempts.size ||
          (candidate.attempts.size === target.attempts.size && candidate.assigned > target.assigned)
        )
          target = candidate;
      }
      isWarm = target !== undefined;
      target ??= startHost(host, [], true);
      target.child.stdin?.write(`${JSON.stringify({ name, attempt })}\n`);
    }
    target.attempts.set(name, { attempt, assignedAt: Date.now() });
    target.assigned++;
    if (target.isOpen && target.assigned >= HOST_ASSIGNMENT_LIMIT) closeHost(target);
    inFlight.set(name, { kind: 'host', attempt, host: target });
    log(
      `${name} (attempt ${attempt}): agent host pid ${target.child.pid ?? 'unknown'}${isWarm ? ' (warm)' : ''}`,
    );
    schedulePool();
  };

  /**
   * Keeps the warm hosts in step with the work in sight (after each scan, off the launch path): closes hosts
   * whose attempts have all settled, and starts fresh ones until the hosts with room can take the agents
   * about to be released, from as many hosts as there are cores (at least one host with room, at most
   * maxSpareHosts unused ones).
   */
  const maintainHosts = () => {
    const host = options.agentHost;
    if (host === undefined || host.isSpareKept === false || !isRunning) return;
    const roomWanted = Math.max(1, upcoming);
    const hostsWanted = Math.max(1, Math.min(upcoming, cores));
    let room = 0;
    let withRoom = 0;
    let unused = 0;
    for (const each of hosts) {
      if (!isUsable(each)) continue;
      if (each.attempts.size === 0 && each.assigned > 0 && upcoming === 0) {
        closeHost(each); // its burst of work is over: it exits, a fresh host takes its place
        continue;
      }
      if (each.attempts.size < maxAttemptsPerHost) {
        room += maxAttemptsPerHost - each.attempts.size;
        withRoom++;
      }
      if (each.assigned === 0) unused++;
    }
    while ((room < roomWanted || withRoom < hostsWanted) && unused < maxSpareHosts) {
      try {
        startHost(host, [], true);
      } catch (error) {
        log(`cannot start a warm agent host: ${(error as Error).message}`);
        return;
      }
      room += maxAttemptsPerHost;
      withRoom++;
      unused++;
    }
  };

  /**
   * Keeps standby shells for the agents about to be released: in this process, or in the warm hosts with
   * room, shared out as launchInHost will share out the agents (evenly). A host is told its share whenever
   * it is not 0, and when it falls to 0: a shell an agent starts in counts against the request it was kept
   * for, and an agent assigned before a share was sent may start after the host took that share in.
   */
  const maintainStandby = () => {
    const wanted = isRunning ? Math.min(upcoming, maxStandbyShells) : 0;
    if (options.agentHost === undefined) {
      standby.update(wanted);
      return;
    }
    if (options.agentHost.isSpareKept === false) return;
    const withRoom = [...hosts].filter((host) => isUsable(host) && host.attempts.size < maxAttemptsPerHost);
    const share = withRoom.length === 0 ? 0 : Math.ceil(wanted / withRoom.length);
    for (const host of hosts) {
      if (!isUsable(host)) continue;
      const count = withRoom.includes(host) ? Math.min(share, maxAttemptsPerHost - host.attempts.size) : 0;
      if (count === host.standby && count === 0) continue;
      host.standby = count;
      host.child.stdin?.write(`${JSON.stringify({ standby: count })}\n`);
    }
  };

  const schedulePool = () => {
    if (isPoolScheduled || !isRunning) return;
    isPoolScheduled = true;
    setTimeout(() => {
      isPoolScheduled = false;
      maintainHosts();
      maintainStandby();
    }, 0).unref();
  };

  /** How many waiting agents could be released by what runs or starts now (the next wave). */
  const countUpcoming = (states: readonly AgentState[]): number => {
    const active = new Set(
      states.filter((state) => state.state === 'running' || state.isReady).map((state) => state.name),
    );
    let upcoming = 0;
    for (const state of states) {
      if (state.state !== 'waiting' || state.isReady || state.isParked || state.isAwaitingDecision) continue;
      if (state.waitsOn.length > 0 && state.waitsOn.every((name) => active.has(name))) upcoming++;
    }
    return upcoming;
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
  /** `name@attempt` of outcomes whose onSettled call was made (or had been, by an earlier supervisor). */
  const settleTried = new Set<string>();
  let settledChain: Promise<void> = Promise.resolve();
  let settlingCount = 0;
  const settle = (snapshot: AgentSnapshot) => {
    const { request, done } = snapshot;
    if (options.onSettled === undefined || request === undefined || done === undefined) return;
    const key = `${snapshot.name}@${done.attempt}`;
    if (settledSeen.has(key)) return;
    settledSeen.add(key);
    const marker = join(snapshot.dir, `settled.${done.attempt}`);
    if (existsSync(marker)) {
      settleTried.add(key);
      return;
    }
    const hook = options.onSettled;
    settlingCount++;
    settledChain = settledChain.then(async () => {
      try {
        await hook({ ...snapshot, request, done });
        writeFileSync(marker, `${new Date().toISOString()}\n`);
      } catch (error) {
        settledSeen.delete(key);
        log(`${snapshot.name} (attempt ${done.attempt}): onSettled failed: ${(error as Error).message}`);
      } finally {
        settleTried.add(key);
        settlingCount--;
        wake();
      }
    });
  };

  // ---- Idle exit ---------------------------------------------------------------------------------------

  let idleSince: number | undefined;
  let idleTimer: NodeJS.Timeout | undefined;

  /** Whether anything could still happen without a person: an agent running, settling, or waiting on work. */
  const isBusy = (snapshots: readonly AgentSnapshot[], stateOf: Map<string, AgentState>): boolean => {
    if (inFlight.size > 0 || recovering.size > 0 || settlingCount > 0) return true;
    for (const snapshot of snapshots) {
      if (snapshot.done !== undefined) continue;
      if (snapshot.claim !== undefined) return true;
      const state = stateOf.get(snapshot.name);
      if (state === undefined || (!state.isParked && !state.isAwaitingDecision)) return true;
    }
    return false;
  };

  const checkIdle = (isWorking: boolean) => {
    const idleExitMs = options.idleExitMs;
    if (idleExitMs === undefined || !isRunning) return;
    if (isWorking) {
      idleSince = undefined;
      if (idleTimer !== undefined) clearTimeout(idleTimer);
      idleTimer = undefined;
      return;
    }
    const now = Date.now();
    idleSince ??= now;
    if (now - idleSince >= idleExitMs) {
      const seconds = Math.round(idleExitMs / 100) / 10;
      void stopWith('idle', `idle for ${seconds} s (idleExitMs): no agent waiting, running or settling`);
      return;
    }
    if (idleTimer === undefined) {
      idleTimer = setTimeout(
        () => {
          idleTimer = undefined;
          wake();
        },
        idleSince + idleExitMs - now + 5,
      );
    }
  };

  // ---- The lock: still ours? ---------------------------------------------------------------------------

  const watchLock = () => {
    lockWatcher?.close();
    lockWatcher = undefined;
    try {
      const axeDir = registry.axeDir;
      const current = watch(axeDir, { persistent: false }, (_event, file) => {
        if (file === null || file === 'lock') checkLock();
      });
      current.on('error', () => {
        current.close();
        if (lockWatcher === current) lockWatcher = undefined;
        checkLock();
      });
      lockWatcher = current;
    } catch {
      // The directory is gone: checkLock (on the next scan) restores or gives up the lock.
    }
  };

  /** True while this supervisor still holds its lock; stops it (recorded as `lock-lost`) when it does not. */
  const checkLock = (): boolean => {
    if (lock === undefined || !isRunning) return isRunning;
    const result = lock.check();
    if (result.isHeld) {
      if (result.restoreInMs !== undefined) {
        if (restoreTimer !== undefined) clearTimeout(restoreTimer);
        restoreTimer = setTimeout(() => {
          restoreTimer = undefined;
          checkLock();
        }, result.restoreInMs + 5);
        restoreTimer.unref();
      }
      if (result.isRestored) {
        log(`supervisor ${process.pid}: ${join(registry.axeDir, 'lock')} had been removed; created it again`);
        watchLock();
      } else if (lockWatcher === undefined) watchLock();
      return true;
    }
    void stopWith(
      'lock-lost',
      `it no longer holds the workspace's lock: ${result.reason}; stopping so that no two supervisors run one workspace`,
      {},
      result.isWorkspaceReplaced,
    );
    return false;
  };

  // ---- Watched files -----------------------------------------------------------------------------------

  const watchedFiles = (options.watchFiles ?? []).map((file) => resolve(registry.workspaceRoot, file));
  const fileContents = new Map<string, string | undefined>();
  const fileWatchers: FSWatcher[] = [];
  let fileTimer: NodeJS.Timeout | undefined;

  const readWatched = (file: string): string | undefined => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };

  const checkFiles = () => {
    if (!isRunning || watchedFiles.length === 0) return;
    const changed = watchedFiles.filter((file) => {
      const content = readWatched(file);
      if (content === fileContents.get(file)) return false;
      fileContents.set(file, content);
      return true;
    });
    if (changed.length === 0) return;
    log(`supervisor ${process.pid}: ${changed.join(', ')} changed`);
    try {
      options.onFilesChanged?.(changed);
    } catch (error) {
      log(`onFilesChanged failed: ${(error as Error).message}`);
    }
  };

  const startWatchingFiles = () => {
    const baseline = options.watchBaseline;
    for (const file of watchedFiles) {
      fileContents.set(file, baseline?.has(file) ? baseline.get(file) : readWatched(file));
    }
    // Watch the directories: an editor or a tool that writes atomically replaces the file (a new inode).
    for (const dir of new Set(watchedFiles.map((file) => dirname(file)))) {
      const names = new Set(
        watchedFiles.filter((file) => dirname(file) === dir).map((file) => basename(file)),
      );
      try {
        const dirWatcher = watch(dir, { persistent: false }, (_event, file) => {
          if (file !== null && !names.has(file)) return;
          // Several events arrive for one save: look once they have settled.
          if (fileTimer !== undefined) clearTimeout(fileTimer);
          fileTimer = setTimeout(checkFiles, 50);
          fileTimer.unref();
        });
        dirWatcher.on('error', () => dirWatcher.close());
        fileWatchers.push(dirWatcher);
      } catch {
        // polled with the registry
      }
    }
  };

  // ---- The scan ----------------------------------------------------------------------------------------

  const scan = () => {
    if (!isRunning) return;
    if (!checkLock()) return;
    checkFiles();
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
      const owned = inFlight.get(snapshot.name);
      if (snapshot.done !== undefined) {
        if (owned?.kind === 'host' && owned.attempt <= snapshot.done.attempt)
          releaseHostAttempt(snapshot.name);
        settle(snapshot);
        continue;
      }
      unfinished.push(snapshot.name);
      if (owned?.kind === 'host' && owned.attempt !== request.attempt) releaseHostAttempt(snapshot.name);
      else if (owned !== undefined && owned.attempt === request.attempt) {
        if (owned.kind === 'in-process') continue;
        const claim = snapshot.claim;
        const assignedAt = owned.host.attempts.get(snapshot.name)?.assignedAt ?? 0;
        if (claim !== undefined && claim.hostPid !== owned.host.child.pid) {
          releaseHostAttempt(snapshot.name); // another process holds it (a kill cancelled it)
        } else if (claim === undefined && Date.now() - assignedAt > HOST_CLAIM_TIMEOUT_MS) {
          releaseHostAttempt(snapshot.name);
          onHostLost(snapshot.name, request.attempt, `(pid ${owned.host.child.pid}) did not take it in time`);
          continue;
        } else continue;
      }
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
    upcoming = countUpcoming(states);
    schedulePool();
    checkIdle(isBusy(snapshots, stateOf));
  };

  // ---- Stopping ----------------------------------------------------------------------------------------

  let stopping: Promise<void> | undefined;

  const stopWith = (
    cause: SupervisorStopCause,
    reason: string,
    stopOptions: SupervisorStopOptions = {},
    isWorkspaceReplaced = false,
  ): Promise<void> => {
    if (stopping !== undefined) return stopping;
    if (!isRunning) return Promise.resolve();
    stopping = stopNow(cause, reason, stopOptions, isWorkspaceReplaced).finally(() => {
      stopping = undefined;
    });
    return stopping;
  };

  const stopNow = async (
    cause: SupervisorStopCause,
    reason: string,
    stopOptions: SupervisorStopOptions,
    isWorkspaceReplaced: boolean,
  ) => {
    isRunning = false;
    standby.release();
    const isKeepingAgents = stopOptions.agents === 'keep';
    if (pollTimer !== undefined) clearInterval(pollTimer);
    if (timeTimer !== undefined) clearTimeout(timeTimer);
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    if (fileTimer !== undefined) clearTimeout(fileTimer);
    if (restoreTimer !== undefined) clearTimeout(restoreTimer);
    idleTimer = undefined;
    idleSince = undefined;
    for (const fileWatcher of fileWatchers.splice(0)) fileWatcher.close();
    lockWatcher?.close();
    lockWatcher = undefined;
    watcher?.close();
    watcher = undefined;
    log(`supervisor ${process.pid} stopping: ${reason}`);
    const deadline = Date.now() + (options.stopGraceMs ?? 10_000);
    // Hosts take no more work; idle ones exit now. Busy ones are stopped (their agents recorded `killed`)
    // unless the agents are kept for the next supervisor.
    for (const host of hosts) {
      closeHost(host);
      const isBusyHost = host.attempts.size > 0;
      if ((!isBusyHost || !isKeepingAgents) && host.child.exitCode === null && host.child.signalCode === null)
        host.child.kill('SIGTERM');
    }
    const waitingFor: { name: string; attempt: number; hostPid: number }[] = [];
    for (const entry of inFlight.values()) {
      if (entry.kind === 'in-process') entry.controller.abort(reason);
    }
    // Agent hosts started by this supervisor, or orphaned by a dead one and adopted. Not when the workspace
    // directory was replaced (the registry at its path is another workspace's), and not the adopted ones
    // when another supervisor took the lock (they are its own now).
    for (const snapshot of isKeepingAgents || isWorkspaceReplaced ? [] : readAll()) {
      const claim = snapshot.claim;
      if (snapshot.done || claim === undefined || claim.purpose !== 'launch' || claim.hostPid === process.pid)
        continue;
      const isOurs = claim.supervisorPid === process.pid;
      const isAdopted =
        cause !== 'lock-lost' && claim.supervisorPid !== null && !isProcessAlive(claim.supervisorPid);
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
    for (const [name, entry] of inFlight) if (entry.kind === 'host') inFlight.delete(name);
    hosts.clear();
    lock?.release();
    lock = undefined;
    log(`supervisor ${process.pid} stopped`);
    try {
      options.onStop?.({ cause, reason });
    } catch (error) {
      log(`onStop failed: ${(error as Error).message}`);
    }
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

  const stop = (reason = 'the supervisor was stopped', stopOptions: SupervisorStopOptions = {}) =>
    stopWith('stop', reason, stopOptions);

  const supervisor: Supervisor = {
    registry,
    get isRunning() {
      return isRunning;
    },
    async start() {
      if (stopping !== undefined) await stopping;
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
      upcoming = 0;
      log(`supervisor ${process.pid} started for ${registry.workspaceRoot} (poll ${pollMs} ms)`);
      if (lock !== undefined) watchLock();
      startWatchingFiles();
      if (options.watchBaseline !== undefined) checkFiles();
      watcher = createRegistryWatcher(registry, wake);
      pollTimer = setInterval(wake, pollMs);
      schedulePool();
      scan();
    },
    stop,
    async runUntilSettled(settleOptions = {}) {
      const isOwnRun = !isRunning;
      if (isOwnRun) await supervisor.start();
      // Settled means after onSettled too: it may start the next attempt (a plan decision taken while the
      // agent ran, say), which an outcome seen before this supervisor's scan got to it would miss.
      const isSettleApplied = (state: AgentState) =>
        options.onSettled === undefined ||
        !hasOutcome(state) ||
        settleTried.has(`${state.name}@${state.attempt}`);
      try {
        return await followAgents(
          registry,
          (states) => states.every((state) => isSettled(state) && isSettleApplied(state)),
          {
            ...(settleOptions.names === undefined ? {} : { names: settleOptions.names }),
            ...(settleOptions.signal === undefined ? {} : { signal: settleOptions.signal }),
            ...(settleOptions.onChange === undefined ? {} : { onChange: settleOptions.onChange }),
            pollMs,
          },
        );
      } finally {
        if (isOwnRun) await stop('runUntilSettled finished');
      }
    },
    wake,
  };
  return supervisor;
}
