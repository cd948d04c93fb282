import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ChangeSpec } from './change-spec.js';
import {
  type ChangeSpecMutation,
  findChangeSpec,
  listChangeSpecs,
  readChangeSpec,
  type StoredChangeSpec,
  type UpdateChangeSpecOptions,
  updateChangeSpec,
  type WriteChangeSpecOptions,
  writeChangeSpec,
} from './change-store.js';
import { SddError } from './errors.js';
import { listDirectory, writeFileIfChanged } from './internal/files.js';
import {
  beadsReadme,
  changesReadme,
  directoryMap,
  kindReadme,
  type MapRow,
  rootGitignore,
  rootReadme,
} from './internal/generated-files.js';
import { commitAll, ensureRepository, type GitAuthor, resolveAuthor } from './internal/git.js';
import { type SddChangeKind, type SddKind, sddChangeKind, sddKinds, tierOfKind } from './layout.js';
import { isValidChangeName, isValidPlanName } from './names.js';
import { type Plan, parsePlan, stringifyPlan } from './plan.js';
import { type PromptSnapshot, parsePromptSnapshot, stringifyPromptSnapshot } from './prompt-snapshot.js';

/** `standalone`: `.sase/sdd/`, its own git repository. `version-controlled`: `sdd/` in the project. */
export type SddStorageMode = 'standalone' | 'version-controlled';

export interface SddStoreOptions {
  /** The workspace (project checkout) root. */
  workspaceRoot: string;
  /** `sdd.version_controlled` of sase.yml: true puts the tree at `sdd/` and never commits. Default false. */
  versionControlled?: boolean;
  /** Commit author in standalone mode; default from git config (see `resolveAuthor`), else `SASE <sase@localhost>`. */
  author?: GitAuthor;
  /** Environment used to find the git author ($GIT_AUTHOR_NAME, $HOME). Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** One file of the SDD tree at `{kind}/{YYYYMM}/{name}.md` (`SddEntry<SddChangeKind>` for a ChangeSpec). */
export interface SddEntry<Kind extends SddKind | SddChangeKind = SddKind> {
  kind: Kind;
  name: string;
  month: string;
  /** Relative to the SDD root, with `/`. */
  path: string;
}

export interface SddInitResult {
  root: string;
  /** True when the standalone repository was created by this call. */
  isRepositoryCreated: boolean;
  /** Generated files written (created or changed), relative to the SDD root. */
  written: string[];
  /** The commit made, if any (standalone mode, and only when something changed). */
  commit?: string;
}

const monthPattern = /^\d{6}$/;

/** Creates a handle on the SDD tree of a workspace. Nothing is read or written until a method is called. */
export function createSddStore(options: SddStoreOptions): SddStore {
  return new SddStore(options);
}

/**
 * The SDD tree of one workspace: reading, listing and writing plans and prompt snapshots, the generated
 * READMEs and MAP.md, and (standalone mode) committing every change with isomorphic-git.
 */
export class SddStore {
  readonly workspaceRoot: string;
  readonly mode: SddStorageMode;
  /** Absolute path of the SDD root. */
  readonly root: string;
  /** Absolute path of the bead store directory, `<root>/beads`. */
  readonly beadsDir: string;
  private readonly author?: GitAuthor;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: SddStoreOptions) {
    this.workspaceRoot = resolve(options.workspaceRoot);
    this.mode = options.versionControlled ? 'version-controlled' : 'standalone';
    this.root =
      this.mode === 'standalone' ? join(this.workspaceRoot, '.sase', 'sdd') : join(this.workspaceRoot, 'sdd');
    this.beadsDir = join(this.root, 'beads');
    if (options.author) this.author = options.author;
    this.env = options.env ?? process.env;
  }

  /** True when the tree exists (and, in standalone mode, is a git repository). */
  isInitialized(): boolean {
    if (!existsSync(this.root)) return false;
    return this.mode === 'version-controlled' || existsSync(join(this.root, '.git'));
  }

  /**
   * Creates the tree (tales/ epics/ legends/ prompts/ changes/ beads/), writes the generated READMEs and
   * MAP.md, and in standalone mode creates the git repository and commits. Running it again only refreshes
   * generated files, and commits only if one changed.
   */
  async init(): Promise<SddInitResult> {
    const directories = [...sddKinds, sddChangeKind, 'beads'];
    for (const directory of directories) mkdirSync(join(this.root, directory), { recursive: true });
    const isRepositoryCreated = this.mode === 'standalone' ? await ensureRepository(this.root) : false;
    const written = this.refreshGeneratedFiles();
    const commit = await this.commit(isRepositoryCreated ? 'sdd: init' : 'sdd: refresh generated files');
    return { root: this.root, isRepositoryCreated, written, ...(commit ? { commit } : {}) };
  }

  /** Runs init() when the tree is missing. */
  async ensureInitialized(): Promise<void> {
    if (!this.isInitialized()) await this.init();
  }

  /** The absolute path of an SDD-root-relative path. Refuses paths that leave the root. */
  absolutePath(path: string): string {
    const absolute = resolve(this.root, path);
    if (absolute !== this.root && !absolute.startsWith(this.root + sep)) {
      throw new SddError(
        'PATH_OUTSIDE_SDD_ROOT',
        `Path "${path}" is outside the SDD root ${this.root}; SDD paths look like epics/202611/auth-rework.md`,
        { file: path },
      );
    }
    return absolute;
  }

  /** An SDD-root-relative path as seen from the workspace root (`.sase/sdd/epics/...` or `sdd/epics/...`). */
  workspacePath(path: string): string {
    return relative(this.workspaceRoot, this.absolutePath(path)).split(sep).join('/');
  }

  /** The SDD-root-relative path of an absolute path, or undefined when it is outside the root. */
  relativePath(absolute: string): string | undefined {
    const path = relative(this.root, resolve(absolute));
    if (path === '' || path.startsWith('..') || isAbsolute(path)) return undefined;
    return path.split(sep).join('/');
  }

  exists(path: string): boolean {
    return existsSync(this.absolutePath(path));
  }

  readText(path: string): string {
    try {
      return readFileSync(this.absolutePath(path), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SddError('PLAN_NOT_FOUND', `No file ${this.workspacePath(path)} in the SDD tree`, {
          file: path,
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Writes a file (atomically, only if its content changed). True when written. */
  writeText(path: string, content: string): boolean {
    return writeFileIfChanged(this.absolutePath(path), content);
  }

  /** Reads and parses a plan; throws INVALID_PLAN carrying every diagnostic. */
  readPlan(path: string): Plan {
    const file = this.workspacePath(path);
    const { plan, diagnostics } = parsePlan(this.readText(path), { file });
    if (!plan) throw invalid('INVALID_PLAN', 'plan', file, diagnostics);
    return plan;
  }

  writePlan(path: string, plan: Plan): boolean {
    return this.writeText(path, stringifyPlan(plan));
  }

  /** Reads and parses a prompt snapshot; throws INVALID_PROMPT_SNAPSHOT carrying every diagnostic. */
  readPromptSnapshot(path: string): PromptSnapshot {
    const file = this.workspacePath(path);
    const { snapshot, diagnostics } = parsePromptSnapshot(this.readText(path), { file });
    if (!snapshot) throw invalid('INVALID_PROMPT_SNAPSHOT', 'prompt snapshot', file, diagnostics);
    return snapshot;
  }

  writePromptSnapshot(path: string, snapshot: PromptSnapshot): boolean {
    return this.writeText(path, stringifyPromptSnapshot(snapshot));
  }

  /**
   * Every `{kind}/{YYYYMM}/{name}.md` file, in kind order (tales, epics, legends, prompts), then month, then
   * name. Files elsewhere (READMEs, misplaced files) are not entries; `validateSdd` reports misplaced ones.
   * Without a kind: plans and prompt snapshots only; `list('changes')` (`sddChangeKind`) lists ChangeSpecs.
   */
  list(kind?: SddKind): SddEntry[];
  list(kind: SddChangeKind): SddEntry<SddChangeKind>[];
  list(kind?: SddKind | SddChangeKind): SddEntry<SddKind | SddChangeKind>[];
  list(kind?: SddKind | SddChangeKind): SddEntry<SddKind | SddChangeKind>[] {
    const entries: SddEntry<SddKind | SddChangeKind>[] = [];
    for (const each of kind ? [kind] : sddKinds) {
      const isValidName = each === sddChangeKind ? isValidChangeName : isValidPlanName;
      for (const month of listDirectory(join(this.root, each))) {
        if (!month.isDirectory || !monthPattern.test(month.name)) continue;
        for (const file of listDirectory(join(this.root, each, month.name))) {
          if (file.isDirectory || !file.name.endsWith('.md')) continue;
          const name = file.name.slice(0, -3);
          if (!isValidName(name)) continue;
          entries.push({ kind: each, name, month: month.name, path: `${each}/${month.name}/${file.name}` });
        }
      }
    }
    return entries;
  }

  /** Plans (any tier, any month) named `name`. More than one means the tree was edited by hand. */
  findPlans(name: string): SddEntry[] {
    return this.list().filter((entry) => entry.kind !== 'prompts' && entry.name === name);
  }

  /**
   * Finds a plan from what a user typed: a path (absolute, relative to `cwd`, or relative to the SDD root)
   * or a plan name. Throws PLAN_NOT_FOUND, or AMBIGUOUS_PLAN when a name matches several plans.
   */
  resolvePlan(reference: string, options: { cwd?: string } = {}): SddEntry {
    const looksLikePath = reference.includes('/') || reference.includes(sep) || reference.endsWith('.md');
    if (looksLikePath) {
      const candidates = [
        resolve(options.cwd ?? this.workspaceRoot, reference),
        resolve(this.root, reference),
      ];
      for (const candidate of candidates) {
        const path = this.relativePath(candidate);
        if (!path || !existsSync(candidate)) continue;
        const entry = this.list().find((each) => each.path === path && each.kind !== 'prompts');
        if (entry) return entry;
      }
      throw new SddError(
        'PLAN_NOT_FOUND',
        `No plan at "${reference}"; give a plan name or a path such as ${this.workspacePath('epics/202611/auth-rework.md')}`,
        { plan: reference },
      );
    }
    const found = this.findPlans(reference);
    if (found.length === 1) return found[0]!;
    if (found.length === 0) {
      throw new SddError(
        'PLAN_NOT_FOUND',
        `No plan named "${reference}" in ${this.workspacePath('.') || '.'}; \`sase sdd list\` shows the plans`,
        { plan: reference },
      );
    }
    throw new SddError(
      'AMBIGUOUS_PLAN',
      `Plan name "${reference}" matches ${found.map((entry) => entry.path).join(', ')}; give the path instead`,
      { plan: reference },
    );
  }

  /**
   * Where the ChangeSpec named `name` (an agent name) is, in any month; undefined when there is none. Throws
   * CHANGE_NAME_INVALID for a name that is not an agent name.
   */
  findChangeSpec(name: string): SddEntry<SddChangeKind> | undefined {
    return findChangeSpec(this, name);
  }

  /**
   * Reads the ChangeSpec named `name` from any month. Throws CHANGE_NOT_FOUND, or CHANGE_SPEC_INVALID (with
   * file, line and every diagnostic) when the file does not parse.
   */
  readChangeSpec(name: string): ChangeSpec {
    return readChangeSpec(this, name);
  }

  /**
   * Every ChangeSpec, sorted by path. Throws CHANGE_SPEC_INVALID (file, line, every diagnostic) at the first
   * file that does not parse; `list('changes')` with `parseChangeSpec` reads a tree that has broken files.
   */
  listChangeSpecs(): StoredChangeSpec[] {
    return listChangeSpecs(this);
  }

  /**
   * Writes a ChangeSpec (atomically: temporary file + rename) at `changes/<month>/<name>.md`, creating the
   * month directory; a ChangeSpec of that name that exists in another month is rewritten where it is. Takes
   * no lock: use `updateChangeSpec` where another process may be writing the same ChangeSpec.
   */
  writeChangeSpec(changeSpec: ChangeSpec, options: WriteChangeSpecOptions = {}): StoredChangeSpec {
    return writeChangeSpec(this, changeSpec, options);
  }

  /**
   * Read-modify-write of one ChangeSpec under a cross-process lock, so that concurrent updates (from several
   * processes) are applied one after the other and none is lost. Without an existing file, `create()` makes
   * the starting ChangeSpec (else CHANGE_NOT_FOUND). A file that does not parse is never overwritten:
   * CHANGE_SPEC_INVALID names its file and line. Returns the ChangeSpec written.
   */
  updateChangeSpec(
    name: string,
    mutate: ChangeSpecMutation,
    options: UpdateChangeSpecOptions = {},
  ): Promise<ChangeSpec> {
    return updateChangeSpec(this, name, mutate, options);
  }

  /** Rewrites the READMEs, MAP.md and (standalone) .gitignore; returns the paths that changed. */
  refreshGeneratedFiles(): string[] {
    const files: Array<[string, string]> = [
      ['README.md', rootReadme(this.mode)],
      ...sddKinds.map((kind): [string, string] => [`${kind}/README.md`, kindReadme(kind)]),
      [`${sddChangeKind}/README.md`, changesReadme()],
      ['beads/README.md', beadsReadme()],
      ['MAP.md', directoryMap(this.mapRows())],
    ];
    if (this.mode === 'standalone') files.push(['.gitignore', rootGitignore()]);
    return files.filter(([path, content]) => this.writeText(path, content)).map(([path]) => path);
  }

  private mapRows(): MapRow[] {
    return this.list().map((entry): MapRow => {
      const row: MapRow = { kind: entry.kind, path: entry.path, name: entry.name };
      if (!tierOfKind(entry.kind)) return row;
      const { plan } = parsePlan(this.readText(entry.path), { file: entry.path });
      if (!plan) return { ...row, isInvalid: true };
      const { title, status, bead, prompt } = plan.frontmatter;
      return { ...row, title, status, ...(bead ? { bead } : {}), ...(prompt ? { link: prompt } : {}) };
    });
  }

  /**
   * Standalone mode: commits every change in the SDD repository (plans, prompts, generated files and the
   * bead store's JSONL and config) as one commit with `message`; returns its id, or undefined when nothing
   * changed. Version-controlled mode: does nothing and returns undefined.
   */
  async commit(message: string): Promise<string | undefined> {
    if (this.mode !== 'standalone') return undefined;
    await ensureRepository(this.root);
    // The SDD repository's own identity, else the project repository's, else the user's.
    const author = this.author ?? (await resolveAuthor(this.root, this.env, [this.workspaceRoot]));
    return commitAll(this.root, message, author);
  }
}

function invalid(
  code: 'INVALID_PLAN' | 'INVALID_PROMPT_SNAPSHOT',
  what: string,
  file: string,
  diagnostics: SddError['diagnostics'],
): SddError {
  const first = diagnostics[0];
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more problem(s))` : '';
  return new SddError(
    code,
    `Invalid ${what} ${file}${first ? `:${first.line}: ${first.reason}` : ''}${more}; run \`sase sdd validate\` for the full list`,
    { file, ...(first ? { line: first.line, column: first.column } : {}), diagnostics },
  );
}
