import type { BeadStatus, UpdateBeadInput } from '@sase/beads';
import { CliError } from '../../errors.js';
import type { CommandContext } from '../../io.js';
import { formatBeadTable, idList, printBeadsJson, withStore } from './shared.js';

export interface BeadUpdateOptions extends CommandContext {
  ids: string[];
  status?: BeadStatus;
  title?: string;
  description?: string;
  assignee?: string;
  model?: string;
  design?: string;
  notes?: string;
  /** Hand a bead someone else holds to another assignee. */
  force?: boolean;
}

/**
 * `sase bead update ID... [-s] [-t] [-d] [-a] [-m] [--design] [--notes] [--force]`: an empty value clears a
 * field. A bead someone else holds (in progress) keeps its holder unless --force (ALREADY_CLAIMED).
 */
export async function beadUpdate(options: BeadUpdateOptions): Promise<number> {
  const patch: UpdateBeadInput = {};
  for (const key of ['status', 'title', 'description', 'assignee', 'model', 'design', 'notes'] as const) {
    if (options[key] !== undefined) (patch as Record<string, unknown>)[key] = options[key];
  }
  if (Object.keys(patch).length === 0) {
    throw new CliError(
      'NOTHING_TO_UPDATE',
      'nothing to update: give at least one of -s STATUS, -t TITLE, -d DESC, -a ASSIGNEE, -m MODEL, --design PATH, --notes TEXT',
    );
  }
  return withStore(options, (store) => {
    const force = { force: Boolean(options.force) };
    const beads = store.batch((s) => idList(options.ids).map((id) => s.update(id, patch, force)));
    if (options.json) printBeadsJson(options.io, beads);
    else options.io.stdout(`updated ${beads.length === 1 ? '' : '\n'}${formatBeadTable(beads)}`);
    return 0;
  });
}
