import { BeadError } from './errors.js';
import { controlCharacterIndex, describeControlCharacter, toOneLine } from './field-rules.js';
import { type Bead, type BeadRecord, type BeadStatus, type Dependency, toRecord } from './record.js';
import type { BeadStore } from './store.js';

/**
 * Import of issues.jsonl files written by `bd` (steveyegge/beads), every era: SQLite-era exports (one issue
 * object a line) and Dolt-era exports (`"_type":"issue"` / `"_type":"memory"` lines). The mapping is
 * documented in the README ("Importing from bd"); `convertBdRecords` is pure, `importBdFile` writes.
 */

export interface ConvertBdOptions {
  /**
   * Replace the bd prefix of every id in the file (the part before the last `-` of the first segment:
   * `bd-kwro.1` → `<prefix>-kwro.1`), so imported ids match the store's prefix. Default: ids are kept.
   */
  prefix?: string;
  /** The clock used only for a record that carries no usable timestamp at all (tests pin it). */
  now?: () => Date;
}

export interface BdConversion {
  /** Schema-valid SASE records, in file order (a later line with the same id replaces an earlier one). */
  records: BeadRecord[];
  /** One line per thing worth a look: unknown values mapped, edges to beads not in the file, renamed ids. */
  warnings: string[];
  /** Lines not imported: tombstones, deleted issues, non-issue lines (`_type` memory), lines without id. */
  skipped: number;
  /** `skipped` by reason: `tombstone`, `deleted`, `_type:<type>`, `no-id`. */
  skippedByReason: Record<string, number>;
}

export interface ImportBdOptions extends ConvertBdOptions {
  /** Convert and check, but write nothing. */
  dryRun?: boolean;
}

export interface ImportBdResult extends BdConversion {
  /** How many beads were written (0 on a dry run). */
  imported: number;
  /** Ids of converted records that the store already has (an import with any is refused). */
  conflicts: string[];
  dryRun: boolean;
}

type BdObject = Record<string, unknown>;

const SASE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.\d+)*$/;
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const STATUS_MAP: Record<string, BeadStatus> = {
  open: 'open',
  in_progress: 'in_progress',
  closed: 'closed',
  blocked: 'open',
  deferred: 'open',
  pinned: 'open',
  hooked: 'in_progress',
  in_review: 'in_progress',
};

const PARENT_TYPES = new Set(['parent-child', 'parent', 'child-of']);
const BLOCKS_TYPES = new Set(['blocks', 'blocked-by', 'blocks-on']);
const RELATED_TYPES = new Set([
  'related',
  'related-to',
  'relates-to',
  'discovered-from',
  'replies-to',
  'duplicates',
  'supersedes',
  'tracks',
  'follows',
]);

/** Converts the text of a bd issues.jsonl file to SASE bead records. Throws JSONL_PARSE on a bad line. */
export function convertBdRecords(text: string, options: ConvertBdOptions = {}): BdConversion {
  if (options.prefix !== undefined && !PREFIX.test(options.prefix)) {
    throw new BeadError(
      'INVALID_INPUT',
      `invalid prefix "${options.prefix}": use letters, digits, "_" and "-", starting with a letter or digit (e.g. "myapp")`,
    );
  }
  const warnings: string[] = [];
  const skippedByReason: Record<string, number> = {};
  const skip = (reason: string) => {
    skippedByReason[reason] = (skippedByReason[reason] ?? 0) + 1;
  };

  // Pass 1: the issue objects, by id (a later line replaces an earlier one, as bd's own import does).
  const issues = new Map<string, BdObject>();
  const removed = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new BeadError(
        'JSONL_PARSE',
        `line ${index + 1}: not valid JSON (${(error as Error).message}); a bd issues.jsonl has one JSON object a line`,
        { line: index + 1, cause: error },
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new BeadError(
        'JSONL_PARSE',
        `line ${index + 1}: expected a JSON object like {"id":"bd-1","title":"..."}`,
        { line: index + 1 },
      );
    }
    const object = value as BdObject;
    if (object._type !== undefined && object._type !== 'issue') {
      skip(`_type:${String(object._type)}`);
      continue;
    }
    if (typeof object.id !== 'string' || object.id.trim() === '') {
      skip('no-id');
      warnings.push(`line ${index + 1}: no "id"; skipped`);
      continue;
    }
    const id = object.id.trim();
    if (object.status === 'tombstone' || object.deleted_at) {
      skip(object.status === 'tombstone' ? 'tombstone' : 'deleted');
      removed.add(id);
      issues.delete(id);
      continue;
    }
    if (issues.has(id)) warnings.push(`${id}: appears more than once; the last line (${index + 1}) wins`);
    issues.delete(id);
    issues.set(id, object);
    removed.delete(id);
  }

  // Ids: kept when SASE accepts them, re-prefixed with options.prefix, repaired otherwise (unique).
  const idMap = new Map<string, string>();
  const used = new Set<string>();
  for (const id of [...issues.keys(), ...removed]) {
    const wanted = options.prefix === undefined ? id : reprefix(id, options.prefix);
    let next = SASE_ID.test(wanted) ? wanted : repairId(wanted, options.prefix ?? 'bd');
    if (used.has(next)) {
      let n = 2;
      while (used.has(`${next}-${n}`)) n++;
      next = `${next}-${n}`;
    }
    if (next !== wanted && issues.has(id)) {
      warnings.push(`${id}: ${SASE_ID.test(wanted) ? 'taken' : 'not a valid SASE id'}; imported as ${next}`);
    }
    used.add(next);
    idMap.set(id, next);
  }
  const mapId = (id: string) => idMap.get(id) ?? id;

  const epics = new Set<string>();
  for (const [id, object] of issues) if (object.issue_type === 'epic') epics.add(id);

  const fallbackNow = (options.now ?? (() => new Date()))().toISOString();
  const records: BeadRecord[] = [];
  for (const [bdId, object] of issues) {
    const id = mapId(bdId);
    const extra: string[] = [];

    // Status.
    const bdStatus = typeof object.status === 'string' ? object.status : 'open';
    let status = STATUS_MAP[bdStatus];
    if (!status) {
      status = 'open';
      warnings.push(`${bdId}: unknown bd status "${bdStatus}"; imported as open`);
    }
    if (bdStatus !== status) extra.push(`status=${bdStatus}`);

    // Timestamps.
    const created = utc(object.created_at);
    const updated = utc(object.updated_at);
    const closed = utc(object.closed_at);
    for (const key of ['created_at', 'updated_at', 'closed_at'] as const) {
      if (object[key] !== undefined && object[key] !== null && object[key] !== '' && !utc(object[key]))
        warnings.push(`${bdId}: unreadable ${key} ${JSON.stringify(object[key])}; replaced`);
    }
    const createdAt = created ?? updated ?? closed ?? fallbackNow;
    const updatedAt = updated ?? closed ?? createdAt;

    // Dependencies and the parent.
    let parent: string | undefined;
    const parentField = typeof object.parent === 'string' && object.parent !== '' ? object.parent : undefined;
    const edges = new Map<string, Dependency['type']>();
    const rawDependencies = Array.isArray(object.dependencies) ? (object.dependencies as unknown[]) : [];
    for (const raw of rawDependencies) {
      if (typeof raw !== 'object' || raw === null) continue;
      const dependency = raw as BdObject;
      const target = typeof dependency.depends_on_id === 'string' ? dependency.depends_on_id : undefined;
      if (!target || target === bdId) continue;
      if (typeof dependency.issue_id === 'string' && dependency.issue_id !== bdId) continue;
      const type = typeof dependency.type === 'string' ? dependency.type : 'blocks';
      if (removed.has(target)) {
        warnings.push(`${bdId}: dropped ${type} edge to ${target}, which was deleted in bd`);
        continue;
      }
      let mapped: Dependency['type'];
      if (PARENT_TYPES.has(type)) {
        if (parent === undefined) {
          parent = target;
          continue;
        }
        if (parent === target) continue;
        warnings.push(`${bdId}: second parent ${target} (parent is ${parent}); kept as a related edge`);
        mapped = 'related';
      } else if (BLOCKS_TYPES.has(type)) {
        mapped = 'blocks';
      } else {
        if (!RELATED_TYPES.has(type))
          warnings.push(`${bdId}: unknown bd dependency type "${type}" on ${target}; imported as related`);
        mapped = 'related';
      }
      if (!issues.has(target)) {
        warnings.push(`${bdId}: ${type} edge to ${target}, which is not in the file; kept`);
      }
      const to = mapId(target);
      if (edges.get(to) !== 'blocks') edges.set(to, mapped);
    }
    if (
      parent === undefined &&
      parentField !== undefined &&
      parentField !== bdId &&
      !removed.has(parentField)
    )
      parent = parentField;
    if (parent !== undefined && !issues.has(parent))
      warnings.push(`${bdId}: parent ${parent} is not in the file; kept as parent_id`);
    const parentId = parent === undefined ? undefined : mapId(parent);
    if (parentId !== undefined) edges.delete(parentId);

    // Type and tier.
    const bdType =
      typeof object.issue_type === 'string' && object.issue_type !== '' ? object.issue_type : 'task';
    const isPhase = bdType !== 'epic' && parent !== undefined && epics.has(parent);
    extra.unshift(`type=${bdType}`);
    if (typeof object.priority === 'number') extra.push(`priority=P${object.priority}`);
    const labels = Array.isArray(object.labels) ? object.labels.filter((l) => typeof l === 'string') : [];
    if (labels.length > 0) extra.push(`labels=${labels.join(',')}`);
    if (typeof object.external_ref === 'string' && object.external_ref !== '')
      extra.push(`external_ref=${object.external_ref}`);
    if (id !== bdId) extra.push(`id=${bdId}`);

    const description = joinSections([
      nonEmpty(object.description),
      section('Acceptance criteria', nonEmpty(object.acceptance_criteria)),
    ]);
    const notes = joinSections([
      nonEmpty(object.notes),
      section('Design', nonEmpty(object.design)),
      `bd: ${extra.join(' ')}`,
    ]);
    // Titles and assignees are one line (SASE prints them in tables): control characters become spaces.
    const oneLine = (field: string, value: string | undefined) => {
      if (value === undefined || controlCharacterIndex(value) === -1) return value;
      const line = toOneLine(value);
      warnings.push(
        `${bdId}: the ${field} had ${describeControlCharacter(value, controlCharacterIndex(value))} (${field}s are one line); replaced by a space`,
      );
      return line;
    };
    const title = oneLine('title', typeof object.title === 'string' ? object.title : '') ?? '';
    const assignee = oneLine('assignee', nonEmpty(object.assignee));
    const closeReason = nonEmpty(object.close_reason);

    const bead: Bead = {
      id,
      title,
      status,
      issueType: isPhase ? 'phase' : 'plan',
      ...(isPhase ? {} : { tier: bdType === 'epic' ? 'epic' : 'plan' }),
      ...(parentId !== undefined ? { parentId } : {}),
      ...(assignee !== undefined ? { assignee } : {}),
      ...(description !== undefined ? { description } : {}),
      notes: notes ?? '',
      ...(status === 'closed' && closeReason !== undefined ? { closeReason } : {}),
      createdAt,
      updatedAt,
      ...(status === 'closed' ? { closedAt: closed ?? updatedAt } : {}),
      dependencies: [...edges].map(([to, type]) => ({ id: to, type })),
    };
    records.push(toRecord(bead));
  }

  const skipped = Object.values(skippedByReason).reduce((sum, count) => sum + count, 0);
  return { records, warnings, skipped, skippedByReason };
}

/**
 * Converts a bd issues.jsonl text and writes every record into `store` in one batch (one lock, one JSONL
 * rewrite): all or nothing. Refused with DUPLICATE_ID, changing nothing, when the store already has any of
 * the ids. With `dryRun` it converts and reports conflicts without writing.
 */
export function importBdFile(store: BeadStore, text: string, options: ImportBdOptions = {}): ImportBdResult {
  const conversion = convertBdRecords(text, options);
  const dryRun = Boolean(options.dryRun);
  const existing = new Set(store.listLines().map((line) => (JSON.parse(line) as BeadRecord).id));
  const conflicts = conversion.records.map((record) => record.id).filter((id) => existing.has(id));
  if (dryRun) return { ...conversion, imported: 0, conflicts, dryRun };
  store.batch((batch) => batch.insertRecords(conversion.records));
  return { ...conversion, imported: conversion.records.length, conflicts: [], dryRun };
}

/** A bd timestamp (any offset, up to nanoseconds) as UTC ISO with Z, or undefined when unusable. */
function utc(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const date = new Date(value);
  const time = date.getTime();
  return Number.isNaN(time) ? undefined : date.toISOString();
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function section(heading: string, body: string | undefined): string | undefined {
  return body === undefined ? undefined : `## ${heading}\n\n${body}`;
}

function joinSections(parts: (string | undefined)[]): string | undefined {
  const present = parts.filter((part): part is string => part !== undefined);
  return present.length === 0 ? undefined : present.join('\n\n');
}

/** `bd-kwro.1` with prefix `shop` → `shop-kwro.1` (bd's prefix ends at the last `-` of the first segment). */
function reprefix(id: string, prefix: string): string {
  const dot = id.indexOf('.');
  const head = dot === -1 ? id : id.slice(0, dot);
  const hyphen = head.lastIndexOf('-');
  return hyphen === -1 ? `${prefix}-${id}` : `${prefix}${id.slice(hyphen)}`;
}

/** The nearest valid SASE id: trailing numeric `.N` segments stay, the rest joins with `-`, bad characters become `-`. */
function repairId(id: string, prefix: string): string {
  const segments = id.split('.');
  let tail = segments.length;
  while (tail > 1 && /^\d+$/.test(segments[tail - 1]!)) tail--;
  const head = segments
    .slice(0, tail)
    .join('-')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '');
  return [head === '' ? `${prefix}-imported` : head, ...segments.slice(tail)].join('.');
}
