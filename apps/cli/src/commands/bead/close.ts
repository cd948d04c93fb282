import type { Bead } from '@sase/beads';
import type { CommandContext } from '../../io.js';
import { formatBeadTable, idList, printBeadsJson, withStore } from './shared.js';

export interface BeadCloseOptions extends CommandContext {
  ids: string[];
  reason?: string;
}

/**
 * `sase bead close ID... [-r REASON]`: all or none (one transaction). A bead that is already closed stays
 * closed (its closed_at is kept) and is reported as such; a reason given replaces its close reason.
 */
export async function beadClose(options: BeadCloseOptions): Promise<number> {
  return withStore(options, (store) => {
    const reason = options.reason ? { reason: options.reason } : {};
    const results = store.batch((s) =>
      idList(options.ids).map((id) => {
        const before = s.get(id);
        return { before, after: s.close(before.id, reason)[0]! };
      }),
    );
    if (options.json) {
      printBeadsJson(
        options.io,
        results.map(({ after }) => after),
      );
      return 0;
    }
    const closed = results.filter(({ before }) => before.status !== 'closed').map(({ after }) => after);
    if (closed.length > 0)
      options.io.stdout(`closed ${closed.length === 1 ? '' : '\n'}${formatBeadTable(closed)}`);
    for (const { before, after } of results) {
      if (before.status === 'closed') options.io.stdout(`${alreadyClosed(before, after)}\n`);
    }
    return 0;
  });
}

/** What closing a closed bead did: nothing, or a new reason. */
function alreadyClosed(before: Bead, after: Bead): string {
  const since = before.closedAt ? ` (since ${before.closedAt})` : '';
  if (after.closeReason !== before.closeReason) {
    const was = before.closeReason === undefined ? 'none' : JSON.stringify(before.closeReason);
    return `${after.id} was already closed${since}; its reason is now ${JSON.stringify(after.closeReason)} (was ${was})`;
  }
  const kept = before.closeReason === undefined ? '' : `; reason kept: ${JSON.stringify(before.closeReason)}`;
  return `${after.id} was already closed${since}${kept}`;
}

export interface BeadReopenOptions extends CommandContext {
  id: string;
}

/** `sase bead reopen ID`: a bead that is not closed is left as it is, and the command says so. */
export async function beadReopen(options: BeadReopenOptions): Promise<number> {
  return withStore(options, (store) => {
    const [before, bead] = store.batch((s) => {
      const current = s.get(options.id);
      return [current, s.reopen(current.id)] as const;
    });
    if (options.json) printBeadsJson(options.io, [bead]);
    else if (before.status === 'closed') options.io.stdout(`reopened ${formatBeadTable([bead])}`);
    else if (before.status === 'open') options.io.stdout(`${bead.id} is already open; nothing to reopen\n`);
    else
      options.io.stdout(
        `${bead.id} is in progress${bead.assignee ? ` (${bead.assignee})` : ''}, not closed; nothing to reopen\n`,
      );
    return 0;
  });
}
