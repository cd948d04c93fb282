import type { AgentStateName } from './agent-state.js';
import { agentStates, stateOfOutcome } from './agent-state.js';
import { isoNow } from './internal/files.js';
import { isProcessAlive, processIdentity, sleep, terminateProcessGroup } from './internal/processes.js';
import { isRetryableOutcome } from './outcomes.js';
import type { AgentRegistry } from './registry.js';
import { SchedulerError } from './scheduler-error.js';

export interface KillAgentOptions {
  /** Recorded as the error of the `killed` outcome. Default `killed by request`. */
  reason?: string;
  /** How long to wait for the outcome to be recorded. Default 15000 ms. */
  timeoutMs?: number;
}

export interface KillAgentResult {
  name: string;
  /** The state before the kill. */
  previousState: AgentStateName;
  /** The state after it: `killed`, or the outcome it already had. */
  state: AgentStateName;
}

function stateNameOf(registry: AgentRegistry, name: string): AgentStateName {
  return agentStates(registry).find((state) => state.name === name)?.state ?? 'waiting';
}

/**
 * Kills an agent. A waiting agent is cancelled (its attempt claimed so it never starts) and recorded
 * `killed`. A running agent gets a kill request (`kill.json`), which the process running it acts on at
 * once (its whole process group is stopped, the outcome recorded `killed`); if that process is gone, the
 * agent's process group is stopped and the outcome recorded here. An agent that already has an outcome is
 * left alone.
 */
export async function killAgent(
  registry: AgentRegistry,
  name: string,
  options: KillAgentOptions = {},
): Promise<KillAgentResult> {
  const reason = options.reason ?? 'killed by request';
  const snapshot = registry.get(name);
  const request = snapshot.request;
  if (request === undefined) {
    throw new SchedulerError(
      'AGENT_NOT_FOUND',
      `agent "${name}" is still being submitted (no request.json yet)`,
      {
        agentName: name,
      },
    );
  }
  if (snapshot.done !== undefined) {
    const state = stateOfOutcome(snapshot.done.outcome);
    return { name, previousState: state, state };
  }
  const base = {
    name,
    exitCode: null,
    launcher: request.launcher,
    model: request.model,
    attempt: request.attempt,
  };
  if (snapshot.claim === undefined) {
    const isCancelled = registry.claim(name, {
      attempt: request.attempt,
      purpose: 'cancel',
      hostPid: process.pid,
      hostIdentity: processIdentity(process.pid) ?? null,
      supervisorPid: null,
      claimedAt: isoNow(),
    });
    if (isCancelled) {
      registry.recordOutcome({
        ...base,
        outcome: 'killed',
        startedAt: null,
        finishedAt: isoNow(),
        error: `killed while waiting: ${reason}`,
      });
      registry.notify();
      return { name, previousState: 'waiting', state: stateNameOf(registry, name) };
    }
  }
  // Running (or just started).
  registry.requestKill(name, {
    attempt: request.attempt,
    reason,
    requestedAt: isoNow(),
    requestedBy: process.pid,
  });
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let isForced = false;
  for (;;) {
    const current = registry.read(name);
    if (current?.done !== undefined || current?.request?.attempt !== request.attempt) break;
    const claim = current.claim;
    const isHolderAlive =
      claim !== undefined &&
      (claim.hostPid === process.pid || isProcessAlive(claim.hostPid, claim.hostIdentity));
    if ((!isHolderAlive || Date.now() > deadline) && !isForced) {
      // Nobody is left to act on the request (or it takes too long): stop the agent and record it here.
      isForced = true;
      const agentPid = current.running?.pid ?? null;
      if (agentPid !== null && isProcessAlive(agentPid, current.running?.pidIdentity)) {
        await terminateProcessGroup(agentPid, 2000);
      }
      if (!isHolderAlive) {
        registry.recordOutcome({
          ...base,
          outcome: 'killed',
          startedAt: current.running?.startedAt ?? null,
          finishedAt: isoNow(),
          error: reason,
        });
        break;
      }
    }
    if (Date.now() > deadline + 5000) break;
    await sleep(25);
  }
  return { name, previousState: 'running', state: stateNameOf(registry, name) };
}

export interface RetryAgentResult {
  name: string;
  /** The new attempt's number. */
  attempt: number;
  previousState: AgentStateName;
}

/**
 * Starts a new attempt of a failed or killed agent: the previous attempt's files move under
 * `attempts/<n>/` and a request for attempt n+1 (same prompt and directives) is written; a supervisor
 * launches it when its waits allow, and the agents waiting on it proceed once it completes. Refuses
 * (AGENT_NOT_RETRYABLE) an agent that completed, is running, or has not started.
 */
export function retryAgent(
  registry: AgentRegistry,
  name: string,
  options: { now?: Date } = {},
): RetryAgentResult {
  const snapshot = registry.get(name);
  const request = snapshot.request;
  const done = snapshot.done;
  if (request === undefined || done === undefined || !isRetryableOutcome(done.outcome)) {
    const why =
      done !== undefined
        ? `it ended ${done.outcome}; to run it again, submit it with %name:!${name}`
        : snapshot.claim !== undefined
          ? 'it is running; kill it first (sase agent kill) or wait for it'
          : 'it has not started yet (it is waiting); retry what it waits on instead';
    throw new SchedulerError('AGENT_NOT_RETRYABLE', `cannot retry "${name}": ${why}`, { agentName: name });
  }
  const isStarted = registry.startNextAttempt(name, {
    ...request,
    attempt: request.attempt + 1,
    submittedAt: (options.now ?? new Date()).toISOString(),
  });
  if (!isStarted) {
    throw new SchedulerError('AGENT_NOT_RETRYABLE', `cannot retry "${name}": another retry is under way`, {
      agentName: name,
    });
  }
  return { name, attempt: request.attempt + 1, previousState: stateOfOutcome(done.outcome) };
}
