import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defaultPrefixFor, findWorkspaceRoot, initBeadStore } from '@sase/beads';
import { findWorkspace, loadConfig } from '@sase/workspace/config';
import { writeFileAtomic } from '../../internal/write-file-atomic.js';
import type { CommandContext } from '../../io.js';

export interface InitOptions extends CommandContext {
  prefix?: string;
}

/**
 * `sase init`: creates `.sase/` at the workspace root (the nearest directory with sase.yml or .git, else
 * cwd), adds `.sase/` to the root `.gitignore`, and creates the bead store. Safe to run again.
 */
export async function init(options: InitOptions): Promise<number> {
  const root = findWorkspaceRoot(options.cwd) ?? options.cwd;
  await loadConfig(root); // a broken sase.yml is reported before anything is created
  mkdirSync(join(root, '.sase'), { recursive: true });
  const gitignore = join(root, '.gitignore');
  const current = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  const addedIgnore = !current
    .split(/\r?\n/)
    .some((line) => ['.sase', '.sase/', '/.sase', '/.sase/'].includes(line.trim()));
  if (addedIgnore) {
    const separator = current === '' || current.endsWith('\n') ? '' : '\n';
    writeFileAtomic(
      gitignore,
      `${current}${separator}# SASE checkout-local state (agents, supervisor, SDD repository)\n.sase/\n`,
    );
  }
  const workspace = await findWorkspace(root);
  const prefix = options.prefix ?? workspace.config.beads.prefix ?? defaultPrefixFor(root);
  const store = initBeadStore({ dir: workspace.beadsDir, prefix });
  const result = {
    root,
    beads_dir: workspace.beadsDir,
    prefix: store.prefix,
    gitignore_updated: addedIgnore,
  };
  store.dispose();
  if (options.json) {
    options.io.stdout(`${JSON.stringify(result)}\n`);
  } else {
    options.io.stdout(
      `initialised SASE in ${root}\n  bead store  ${relative(root, workspace.beadsDir)} (prefix ${result.prefix})\n` +
        (addedIgnore ? '  .gitignore  added .sase/\n' : ''),
    );
  }
  return 0;
}
