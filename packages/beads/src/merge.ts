import { nextChildId, nextPlanId, parentOf } from './internal/ids.js';
import { parseJsonl, stringifyJsonl } from './jsonl.js';
import { compareIds } from './natural-sort.js';
import type { BeadRecord, Dependency } from './record.js';
import { FIELDS } from './record.js';
import { findCycles, parseStoreConfig, type StoreConfig, stringifyConfig } from './store.js';

/**
 * Three-way merge of bead stores, for git's merge driver (`sase bead merge %O %A %B %P`). Git merges
 * issues.jsonl line by line, so two branches that touch the same bead, or add beads next to each other,
 * conflict although their changes are compatible, and two branches that each created `p-7` produce two
 * different beads with one id. This merge works on records instead:
 *
 * - a bead changed on one side only takes that side's version;
 * - a bead changed on both sides is merged field by field: a field changed on one side takes that change;
 *   a field changed on both sides to different values takes the value of the side whose `updated_at` is
 *   later (ours on a tie), and is reported as a conflict. `status`, `closed_at` and `close_reason` move
 *   together, so a bead is never closed without its close time;
 * - `dependencies` merge as a set: an edge added on either side is kept, an edge removed on either side
 *   is removed;
 * - a bead deleted on one side and unchanged on the other is deleted; changed on the other, it is kept;
 * - ids created on both sides for different beads (an id collision) are repaired: ours keeps the id, and
 *   theirs is renumbered past every id in use (a plan bead gets the next `<prefix>-N`, a phase the next
 *   `<parent>.N`), with its phases and every reference to it on their side renamed along.
 */
export interface MergeResult {
  /** The merged beads in natural id order. */
  records: BeadRecord[];
  /** The canonical issues.jsonl text of `records`. */
  text: string;
  /** Fields both sides changed to different values, and the value taken. */
  conflicts: MergeConflict[];
  /** Their beads renumbered because ours had created the same id. */
  renamed: { from: string; to: string }[];
  /**
   * `blocks` cycles in the result (first id repeated at the end): edges added on the two sides can close
   * one that neither side had. The merge keeps them; `doctor` reports them until an edge is removed.
   */
  cycles: string[][];
}

export interface MergeConflict {
  id: string;
  field: string;
  ours: unknown;
  theirs: unknown;
  /** Which side's value was taken. */
  taken: 'ours' | 'theirs';
}

export interface MergeJsonlOptions {
  /** Names used in error messages for the three inputs (default base, ours, theirs). */
  files?: { base?: string; ours?: string; theirs?: string };
}

/** Fields that change together: taken from one side as a group when any of them conflicts. */
const CLOSING = ['status', 'closed_at', 'close_reason'] as const;

/**
 * Merges three versions of issues.jsonl (`base` is the common ancestor; empty text for none). Throws a
 * BeadError (JSONL_PARSE, JSONL_CONFLICT, DUPLICATE_ID) naming the input and line when one of them is not a
 * valid store file.
 */
export function mergeJsonl(
  base: string,
  ours: string,
  theirs: string,
  options: MergeJsonlOptions = {},
): MergeResult {
  const files = { base: 'base', ours: 'ours', theirs: 'theirs', ...options.files };
  const baseById = byId(parseJsonl(base, files.base).map((line) => line.record));
  const oursById = byId(parseJsonl(ours, files.ours).map((line) => line.record));
  const theirsParsed = parseJsonl(theirs, files.theirs).map((line) => line.record);

  const renamed = collisionRenames(baseById, oursById, byId(theirsParsed));
  const theirsById = byId(theirsParsed.map((record) => renameIn(record, renamed)));

  const conflicts: MergeConflict[] = [];
  const merged: BeadRecord[] = [];
  const ids = new Set([...baseById.keys(), ...oursById.keys(), ...theirsById.keys()]);
  for (const id of ids) {
    const record = mergeRecord(baseById.get(id), oursById.get(id), theirsById.get(id), conflicts);
    if (record) merged.push(record);
  }
  merged.sort((a, b) => compareIds(a.id, b.id));
  return {
    records: merged,
    text: stringifyJsonl(merged),
    conflicts,
    renamed: [...renamed].map(([from, to]) => ({ from, to })),
    cycles: findCycles(merged),
  };
}

/**
 * Merges three versions of a store's config.json: the prefix is ours (a prefix changed on both sides to
 * different values is kept as ours), and the counter is the larger one (and at least `atLeast`), so no
 * side's ids are reused.
 */
export function mergeStoreConfig(
  base: string,
  ours: string,
  theirs: string,
  options: { atLeast?: number } = {},
): string {
  const mine: StoreConfig = parseStoreConfig(ours, 'ours');
  const other: StoreConfig = parseStoreConfig(theirs, 'theirs');
  const prefix =
    base.trim() !== '' && mine.prefix === parseStoreConfig(base, 'base').prefix ? other.prefix : mine.prefix;
  return stringifyConfig({
    prefix,
    nextCounter: Math.max(mine.nextCounter, other.nextCounter, options.atLeast ?? 1),
  });
}

/**
 * The text of a config.json whose next_counter is raised past every plan id `<prefix>-N` among `records`
 * (its own prefix), or undefined when it already is. After a merge that renumbered colliding ids (the new
 * ids are past both sides' counters), this is the counter the merged store needs.
 */
export function advanceStoreConfig(
  config: string,
  records: readonly BeadRecord[],
  file = 'config.json',
): string | undefined {
  const current = parseStoreConfig(config, file);
  const head = `${current.prefix}-`;
  let highest = 0;
  for (const record of records) {
    if (!record.id.startsWith(head)) continue;
    const match = /^(\d+)(\.|$)/.exec(record.id.slice(head.length));
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  if (highest < current.nextCounter) return undefined;
  return stringifyConfig({ ...current, nextCounter: highest + 1 });
}

function byId(records: BeadRecord[]): Map<string, BeadRecord> {
  return new Map(records.map((record) => [record.id, record]));
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The ids theirs created that ours also created for a different bead, each with the id it moves to. */
function collisionRenames(
  base: Map<string, BeadRecord>,
  ours: Map<string, BeadRecord>,
  theirs: Map<string, BeadRecord>,
): Map<string, string> {
  const renames = new Map<string, string>();
  const taken = new Set([...base.keys(), ...ours.keys(), ...theirs.keys()]);
  // Parents before children: a renamed plan bead takes its new phases along, with their numbers.
  const created = [...theirs.keys()].filter((id) => !base.has(id)).sort(compareIds);
  for (const id of created) {
    const parent = parentOf(id);
    const movedParent = parent === undefined ? undefined : renames.get(parent);
    if (movedParent !== undefined) {
      const to = `${movedParent}${id.slice(parent!.length)}`;
      renames.set(id, to);
      taken.add(to);
      continue;
    }
    const mine = ours.get(id);
    if (mine === undefined || same(mine, theirs.get(id))) continue;
    const to = parent === undefined ? nextPlanId(id, taken) : nextChildId(parent, taken);
    renames.set(id, to);
    taken.add(to);
  }
  return renames;
}

/** A record with renamed ids replaced in its id, parent and dependencies. */
function renameIn(record: BeadRecord, renames: Map<string, string>): BeadRecord {
  if (renames.size === 0) return record;
  const rename = (id: string) => renames.get(id) ?? id;
  const result: BeadRecord = {
    ...record,
    id: rename(record.id),
    dependencies: record.dependencies.map((dependency) => ({ ...dependency, id: rename(dependency.id) })),
  };
  if (record.parent_id !== undefined) result.parent_id = rename(record.parent_id);
  return result;
}

function mergeRecord(
  base: BeadRecord | undefined,
  ours: BeadRecord | undefined,
  theirs: BeadRecord | undefined,
  conflicts: MergeConflict[],
): BeadRecord | undefined {
  if (ours === undefined || theirs === undefined) {
    const present = ours ?? theirs;
    // Created on one side, or deleted on one side: a deletion wins only over an unchanged bead.
    if (present === undefined || base === undefined) return present;
    return same(present, base) ? undefined : present;
  }
  if (same(ours, theirs)) return ours;
  if (base === undefined || same(ours, base)) return theirs;
  if (same(theirs, base)) return ours;

  const theirsLater = theirs.updated_at > ours.updated_at;
  const later = theirsLater ? 'theirs' : 'ours';
  const field = (key: string, record: BeadRecord | undefined) =>
    record === undefined ? undefined : (record as unknown as Record<string, unknown>)[key];
  const merged: Record<string, unknown> = {};
  const closingConflicts = CLOSING.filter((key) => {
    const [o, a, b] = [field(key, base), field(key, ours), field(key, theirs)];
    return !same(a, b) && !same(a, o) && !same(b, o);
  });
  for (const [, key] of FIELDS) {
    if (key === 'dependencies') continue;
    const [o, a, b] = [field(key, base), field(key, ours), field(key, theirs)];
    let value: unknown;
    if (closingConflicts.length > 0 && (CLOSING as readonly string[]).includes(key)) {
      value = theirsLater ? b : a;
      if (!same(a, b)) conflicts.push({ id: ours.id, field: key, ours: a, theirs: b, taken: later });
    } else if (same(a, b) || same(b, o)) {
      value = a;
    } else if (same(a, o)) {
      value = b;
    } else if (key === 'updated_at') {
      value = theirsLater ? b : a;
    } else {
      value = theirsLater ? b : a;
      conflicts.push({ id: ours.id, field: key, ours: a, theirs: b, taken: later });
    }
    if (value !== undefined) merged[key] = value;
  }
  merged.dependencies = mergeDependencies(base?.dependencies ?? [], ours.dependencies, theirs.dependencies);
  return merged as unknown as BeadRecord;
}

/** Edges added on either side are kept, edges removed on either side are removed. */
function mergeDependencies(base: Dependency[], ours: Dependency[], theirs: Dependency[]): Dependency[] {
  const key = (dependency: Dependency) => `${dependency.type} ${dependency.id}`;
  const inBase = new Set(base.map(key));
  const inOurs = new Set(ours.map(key));
  const inTheirs = new Set(theirs.map(key));
  const result = new Map<string, Dependency>();
  for (const dependency of [...ours, ...theirs]) {
    const k = key(dependency);
    const removed = inBase.has(k) && (!inOurs.has(k) || !inTheirs.has(k));
    if (!removed) result.set(k, { id: dependency.id, type: dependency.type });
  }
  return [...result.values()];
}
