import type { CommandContext } from '../../io.js';
import { formatBeadTable, printJsonChunks, withStore } from './shared.js';

/** `sase bead ready`: open beads whose `blocks` dependencies are all closed. */
export async function beadReady(options: CommandContext): Promise<number> {
  return withStore(options, (store) => {
    if (options.json) printJsonChunks(options.io, (write) => store.writeReadyJson(write));
    else options.io.stdout(formatBeadTable(store.ready()) || 'nothing is ready\n');
    return 0;
  });
}
