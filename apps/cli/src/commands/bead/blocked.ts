import type { CommandContext } from '../../io.js';
import { formatBeadTable, printRecordLines, withStore } from './shared.js';

/** `sase bead blocked`: open beads with a `blocks` dependency that is not closed, each with its blockers. */
export async function beadBlocked(options: CommandContext): Promise<number> {
  return withStore(options, (store) => {
    if (options.json) {
      // Each record gains "blocked_by": the ids of the dependencies that are not closed (or missing).
      const lines = store
        .blockedLines()
        .map(({ line, blockedBy }) => `${line.slice(0, -1)},"blocked_by":${JSON.stringify(blockedBy)}}`);
      printRecordLines(options.io, lines);
    } else {
      const blocked = store.blocked();
      const blockers = new Map(blocked.map((entry) => [entry.bead.id, entry.blockedBy]));
      const text = formatBeadTable(
        blocked.map((entry) => entry.bead),
        (bead) => `  ← ${blockers.get(bead.id)!.join(', ')}`,
      );
      options.io.stdout(text || 'nothing is blocked\n');
    }
    return 0;
  });
}
