import { applyAgentOutcome, openBeadStore } from '@sase/beads';
import { type DoneRecord, isRetryableOutcome, isWaitSatisfying } from '@sase/scheduler';
import type { Workspace } from './config.js';

/**
 * Applies an agent's outcome to the bead it worked on: `completed` and `noop` close a phase (`noop` with the
 * reason `no change`), `failed` and `killed` reopen it with the failure in its notes. A plan bead (an epic,
 * a legend) is not closed by its land agent's exit: landing closes an epic (`sase change land`), so a land
 * agent that exits 0 without landing leaves its epic open. Returns false when nothing changed.
 */
export function recordBeadOutcome(workspace: Workspace, done: DoneRecord, beadId: string): boolean {
  const store = openBeadStore({ dir: workspace.beadsDir });
  try {
    const bead = store.find(beadId);
    if (!bead) return false;
    if (bead.issueType === 'plan' && isWaitSatisfying(done.outcome)) return false;
    // The store knows completed, noop, failed and killed: every outcome that satisfies a wait closes a
    // phase like `completed`; one that awaits a decision (a plan, a review) changes nothing yet.
    const outcome = done.outcome === 'noop' || !isWaitSatisfying(done.outcome) ? done.outcome : 'completed';
    if (!isWaitSatisfying(done.outcome) && !isRetryableOutcome(done.outcome)) return false;
    applyAgentOutcome(store, {
      beadId,
      agentName: done.name,
      attempt: done.attempt,
      outcome,
      error: done.error,
    });
    return true;
  } finally {
    store.dispose();
  }
}
