import type { CreateBeadInput, IssueType, Tier } from '@sase/beads';
import type { CommandContext } from '../../io.js';
import { formatBeadTable, idList, recordLine, withStore } from './shared.js';

export interface BeadCreateOptions extends CommandContext {
  title: string;
  description?: string;
  type?: IssueType;
  tier?: Tier;
  parent?: string;
  design?: string;
  model?: string;
  assignee?: string;
  notes?: string;
  epicCount?: number;
  deps?: string[];
}

/** `sase bead create -t TITLE ...`: prints the new bead (its record with --json). */
export async function beadCreate(options: BeadCreateOptions): Promise<number> {
  return withStore(options, (store) => {
    const input: CreateBeadInput = { title: options.title };
    if (options.description !== undefined) input.description = options.description;
    if (options.type !== undefined) input.issueType = options.type;
    if (options.tier !== undefined) input.tier = options.tier;
    if (options.parent !== undefined) input.parentId = options.parent;
    if (options.design !== undefined) input.design = options.design;
    if (options.model !== undefined) input.model = options.model;
    if (options.assignee !== undefined) input.assignee = options.assignee;
    if (options.notes !== undefined) input.notes = options.notes;
    if (options.epicCount !== undefined) input.epicCount = options.epicCount;
    if (options.deps !== undefined) input.dependencies = idList(options.deps);
    const bead = store.create(input);
    options.io.stdout(options.json ? `${recordLine(bead)}\n` : `created ${formatBeadTable([bead])}`);
    return 0;
  });
}
