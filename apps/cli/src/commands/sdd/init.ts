import type { CommandContext } from '../../io.js';
import { openSdd } from './open-sdd.js';

export interface SddInitOptions extends CommandContext {
  env?: NodeJS.ProcessEnv;
}

/**
 * `sase sdd init`: creates the SDD tree (tales/ epics/ legends/ prompts/ beads/), its generated READMEs and
 * MAP.md, and in the default mode the standalone git repository. Running it again refreshes generated files.
 */
export async function sddInit(options: SddInitOptions): Promise<number> {
  const { store } = await openSdd(options.cwd, options.env ?? process.env);
  const result = await store.init();
  const root = store.workspacePath('.');
  if (options.json) {
    options.io.stdout(
      `${JSON.stringify({
        root,
        mode: store.mode,
        repository_created: result.isRepositoryCreated,
        written: result.written,
        commit: result.commit ?? null,
      })}\n`,
    );
    return 0;
  }
  const lines = [`SDD tree ${root}/ (${store.mode})`];
  if (result.isRepositoryCreated) lines.push('  created the git repository');
  for (const path of result.written) lines.push(`  wrote ${path}`);
  if (result.written.length === 0) lines.push('  up to date');
  if (result.commit) lines.push(`  commit ${result.commit.slice(0, 12)}`);
  options.io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
