import type { CommandContext } from '../../io.js';
import { formatBeadTable, idList, printBeadsJson, withStore } from './shared.js';

export interface BeadCloseOptions extends CommandContext {
  ids: string[];
  reason?: string;
}

/** `sase bead close ID... [-r REASON]`: all or none (one transaction). */
export async function beadClose(options: BeadCloseOptions): Promise<number> {
  return withStore(options, (store) => {
    const beads = store.close(idList(options.ids), options.reason ? { reason: options.reason } : {});
    if (options.json) printBeadsJson(options.io, beads);
    else options.io.stdout(`closed ${beads.length === 1 ? '' : '\n'}${formatBeadTable(beads)}`);
    return 0;
  });
}

export interface BeadReopenOptions extends CommandContext {
  id: string;
}

/** `sase bead reopen ID`. */
export async function beadReopen(options: BeadReopenOptions): Promise<number> {
  return withStore(options, (store) => {
    const bead = store.reopen(options.id);
    if (options.json) printBeadsJson(options.io, [bead]);
    else options.io.stdout(`reopened ${formatBeadTable([bead])}`);
    return 0;
  });
}
