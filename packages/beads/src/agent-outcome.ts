import type { Bead } from './record.js';
import type { BeadStore } from './store.js';

/** How an agent that worked on a bead ended (the fields of its `done.json` that matter here). */
export interface AgentOutcome {
  beadId: string;
  agentName: string;
  attempt: number;
  outcome: 'completed' | 'failed' | 'killed';
  error?: string | null;
}

/**
 * Keeps a bead in step with the agent that worked on it. `completed` closes the bead if the agent did not
 * close it itself. `failed` or `killed` moves an `in_progress` bead back to `open` and notes the failure,
 * so the next `sase bead work` schedules it again. Idempotent: applying the same outcome twice changes
 * nothing the second time. Returns the bead as it is afterwards.
 */
export function applyAgentOutcome(store: BeadStore, result: AgentOutcome): Bead {
  return store.batch((s) => {
    const bead = s.get(result.beadId);
    const label = `agent ${result.agentName} attempt ${result.attempt}`;
    if (result.outcome === 'completed') {
      if (bead.status === 'closed') return bead;
      return s.close(bead.id, { reason: `completed by ${label}` })[0]!;
    }
    const line = `${label} ${result.outcome}${result.error ? `: ${result.error}` : ''}`;
    if (bead.notes?.includes(`${label} ${result.outcome}`)) return bead;
    const notes = bead.notes ? `${bead.notes}\n${line}` : line;
    return s.update(bead.id, bead.status === 'in_progress' ? { status: 'open', notes } : { notes });
  });
}
