import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../../io.js';
import { openSdd } from './open-sdd.js';

export interface SddCommitOptions extends CommandContext {
  message?: string;
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_MESSAGE = 'sdd: commit pending changes';

/**
 * `sase sdd commit [-m MESSAGE]`: commits everything pending in the standalone SDD repository (`.sase/sdd/`):
 * bead edits made with `sase bead`, hand-edited plans, generated files. `sase plan` and the supervisor
 * commit on their own; this is for the rest. A version-controlled tree (`sdd/`) is committed with the
 * project's own git, so there it only says so.
 */
export async function sddCommit(options: SddCommitOptions): Promise<number> {
  const { store } = await openSdd(options.cwd, options.env ?? process.env);
  const root = store.workspacePath('.');
  if (store.mode !== 'standalone') {
    const note = `${root}/ is part of the project repository (sdd.version_controlled): commit it with git`;
    options.io.stdout(
      options.json ? `${JSON.stringify({ root, mode: store.mode, commit: null })}\n` : `${note}\n`,
    );
    return 0;
  }
  // Like `sase plan`, the first commit creates the repository if `sase sdd init` was never run.
  const isNew = !existsSync(join(store.root, '.git'));
  const commit = (await store.commit(options.message ?? DEFAULT_MESSAGE)) ?? null;
  if (options.json) {
    options.io.stdout(`${JSON.stringify({ root, mode: store.mode, repository_created: isNew, commit })}\n`);
  } else {
    options.io.stdout(
      commit ? `committed ${commit.slice(0, 12)} in ${root}/\n` : `nothing to commit in ${root}/\n`,
    );
  }
  return 0;
}
