import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
  advanceStoreConfig,
  CONFIG_FILE,
  JSONL_FILE,
  mergeJsonl,
  mergeStoreConfig,
  parseStoreConfig,
} from '@sase/beads';
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
 *
 * Ids it renumbers are past both sides' counters, so the merged config.json must count past them too. Git
 * runs the driver in the top of the working tree, issues.jsonl before config.json (it merges paths in
 * reverse order), and config.json only when both sides changed it differently. So the issues.jsonl merge
 * raises next_counter in the working tree's config.json (PATH's neighbour), and the config.json merge
 * takes the larger of both sides and that file: the raised counter is part of the merge when git merges
 * config.json, and a change in the working tree (committed with the next one) when git took it as it was.
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
    const atLeast = options.path === undefined ? undefined : counterIn(resolve(options.cwd, options.path));
    writeFileAtomic(
      target,
      mergeStoreConfig(baseText, oursText, theirsText, atLeast === undefined ? {} : { atLeast }),
    );
    if (options.json) printJson(options.io, { file: name, merged: 'config' });
    return 0;
  }
  const result = mergeJsonl(baseText, oursText, theirsText, {
    files: { base: `${name} (base)`, ours: `${name} (ours)`, theirs: `${name} (theirs)` },
  });
  writeFileAtomic(target, result.text);
  const counter =
    result.renamed.length > 0 && options.path !== undefined
      ? raiseCounter(join(dirname(resolve(options.cwd, options.path)), CONFIG_FILE), result.records)
      : undefined;
  if (options.json) {
    printJson(options.io, {
      file: name,
      beads: result.records.length,
      renamed: result.renamed,
      conflicts: result.conflicts,
      cycles: result.cycles,
      ...(counter === undefined ? {} : { next_counter: counter }),
    });
    return 0;
  }
  for (const { from, to } of result.renamed) {
    options.io.stderr(`sase bead merge: ${name}: their ${from} is now ${to} (both sides created ${from})\n`);
  }
  if (counter !== undefined) {
    const config = join(dirname(name), CONFIG_FILE);
    options.io.stderr(
      `sase bead merge: ${config}: next_counter raised to ${counter}, past the renumbered ids\n`,
    );
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
  /**
   * The command git runs; `%O %A %B %P` are appended. Default: this very CLI by absolute path
   * (`'<node>' '<…/dist/bin.cjs>' bead merge`), so the driver works whether or not `sase` is on git's PATH
   * (git falls back to a plain conflict, silently, when the driver cannot start).
   */
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
  const driver = `${options.command ?? (await defaultDriverCommand())} %O %A %B %P`;
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

/** `'<node>' '<this CLI>' bead merge`, or `sase bead merge` when the built CLI cannot be found. */
async function defaultDriverCommand(): Promise<string> {
  const { saseBinPath } = await import('../axe/workspace-supervisor.js');
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  try {
    return `${quote(process.execPath)} ${quote(saseBinPath())} bead merge`;
  } catch {
    return DEFAULT_COMMAND;
  }
}

/** The next_counter of the config.json at `file`, if there is a readable one. */
function counterIn(file: string): number | undefined {
  try {
    return parseStoreConfig(readFileSync(file, 'utf8'), file).nextCounter;
  } catch {
    return undefined;
  }
}

/**
 * Raises next_counter in the config.json at `file` past every plan id of `records`; returns the new counter,
 * or undefined when it was already past them (or there is no readable config.json there: a merge outside a
 * working tree).
 */
function raiseCounter(file: string, records: Parameters<typeof advanceStoreConfig>[1]): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let advanced: string | undefined;
  try {
    advanced = advanceStoreConfig(text, records, file);
  } catch {
    return undefined;
  }
  if (advanced === undefined) return undefined;
  writeFileAtomic(file, advanced);
  return parseStoreConfig(advanced, file).nextCounter;
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
