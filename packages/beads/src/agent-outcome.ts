import type { Bead } from './record.js';
import type { BeadStore } from './store.js';

/** How an agent that worked on a bead ended (the fields of its `done.json` that matter here). */
export interface AgentOutcome {
  beadId: string;
  agentName: string;
  attempt: number;
  /** `completed` and `noop` close the bead; `failed` and `killed` reopen it; any other outcome changes nothing. */
  outcome: 'completed' | 'noop' | 'failed' | 'killed' | (string & {});
  error?: string | null;
}

/**
 * Keeps a bead in step with the agent that worked on it. `completed` closes the bead if the agent did not
 * close it itself; `noop` (the agent changed nothing) closes it with the reason `no change`. `failed` or `killed` moves an `in_progress` bead back to `open` and notes the failure,
 * so the next `sase bead work` schedules it again. Idempotent: applying the same outcome twice changes
 * nothing the second time. Returns the bead as it is afterwards.
 */
export function applyAgentOutcome(store: BeadStore, result: AgentOutcome): Bead {
  return store.batch((s) => {
    const bead = s.get(result.beadId);
    const label = `agent ${result.agentName} attempt ${result.attempt}`;
    if (result.outcome === 'completed' || result.outcome === 'noop') {
      if (bead.status === 'closed') return bead;
      const reason = result.outcome === 'noop' ? 'no change' : `completed by ${label}`;
      return s.close(bead.id, { reason })[0]!;
    }
    if (result.outcome !== 'failed' && result.outcome !== 'killed') return bead;
    const line = `${label} ${result.outcome}${result.error ? `: ${result.error}` : ''}`;
    if (bead.notes?.includes(`${label} ${result.outcome}`)) return bead;
    const notes = bead.notes ? `${bead.notes}\n${line}` : line;
    return s.update(bead.id, bead.status === 'in_progress' ? { status: 'open', notes } : { notes });
  });
}
