import { type Bead, type GraphFormat, renderDependencyGraph } from '@sase/beads';
import type { CommandContext } from '../../io.js';
import { withStore } from './shared.js';

export interface BeadGraphOptions extends CommandContext {
  id?: string;
  format: GraphFormat;
}

/**
 * `sase bead graph [ID] --format mermaid|dot`: with an ID, that bead and everything below it (an epic and
 * its phases, a legend and its epics); without one, the whole store. Dependencies outside are drawn as
 * plain nodes.
 */
export async function beadGraph(options: BeadGraphOptions): Promise<number> {
  return withStore(options, (store) => {
    let beads: Bead[];
    if (options.id) {
      const root = store.get(options.id);
      beads = [root];
      for (let index = 0; index < beads.length; index++)
        beads.push(...store.list({ parentId: beads[index]!.id }));
    } else {
      beads = store.list();
    }
    const text = renderDependencyGraph(beads, options.format);
    options.io.stdout(options.json ? `${JSON.stringify({ format: options.format, graph: text })}\n` : text);
    return 0;
  });
}
