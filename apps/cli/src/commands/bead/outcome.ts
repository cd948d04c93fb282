import { applyAgentOutcome, openBeadStore } from '@sase/beads';
import type { DoneRecord } from '@sase/scheduler';

/**
 * Applies an agent's outcome to the bead it worked on (see applyAgentOutcome). A missing bead is ignored
 * (returns false).
 */
export function recordBeadOutcome(beadsDir: string, beadId: string, done: DoneRecord): boolean {
  const store = openBeadStore({ dir: beadsDir });
  try {
    if (!store.find(beadId)) return false;
    applyAgentOutcome(store, {
      beadId,
      agentName: done.name,
      attempt: done.attempt,
      outcome: done.outcome,
      error: done.error,
    });
    return true;
  } finally {
    store.dispose();
  }
}
