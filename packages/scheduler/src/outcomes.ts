import type { OutcomeKind } from '@sase/launcher-core';

/**
 * How an attempt of an agent ended, as recorded in `done.json`. A launcher reports `completed`, `failed` or
 * `killed`; the workflow around the agent may refine that (an attempt lifecycle, see run-attempt.ts):
 * `noop` is a completed agent that changed nothing.
 */
export type AgentOutcome = OutcomeKind | 'noop';

/** Every outcome, in the order tables list them. */
export const AGENT_OUTCOMES: readonly AgentOutcome[] = ['completed', 'noop', 'failed', 'killed'];

/** The outcomes that satisfy a `%wait` on the agent. Everything else parks its dependants: no fail-open. */
export const WAIT_SATISFYING_OUTCOMES: readonly AgentOutcome[] = ['completed', 'noop'];

/** True when an agent with this outcome satisfies the `%wait` of the agents that wait on it. */
export function isWaitSatisfying(outcome: AgentOutcome): boolean {
  return WAIT_SATISFYING_OUTCOMES.includes(outcome);
}

/** True for the outcomes a retry is for (`failed`, `killed`). */
export function isRetryableOutcome(outcome: AgentOutcome): boolean {
  return outcome === 'failed' || outcome === 'killed';
}

export function isAgentOutcome(value: unknown): value is AgentOutcome {
  return AGENT_OUTCOMES.includes(value as AgentOutcome);
}
