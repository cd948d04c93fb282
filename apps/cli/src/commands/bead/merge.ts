import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { CONFIG_FILE, JSONL_FILE, mergeJsonl, mergeStoreConfig } from '@sase/beads';
import { findWorkspace } from '@sase/workspace/config';
import { CliError } from '../../errors.js';
import { writeFileAtomic } from '../../internal/write-file-atomic.js';
import { type CommandContext, printJson } from '../../io.js';

/** The merge driver's name in .gitattributes and git config. */
export const DRIVER = 'sase-beads';
const DEFAULT_COMMAND = 'sase bead merge';

export interface BeadMergeOptions extends CommandContext {
  base?: string;
  ours?: string;
  theirs?: string;
  /** The path of the file in the repository (git's %P), for messages and to tell config.json apart. */
  path?: string;
}

/**
 * `sase bead merge BASE OURS THEIRS [PATH]`: git's merge driver for a bead store (%O %A %B %P). Merges the
 * three versions of issues.jsonl record by record (or of config.json: the larger counter) and writes the
 * result over OURS, which is what git keeps. Exit 0 when merged; 1 (OURS untouched, git reports a
 * conflict) when an input is not a store file.
 */
export async function beadMerge(options: BeadMergeOptions): Promise<number> {
  const { base, ours, theirs } = options;
  if (base === undefined || ours === undefined || theirs === undefined) {
    throw new CliError(
      'INVALID_INPUT',
      'sase bead merge needs three files, BASE OURS THEIRS (git passes %O %A %B), or --install to set the driver up',
    );
  }
  const read = (file: string) => {
    try {
      return readFileSync(resolve(options.cwd, file), 'utf8');
    } catch (error) {
      throw new CliError('INVALID_INPUT', `cannot read ${file}: ${(error as Error).message}`);
    }
  };
  const name = options.path ?? ours;
  const [baseText, oursText, theirsText] = [read(base), read(ours), read(theirs)];
  const target = resolve(options.cwd, ours);

  if (basename(name) === CONFIG_FILE) {
    writeFileAtomic(target, mergeStoreConfig(baseText, oursText, theirsText));
    if (options.json) printJson(options.io, { file: name, merged: 'config' });
    return 0;
  }
  const result = mergeJsonl(baseText, oursText, theirsText, {
    files: { base: `${name} (base)`, ours: `${name} (ours)`, theirs: `${name} (theirs)` },
  });
  writeFileAtomic(target, result.text);
  if (options.json) {
    printJson(options.io, {
      file: name,
      beads: result.records.length,
      renamed: result.renamed,
      conflicts: result.conflicts,
      cycles: result.cycles,
    });
    return 0;
  }
  for (const { from, to } of result.renamed) {
    options.io.stderr(`sase bead merge: ${name}: their ${from} is now ${to} (both sides created ${from})\n`);
  }
  for (const conflict of result.conflicts) {
    options.io.stderr(
      `sase bead merge: ${name}: ${conflict.id} ${conflict.field} changed on both sides; kept ${conflict.taken} ` +
        `(later updated_at): ${JSON.stringify(conflict.taken === 'ours' ? conflict.ours : conflict.theirs)}\n`,
    );
  }
  for (const cycle of result.cycles) {
    options.io.stderr(
      `sase bead merge: ${name}: the merged dependencies close the blocks cycle ${cycle.join(' → ')}; ` +
        'remove one edge with `sase bead dep rm`\n',
    );
  }
  return 0;
}

export interface BeadMergeInstallOptions extends CommandContext {
  /** The command git runs (default `sase bead merge`); `%O %A %B %P` are appended. */
  command?: string;
}

/**
 * `sase bead merge --install`: makes git use the driver for this workspace's bead store. Adds
 * `<store>/issues.jsonl merge=sase-beads` and `<store>/config.json merge=sase-beads` to the .gitattributes of
 * the repository that holds the store (the project's, or .sase/sdd's own), and sets
 * `merge.sase-beads.driver` in that repository's config. Idempotent.
 */
export async function beadMergeInstall(options: BeadMergeInstallOptions): Promise<number> {
  const workspace = await findWorkspace(options.cwd);
  // A version-controlled store (sdd/) lives in the project's repository; the default one (.sase/sdd/, which
  // the project ignores) in the SDD root's own repository.
  const repository = workspace.config.sdd.versionControlled
    ? repositoryOf(workspace.beadsDir)
    : existsSync(join(workspace.sddRoot, '.git'))
      ? workspace.sddRoot
      : undefined;
  if (!repository) {
    throw new CliError(
      'NOT_A_GIT_REPOSITORY',
      workspace.config.sdd.versionControlled
        ? `${workspace.beadsDir} is not inside a git repository; run \`git init\` in ${workspace.root} first`
        : `${workspace.sddRoot} has no git repository yet; create it with \`sase sdd init\` (or set ` +
            'sdd.version_controlled: true in sase.yml to keep the store in the project repository)',
    );
  }
  const store = relative(repository, workspace.beadsDir).split(sep).join('/');
  const patterns = [JSONL_FILE, CONFIG_FILE].map((file) => `${store}/${file}`);
  const attributesFile = join(repository, '.gitattributes');
  const existing = existsSync(attributesFile) ? readFileSync(attributesFile, 'utf8') : '';
  const present = new Set(existing.split('\n').map((line) => line.trim()));
  const missing = patterns
    .map((pattern) => `${pattern} merge=${DRIVER}`)
    .filter((line) => !present.has(line));
  if (missing.length > 0) {
    const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
    writeFileAtomic(attributesFile, `${existing}${separator}${missing.join('\n')}\n`);
  }
  const driver = `${options.command ?? DEFAULT_COMMAND} %O %A %B %P`;
  const git = await import('isomorphic-git');
  const fs = await import('node:fs');
  await git.setConfig({ fs, dir: repository, path: `merge.${DRIVER}.name`, value: 'SASE bead store merge' });
  await git.setConfig({ fs, dir: repository, path: `merge.${DRIVER}.driver`, value: driver });
  if (options.json) {
    printJson(options.io, { repository, attributes: patterns, driver });
  } else {
    options.io.stdout(
      `git in ${repository} now merges ${patterns.join(' and ')} with \`${driver}\`` +
        (missing.length > 0 ? ' (commit .gitattributes to share the setting)\n' : '\n'),
    );
  }
  return 0;
}

/** The nearest directory at or above `dir` that has a `.git`. */
function repositoryOf(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    if (existsSync(join(current, '.git'))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
