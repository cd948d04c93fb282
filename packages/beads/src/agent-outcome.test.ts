import { expect, it } from 'vitest';
import { applyAgentOutcome } from './agent-outcome.js';
import { createTempStore } from './internal/temp-store.js';

it('closes on completed, reopens with a note on failure, and is idempotent', () => {
  const { store } = createTempStore('p');
  const epic = store.create({ title: 'epic', tier: 'epic' });
  const phase = store.create({ title: 'phase', parentId: epic.id });
  store.update(phase.id, { status: 'in_progress', assignee: phase.id });
  const failed = {
    beadId: phase.id,
    agentName: phase.id,
    attempt: 1,
    outcome: 'failed' as const,
    error: 'exit 1',
  };
  expect(applyAgentOutcome(store, failed)).toMatchObject({
    status: 'open',
    notes: 'agent p-1.1 attempt 1 failed: exit 1',
  });
  expect(applyAgentOutcome(store, failed).notes).toBe('agent p-1.1 attempt 1 failed: exit 1');
  const done = applyAgentOutcome(store, { ...failed, attempt: 2, outcome: 'completed', error: null });
  expect(done).toMatchObject({ status: 'closed', closeReason: 'completed by agent p-1.1 attempt 2' });
  const closedAt = done.closedAt;
  expect(applyAgentOutcome(store, { ...failed, attempt: 2, outcome: 'completed' }).closedAt).toBe(closedAt);
});

it('closes on noop with the reason "no change", and leaves the bead alone for an outcome it does not know', () => {
  const { store } = createTempStore('p');
  const epic = store.create({ title: 'epic', tier: 'epic' });
  const phase = store.create({ title: 'phase', parentId: epic.id });
  store.update(phase.id, { status: 'in_progress', assignee: phase.id });
  const pending = { beadId: phase.id, agentName: phase.id, attempt: 1, outcome: 'plan_submitted' };
  expect(applyAgentOutcome(store, pending)).toMatchObject({ status: 'in_progress' });
  expect(applyAgentOutcome(store, { ...pending, outcome: 'noop' })).toMatchObject({
    status: 'closed',
    closeReason: 'no change',
  });
});
