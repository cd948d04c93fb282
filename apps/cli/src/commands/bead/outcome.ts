import { applyAgentOutcome, openBeadStore } from '@sase/beads';
import type { DoneRecord } from '@sase/scheduler';

/** Applies an agent's outcome to the bead it worked on (see applyAgentOutcome). A missing bead is ignored. */
export function recordBeadOutcome(beadsDir: string, beadId: string, done: DoneRecord): void {
  const store = openBeadStore({ dir: beadsDir });
  try {
    if (!store.find(beadId)) return;
    applyAgentOutcome(store, {
      beadId,
      agentName: done.name,
      attempt: done.attempt,
      outcome: done.outcome,
      error: done.error,
    });
  } finally {
    store.dispose();
  }
}
