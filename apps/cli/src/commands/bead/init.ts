import { defaultPrefixFor, initBeadStore } from '@sase/beads';
import { findWorkspace } from '@sase/workspace/config';
import type { CommandContext } from '../../io.js';

export interface BeadInitOptions extends CommandContext {
  prefix?: string;
}

/** `sase bead init [--prefix P]`: creates the bead store of the workspace (idempotent). */
export async function beadInit(options: BeadInitOptions): Promise<number> {
  const workspace = await findWorkspace(options.cwd);
  const prefix = options.prefix ?? workspace.config.beads.prefix ?? defaultPrefixFor(workspace.root);
  const store = initBeadStore({ dir: workspace.beadsDir, prefix });
  try {
    const count = store.list().length;
    if (options.json) {
      options.io.stdout(
        `${JSON.stringify({ dir: workspace.beadsDir, prefix: store.prefix, beads: count })}\n`,
      );
    } else {
      options.io.stdout(
        `bead store ready at ${workspace.beadsDir} (prefix ${store.prefix}, ${count} beads)\n`,
      );
    }
    return 0;
  } finally {
    store.dispose();
  }
}
