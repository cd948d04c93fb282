import { type AgentOutcome, isPendingOutcome, isWaitSatisfying } from './outcomes.js';
import type { AgentRegistry, AgentSnapshot } from './registry.js';

/**
 * `waiting` and `running`, `plan` (a plan awaits approval: outcome `plan_submitted`), then the outcome of
 * the current attempt (`completed`, `noop`, `failed`, `killed`, `epic_approved`, ...).
 */
export type AgentStateName = 'waiting' | 'running' | 'plan' | Exclude<AgentOutcome, 'plan_submitted'>;

/** What an agent is doing now, derived from its files (and those of the agents it waits on). */
export interface AgentState {
  name: string;
  state: AgentStateName;
  attempt: number;
  /** Every `%wait` target. */
  waits: string[];
  /** The wait targets that are not satisfied yet (empty unless waiting). */
  waitsOn: string[];
  /** Why it is waiting (`b failed (exit 1)`, `a is running`, `not before …`), or null. */
  reason: string | null;
  /** Waiting behind a failed, killed or missing agent: only a retry (or a submission) can unblock it. */
  isParked: boolean;
  /** For `waiting`: whether it may start now (waits satisfied and `%time` reached). */
  isReady: boolean;
  /**
   * For `waiting`: it waits (directly or through others) only on agents whose plans await approval, or on
   * parked ones, but is not parked itself: nothing moves until a person decides.
   */
  isAwaitingDecision: boolean;
  notBefore: string | null;
  launcher: string;
  model: string | null;
  group: string | null;
  isHidden: boolean;
  submittedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  error: string | null;
  /** The agent's process id while running. */
  pid: number | null;
  dir: string;
}

function describeOutcome(snapshot: AgentSnapshot): string {
  const done = snapshot.done;
  if (done === undefined) return `${snapshot.name} is running`;
  if (done.outcome === 'killed') return `${snapshot.name} was killed`;
  if (done.outcome !== 'failed') return `${snapshot.name} ended ${done.outcome}`;
  // An agent that exited 0 failed for a reason of the workflow's (a check, no plan): say that reason.
  return done.exitCode !== null && (done.exitCode !== 0 || done.error === null)
    ? `${snapshot.name} failed (exit ${done.exitCode})`
    : `${snapshot.name} failed (${done.error ?? 'no exit code'})`;
}

/** The state an outcome shows as: `plan` for `plan_submitted`, the outcome itself otherwise. */
export function stateOfOutcome(outcome: AgentOutcome): AgentStateName {
  return outcome === 'plan_submitted' ? 'plan' : outcome;
}

function stateOf(snapshot: AgentSnapshot): AgentStateName {
  if (snapshot.done !== undefined) return stateOfOutcome(snapshot.done.outcome);
  if (snapshot.claim !== undefined) return 'running';
  return 'waiting';
}

/**
 * Derives every agent's state. A waiting agent's waits are evaluated against the current attempt of each
 * target: only `completed` (or `noop`) satisfies a wait; a `failed` or `killed` target parks it, and so does a target
 * that is itself parked (transitively) or missing.
 */
export function deriveAgentStates(snapshots: readonly AgentSnapshot[], now: Date = new Date()): AgentState[] {
  const byName = new Map<string, AgentSnapshot>();
  for (const snapshot of snapshots) if (snapshot.request !== undefined) byName.set(snapshot.name, snapshot);
  const parked = new Map<string, boolean>();
  const visiting = new Set<string>();

  const stalled = new Map<string, boolean>();
  const evaluate = (
    snapshot: AgentSnapshot,
  ): { waitsOn: string[]; reasons: string[]; isParked: boolean; isStalled: boolean } => {
    const request = snapshot.request;
    const waitsOn: string[] = [];
    const reasons: string[] = [];
    let isParked = false;
    // Stalled: every wait left is on a parked agent, or one that awaits a decision (a plan), so nothing
    // moves until a person decides or retries.
    let isStalled = true;
    for (const target of request?.waits ?? []) {
      const other = byName.get(target);
      if (other === undefined) {
        waitsOn.push(target);
        reasons.push(`${target} does not exist`);
        isParked = true;
        continue;
      }
      const state = stateOf(other);
      if (other.done !== undefined && isWaitSatisfying(other.done.outcome)) continue;
      waitsOn.push(target);
      if (other.done !== undefined && isPendingOutcome(other.done.outcome)) {
        // A plan waits for a person; a change in review moves on by itself when its mentors are done.
        if (other.done.outcome === 'in_review') {
          reasons.push(`${target} awaits its mentors`);
          isStalled = false;
        } else {
          reasons.push(`${target} awaits plan approval`);
        }
      } else if (other.done !== undefined) {
        reasons.push(describeOutcome(other));
        isParked = true;
      } else if (state === 'running') {
        reasons.push(`${target} is running`);
        isStalled = false;
      } else if (isTargetParked(other)) {
        reasons.push(`${target} is parked`);
        isParked = true;
      } else {
        reasons.push(`${target} is waiting`);
        if (!isTargetStalled(other)) isStalled = false;
      }
    }
    return { waitsOn, reasons, isParked, isStalled: isStalled && waitsOn.length > 0 };
  };

  const isTargetStalled = (snapshot: AgentSnapshot): boolean => {
    const known = stalled.get(snapshot.name);
    if (known !== undefined) return known;
    if (visiting.has(snapshot.name)) return true;
    visiting.add(snapshot.name);
    const evaluation = evaluate(snapshot);
    const request = snapshot.request;
    const isEarly = request?.notBefore != null && Date.parse(request.notBefore) > now.getTime();
    const result = evaluation.isStalled && !isEarly;
    visiting.delete(snapshot.name);
    stalled.set(snapshot.name, result);
    return result;
  };

  const isTargetParked = (snapshot: AgentSnapshot): boolean => {
    const known = parked.get(snapshot.name);
    if (known !== undefined) return known;
    if (visiting.has(snapshot.name)) return true; // a wait cycle can never clear
    visiting.add(snapshot.name);
    const result = evaluate(snapshot).isParked;
    visiting.delete(snapshot.name);
    parked.set(snapshot.name, result);
    return result;
  };

  const states: AgentState[] = [];
  for (const snapshot of byName.values()) {
    const request = snapshot.request as NonNullable<AgentSnapshot['request']>;
    const state = stateOf(snapshot);
    let waitsOn: string[] = [];
    let reason: string | null = null;
    let isParked = false;
    let isReady = false;
    let isAwaitingDecision = false;
    if (state === 'waiting') {
      const evaluation = evaluate(snapshot);
      waitsOn = evaluation.waitsOn;
      isParked = evaluation.isParked;
      const reasons = evaluation.reasons;
      const isEarly = request.notBefore !== null && Date.parse(request.notBefore) > now.getTime();
      isAwaitingDecision = !isParked && evaluation.isStalled && !isEarly;
      if (isEarly) reasons.push(`not before ${request.notBefore}`);
      reason = reasons.length > 0 ? reasons.join('; ') : null;
      isReady = waitsOn.length === 0 && !isEarly;
    }
    const done = snapshot.done;
    states.push({
      name: snapshot.name,
      state,
      attempt: request.attempt,
      waits: request.waits,
      waitsOn,
      reason,
      isParked,
      isReady,
      isAwaitingDecision,
      notBefore: request.notBefore,
      launcher: request.launcher,
      model: request.model,
      group: request.group,
      isHidden: request.hide,
      submittedAt: request.submittedAt,
      startedAt: done?.startedAt ?? snapshot.running?.startedAt ?? null,
      finishedAt: done?.finishedAt ?? null,
      exitCode: done?.exitCode ?? null,
      error: done?.error ?? null,
      pid: done === undefined ? (snapshot.running?.pid ?? null) : null,
      dir: snapshot.dir,
    });
  }
  return states;
}

/** The state of every submitted agent of the registry, in submission order. */
export function agentStates(registry: AgentRegistry, now: Date = new Date()): AgentState[] {
  return deriveAgentStates(registry.list(), now);
}

/**
 * Settled: it has an outcome (or a plan awaiting approval; not a change in review, which its mentors decide
 * by themselves), it is parked behind a failed, killed or missing agent, or it waits only on plans awaiting
 * approval. Nothing about it changes until someone acts.
 */
export function isSettled(state: AgentState): boolean {
  return (hasOutcome(state) && state.state !== 'in_review') || state.isParked || state.isAwaitingDecision;
}

/** True once the agent's current attempt has an outcome (it is neither waiting nor running). */
export function hasOutcome(state: AgentState): boolean {
  return state.state !== 'waiting' && state.state !== 'running';
}

/** The JSON shape of `sase agent list --json` (snake_case). */
export function formatAgentState(state: AgentState): {
  name: string;
  state: AgentStateName;
  attempt: number;
  waits_on: string[];
  reason: string | null;
} {
  return {
    name: state.name,
    state: state.state,
    attempt: state.attempt,
    waits_on: state.waitsOn,
    reason: state.reason,
  };
}
