import type { BeadStatus, IssueType, ListFilter, Tier } from '@sase/beads';
import type { CommandContext } from '../../io.js';
import { formatBeadTable, printJsonChunks, withStore } from './shared.js';

export interface BeadListOptions extends CommandContext {
  status?: BeadStatus[];
  type?: IssueType;
  tier?: Tier;
  parent?: string;
}

/** `sase bead list [-s STATUS]... [--type] [--tier] [--parent ID]`. */
export async function beadList(options: BeadListOptions): Promise<number> {
  return withStore(options, (store) => {
    const filter: ListFilter = {};
    if (options.status && options.status.length > 0) filter.status = options.status;
    if (options.type) filter.issueType = options.type;
    if (options.tier) filter.tier = options.tier;
    if (options.parent) filter.parentId = options.parent;
    if (options.json) printJsonChunks(options.io, (write) => store.writeListJson(filter, write));
    else options.io.stdout(formatBeadTable(store.list(filter)) || 'no beads\n');
    return 0;
  });
}
