// The file-system side of ChangeSpecs, used by SddStore (its methods are the public door).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ChangeSpec, changeSpecPath, parseChangeSpec, stringifyChangeSpec } from './change-spec.js';
import { SddError } from './errors.js';
import { listDirectory } from './internal/files.js';
import { monthOf, type SddChangeKind, sddChangeKind } from './layout.js';
import { assertValidChangeName } from './names.js';
import type { SddEntry, SddStore } from './sdd-store.js';

/** A ChangeSpec and where it is stored (`path` is relative to the SDD root). */
export interface StoredChangeSpec extends SddEntry<SddChangeKind> {
  changeSpec: ChangeSpec;
}

export interface WriteChangeSpecOptions {
  /**
   * `YYYYMM` directory for a new ChangeSpec. Default: the UTC month of its first timestamp, else of now. A
   * ChangeSpec that already exists (in any month) is rewritten where it is.
   */
  month?: string;
}

export interface UpdateChangeSpecOptions extends WriteChangeSpecOptions {
  /**
   * Makes the starting ChangeSpec when none of that name exists (`mutate` is then applied to it); without it,
   * a missing ChangeSpec is CHANGE_NOT_FOUND.
   */
  create?: () => ChangeSpec;
}

/** What `updateChangeSpec` does to the ChangeSpec read from disk; returns the ChangeSpec to write. */
export type ChangeSpecMutation = (changeSpec: ChangeSpec) => ChangeSpec | Promise<ChangeSpec>;

const monthPattern = /^\d{6}$/;

/**
 * Where the ChangeSpec named `name` (an agent name) is, in any month (the oldest month when hand edits left
 * several; `sase sdd validate` reports that), or undefined. Throws CHANGE_NAME_INVALID for a name that is not
 * an agent name. The same as `store.findChangeSpec(name)`.
 */
export function findChangeSpec(store: SddStore, name: string): SddEntry<SddChangeKind> | undefined {
  assertValidChangeName(name);
  for (const month of listDirectory(join(store.root, sddChangeKind))) {
    if (!month.isDirectory || !monthPattern.test(month.name)) continue;
    if (existsSync(join(store.root, sddChangeKind, month.name, `${name}.md`))) {
      return { kind: sddChangeKind, name, month: month.name, path: changeSpecPath(name, month.name) };
    }
  }
  return undefined;
}

export function readChangeSpec(store: SddStore, name: string): ChangeSpec {
  const entry = findChangeSpec(store, name);
  if (!entry) throw notFound(store, name);
  return readEntry(store, entry);
}

export function listChangeSpecs(store: SddStore): StoredChangeSpec[] {
  return store
    .list(sddChangeKind)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((entry) => ({ ...entry, changeSpec: readEntry(store, entry) }));
}

export function writeChangeSpec(
  store: SddStore,
  changeSpec: ChangeSpec,
  options: WriteChangeSpecOptions = {},
): StoredChangeSpec {
  const text = stringifyChangeSpec(changeSpec);
  const entry =
    findChangeSpec(store, changeSpec.name) ?? newEntry(changeSpec, options.month ?? defaultMonth(changeSpec));
  store.writeText(entry.path, text);
  return { ...entry, changeSpec };
}

export async function updateChangeSpec(
  store: SddStore,
  name: string,
  mutate: ChangeSpecMutation,
  options: UpdateChangeSpecOptions = {},
): Promise<ChangeSpec> {
  assertValidChangeName(name);
  return withChangeLock(store, name, async () => {
    const existing = findChangeSpec(store, name);
    let current: ChangeSpec;
    if (existing) current = readEntry(store, existing);
    else if (options.create) {
      current = options.create();
      if (current.name !== name) throw renamed(name, current.name, 'create()');
    } else throw notFound(store, name);
    const next = await mutate(current);
    if (next.name !== name) throw renamed(name, next.name, 'the update');
    const text = stringifyChangeSpec(next);
    const entry = existing ?? newEntry(next, options.month ?? defaultMonth(next));
    store.writeText(entry.path, text);
    return next;
  });
}

function newEntry(changeSpec: ChangeSpec, month: string): SddEntry<SddChangeKind> {
  return { kind: sddChangeKind, name: changeSpec.name, month, path: changeSpecPath(changeSpec.name, month) };
}

/** The UTC month of the first timestamp (when the change started), else of now. */
function defaultMonth(changeSpec: ChangeSpec): string {
  const first = changeSpec.timestamps[0] ? new Date(changeSpec.timestamps[0].time) : undefined;
  return monthOf(first && !Number.isNaN(first.getTime()) ? first : new Date());
}

function readEntry(store: SddStore, entry: SddEntry<SddChangeKind>): ChangeSpec {
  const file = store.workspacePath(entry.path);
  const { changeSpec, diagnostics } = parseChangeSpec(store.readText(entry.path), { file });
  if (changeSpec) return changeSpec;
  const errors = diagnostics.filter((diagnostic) => diagnostic.fatal);
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem(s))` : '';
  throw new SddError(
    'CHANGE_SPEC_INVALID',
    `Invalid ChangeSpec ${file}${first ? `:${first.line}: ${first.reason}` : ''}${more}; SASE does not rewrite a ChangeSpec it cannot read: fix the file (\`sase sdd validate\` lists every problem)`,
    {
      file,
      change: entry.name,
      ...(first ? { line: first.line, column: first.column } : {}),
      diagnostics,
    },
  );
}

function notFound(store: SddStore, name: string): SddError {
  return new SddError(
    'CHANGE_NOT_FOUND',
    `No ChangeSpec named "${name}" in ${store.workspacePath(sddChangeKind)}/ (any month); \`sase sdd list -k changes\` lists the ChangeSpecs`,
    { change: name },
  );
}

function renamed(name: string, other: unknown, by: string): SddError {
  return new SddError(
    'CHANGE_SPEC_INVALID',
    `ChangeSpec ${name}: ${by} returned a ChangeSpec named ${JSON.stringify(other)}; a ChangeSpec keeps the name of its agent`,
    { change: name },
  );
}

/**
 * Runs `fn` holding the cross-process lock of one ChangeSpec (`changes/.<name>.lock`, proper-lockfile: a
 * directory made atomically, its mtime refreshed while held, taken over when stale after 10 s). The lock is
 * per name, not per path, so that two processes creating the same ChangeSpec agree on one file.
 */
async function withChangeLock<T>(store: SddStore, name: string, fn: () => Promise<T>): Promise<T> {
  const { lock } = await import('proper-lockfile');
  const directory = join(store.root, sddChangeKind);
  mkdirSync(directory, { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lock(join(directory, `.${name}`), {
      realpath: false,
      stale: 10_000,
      retries: { retries: 3000, factor: 1.2, minTimeout: 2, maxTimeout: 20, randomize: true },
    });
  } catch (error) {
    throw new SddError(
      'CHANGE_LOCK_FAILED',
      `Could not take the lock of ChangeSpec ${name} (${store.workspacePath(`${sddChangeKind}/.${name}.lock`)}: ${(error as Error).message}); another sase process is updating it: try again`,
      { change: name, cause: error },
    );
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}
