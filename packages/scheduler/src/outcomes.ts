import type { OutcomeKind } from '@sase/launcher-core';

/**
 * How an attempt of an agent ended, as recorded in `done.json`. A launcher reports `completed`, `failed` or
 * `killed`; the workflow around the agent refines that (an attempt lifecycle, see run-attempt.ts, and the
 * plan-approval loop):
 * - `noop`: it completed and changed nothing;
 * - `plan_submitted`: a `%plan` agent submitted its plan and awaits approval (its state is `plan`);
 * - `plan_approved`: its plan (a tale) was approved; the next attempt implements it;
 * - `plan_rejected`: its plan was rejected with feedback; the next attempt plans again;
 * - `epic_approved`: its plan (an epic) was approved and promoted to beads;
 * - `plan_committed`: it implemented an approved plan and its work is committed;
 * - `in_review`: its change passed its checks and awaits its mentors' verdicts (agents that review it).
 */
export type AgentOutcome =
  | OutcomeKind
  | 'noop'
  | 'plan_submitted'
  | 'plan_approved'
  | 'plan_rejected'
  | 'epic_approved'
  | 'plan_committed'
  | 'in_review';

/** Every outcome, in the order tables list them. */
export const AGENT_OUTCOMES: readonly AgentOutcome[] = [
  'completed',
  'noop',
  'plan_committed',
  'epic_approved',
  'plan_submitted',
  'plan_approved',
  'in_review',
  'plan_rejected',
  'failed',
  'killed',
];

/** The outcomes that satisfy a `%wait` on the agent. */
export const WAIT_SATISFYING_OUTCOMES: readonly AgentOutcome[] = [
  'completed',
  'noop',
  'epic_approved',
  'plan_committed',
];

/**
 * The outcomes an agent moves on from by itself (a human decision, then a next attempt): the agents that
 * wait on it keep waiting, neither started nor parked. Every other outcome that does not satisfy a wait
 * (`failed`, `killed`, `plan_rejected`) parks them: no fail-open.
 */
export const PENDING_OUTCOMES: readonly AgentOutcome[] = ['plan_submitted', 'plan_approved', 'in_review'];

/** True when an agent with this outcome satisfies the `%wait` of the agents that wait on it. */
export function isWaitSatisfying(outcome: AgentOutcome): boolean {
  return WAIT_SATISFYING_OUTCOMES.includes(outcome);
}

/** True for an outcome that awaits a decision (see PENDING_OUTCOMES). */
export function isPendingOutcome(outcome: AgentOutcome): boolean {
  return PENDING_OUTCOMES.includes(outcome);
}

/** True for the outcomes a retry is for (`failed`, `killed`). */
export function isRetryableOutcome(outcome: AgentOutcome): boolean {
  return outcome === 'failed' || outcome === 'killed';
}

export function isAgentOutcome(value: unknown): value is AgentOutcome {
  return AGENT_OUTCOMES.includes(value as AgentOutcome);
}
