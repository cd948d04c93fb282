import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BeadError } from './errors.js';
import { controlCharacterIndex, describeControlCharacter, MODEL_NAME } from './field-rules.js';
import { createFileIfAbsent, removeStaleTempFiles, writeFileAtomic } from './internal/atomic-file.js';
import {
  BeadCache,
  isBusyError,
  type LinePositions,
  type LineRef,
  linePositionsQuery,
  lockTimeout,
  parseLinePositions,
} from './internal/cache.js';
import type { ChunkWriter } from './internal/json-array.js';
import { CONFLICT_MARKER } from './jsonl.js';
import { compareIds } from './natural-sort.js';
import {
  BEAD_STATUSES,
  type Bead,
  type BeadRecord,
  type BeadStatus,
  DEPENDENCY_TYPES,
  type DependencyType,
  fromRecord,
  ISSUE_TYPES,
  type IssueType,
  TIERS,
  type Tier,
  toRecord,
} from './record.js';
import { repairDuplicateIds } from './repair.js';
import { getBeadRecordSchema, isValidRecordFast } from './schema.js';

export const JSONL_FILE = 'issues.jsonl';
export const CONFIG_FILE = 'config.json';
export const CACHE_FILE = 'beads.db';

/** config.json of a store: committed; the counter is never reused. */
export interface StoreConfig {
  prefix: string;
  nextCounter: number;
}

export interface OpenBeadStoreOptions {
  /** The store directory (`<sdd-root>/beads`), holding config.json, issues.jsonl and beads.db. */
  dir: string;
  /** How long a writer waits for another process's lock before LOCK_TIMEOUT. Default 60 s. */
  busyTimeoutMs?: number;
  /** The clock used for timestamps (tests pin it). */
  now?: () => Date;
}

export interface InitBeadStoreOptions extends OpenBeadStoreOptions {
  prefix: string;
}

export interface CreateBeadInput {
  title: string;
  description?: string;
  /** Default: `phase` when parentId names an epic, else `plan`. */
  issueType?: IssueType;
  /** Plan beads only; default `plan`. */
  tier?: Tier;
  parentId?: string;
  assignee?: string;
  model?: string;
  design?: string;
  notes?: string;
  isReadyToWork?: boolean;
  epicCount?: number;
  /** Ids this bead depends on with `blocks` edges. */
  dependencies?: string[];
}

/** Fields `update` may change. `null` removes an optional field. */
export interface UpdateBeadInput {
  title?: string;
  status?: BeadStatus;
  description?: string | null;
  assignee?: string | null;
  model?: string | null;
  design?: string | null;
  notes?: string | null;
  tier?: Tier | null;
  isReadyToWork?: boolean | null;
  epicCount?: number | null;
  closeReason?: string | null;
  /**
   * The parent of a plan bead (an epic owned by a legend); null removes it. A phase bead's parent is fixed
   * by its id (`<parent>.<N>`) and cannot change.
   */
  parentId?: string | null;
}

export interface UpdateBeadOptions {
  /**
   * Change the assignee of a bead someone else holds (in progress with another assignee). Without it, such
   * an update is refused with ALREADY_CLAIMED, so two agents never end up on one bead.
   */
  force?: boolean;
}

export interface ListFilter {
  /** Any of these statuses (default: all). */
  status?: BeadStatus | readonly BeadStatus[];
  issueType?: IssueType;
  tier?: Tier;
  parentId?: string;
}

export interface BlockedBead {
  bead: Bead;
  /** Ids of `blocks` dependencies that are not closed (or do not exist), in natural order. */
  blockedBy: string[];
}

export interface DependencyTreeNode {
  id: string;
  /** Absent when the id names no bead. */
  bead?: Bead;
  type: DependencyType | 'root';
  missing: boolean;
  /** True when this node was already expanded higher up; its children are then not repeated. */
  repeated: boolean;
  children: DependencyTreeNode[];
}

export interface DoctorProblem {
  code:
    | 'MISSING_DEPENDENCY'
    | 'MISSING_PARENT'
    | 'DEPENDENCY_CYCLE'
    | 'SELF_DEPENDENCY'
    | 'COUNTER_BEHIND'
    | 'PREFIX_MISMATCH'
    | 'CLOSED_AT_MISMATCH'
    | 'PHASE_WITHOUT_PARENT'
    | 'DUPLICATE_ID'
    | 'STALE_TEMP_FILE';
  severity: 'error' | 'warning';
  beadId?: string;
  message: string;
  /** True when `doctor({ fix: true })` repaired it. */
  fixed: boolean;
}

export interface DoctorReport {
  ok: boolean;
  problems: DoctorProblem[];
}

export interface BeadStats {
  total: number;
  byStatus: Record<BeadStatus, number>;
  byType: Record<IssueType, number>;
  byTier: Record<Tier, number>;
  ready: number;
  blocked: number;
}

function readConfig(dir: string): StoreConfig {
  const file = join(dir, CONFIG_FILE);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BeadError(
        'STORE_NOT_FOUND',
        `no bead store at ${dir} (missing ${CONFIG_FILE}); create one with \`sase init\` or \`sase bead init --prefix <prefix>\``,
        { file },
      );
    }
    throw error;
  }
  return parseStoreConfig(raw, file);
}

/** Parses the text of a config.json; throws CONFIG_INVALID naming `file`. */
export function parseStoreConfig(raw: string, file = CONFIG_FILE): StoreConfig {
  if (raw.charCodeAt(0) === 0xfeff) {
    throw new BeadError(
      'CONFIG_INVALID',
      `${file}:1: the file starts with a byte order mark (BOM); save it as UTF-8 without a BOM, like {"prefix": "myapp", "next_counter": 1}`,
      { file, line: 1 },
    );
  }
  const lines = raw.split(/\r?\n/);
  const marker = lines.findIndex((line) => CONFLICT_MARKER.test(line));
  if (marker !== -1) {
    throw new BeadError(
      'CONFIG_CONFLICT',
      `${file}:${marker + 1}: git conflict marker "${lines[marker]!.slice(0, 7)}": resolve the merge by keeping one version ` +
        'with the larger "next_counter" (the counter must stay past every id on both sides); `sase bead merge --install` makes git merge it by itself',
      { file, line: marker + 1 },
    );
  }
  let value: { prefix?: unknown; next_counter?: unknown };
  try {
    value = JSON.parse(raw) as typeof value;
  } catch (error) {
    throw new BeadError('CONFIG_INVALID', `${file}: not valid JSON (${(error as Error).message})`, {
      file,
      cause: error,
    });
  }
  if (typeof value.prefix !== 'string' || !PREFIX.test(value.prefix)) {
    throw new BeadError(
      'CONFIG_INVALID',
      `${file}: "prefix" must be a string like "myapp" (letters, digits, _ and -)`,
      {
        file,
      },
    );
  }
  const counter = value.next_counter ?? 1;
  if (typeof counter !== 'number' || !Number.isInteger(counter) || counter < 1) {
    throw new BeadError('CONFIG_INVALID', `${file}: "next_counter" must be a positive integer`, { file });
  }
  return { prefix: value.prefix, nextCounter: counter };
}

/** The canonical text of a config.json. */
export function stringifyConfig(config: StoreConfig): string {
  return `${JSON.stringify({ prefix: config.prefix, next_counter: config.nextCounter }, null, 2)}\n`;
}

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const GITIGNORE = `# The SQLite cache is rebuilt from issues.jsonl on demand; never commit it.\n${CACHE_FILE}\n${CACHE_FILE}-*\n.*.tmp\n`;

/**
 * Creates a bead store in `dir` (config.json, an empty issues.jsonl and a .gitignore for the cache) and
 * opens it. Idempotent: an existing store is opened as it is (its prefix is kept).
 */
export function initBeadStore(options: InitBeadStoreOptions): BeadStore {
  if (!PREFIX.test(options.prefix)) {
    throw new BeadError(
      'INVALID_INPUT',
      `invalid prefix "${options.prefix}": use letters, digits, "_" and "-", starting with a letter or digit (e.g. "myapp")`,
    );
  }
  mkdirSync(options.dir, { recursive: true });
  createFileIfAbsent(
    join(options.dir, CONFIG_FILE),
    stringifyConfig({ prefix: options.prefix, nextCounter: 1 }),
  );
  createFileIfAbsent(join(options.dir, JSONL_FILE), '');
  createFileIfAbsent(join(options.dir, '.gitignore'), GITIGNORE);
  return openBeadStore(options);
}

/** Opens the bead store in `dir`. Throws STORE_NOT_FOUND when there is none. */
export function openBeadStore(options: OpenBeadStoreOptions): BeadStore {
  return new BeadStore(options);
}

/**
 * A bead store: issues.jsonl is the truth, beads.db a cache of it. Every method is synchronous. Reads check
 * (with one stat) that the cache matches the JSONL and reload it when not. Writes take the store's lock (an
 * IMMEDIATE SQLite transaction, so it is released if the process dies), reload a changed JSONL, apply the
 * change, and rewrite the JSONL atomically before committing.
 */
export class BeadStore {
  readonly dir: string;
  readonly jsonlPath: string;
  readonly configPath: string;
  private readonly cache: BeadCache;
  private readonly now: () => Date;
  private config: StoreConfig;
  private depth = 0;
  private dirty = false;
  private configDirty = false;
  /** Temporary files of dead writers removed by the writes of this store object (doctor reports them). */
  private removedTempFiles: string[] = [];

  constructor(options: OpenBeadStoreOptions) {
    this.dir = options.dir;
    this.jsonlPath = join(options.dir, JSONL_FILE);
    this.configPath = join(options.dir, CONFIG_FILE);
    this.config = readConfig(options.dir);
    this.now = options.now ?? (() => new Date());
    this.cache = new BeadCache(
      join(options.dir, CACHE_FILE),
      this.jsonlPath,
      options.busyTimeoutMs ?? 60_000,
    );
  }

  /** The id prefix of this store (from config.json). */
  get prefix(): string {
    return this.config.prefix;
  }

  /** Releases the SQLite handle. The store must not be used afterwards. */
  dispose(): void {
    this.cache.close();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- ids ---------------------------------------------------------------------------------------------

  /** Adds the store prefix to an id given without it: `7.1` → `<prefix>-7.1`. Other ids are returned as given. */
  normalizeId(id: string): string {
    const trimmed = id.trim();
    return /^\d+(\.\d+)*$/.test(trimmed) ? `${this.config.prefix}-${trimmed}` : trimmed;
  }

  // ---- reads -------------------------------------------------------------------------------------------

  /**
   * Reads the lines of the rows `query` returns, reloading the cache first when the JSONL changed, and
   * retrying when another process replaced the file between the query and the read.
   */
  private read<R extends LineRef>(query: () => R[]): { row: R; line: string }[] {
    for (let attempt = 0; ; attempt++) {
      if (this.depth === 0 && !this.cache.isFresh()) this.mutate(() => undefined);
      const out: { row: R; line: string }[] = [];
      if (this.cache.readLines(query, (row, line) => out.push({ row, line }))) return out;
      if (attempt >= 20)
        throw lockTimeout(this.jsonlPath, new Error('the JSONL kept changing while being read'));
    }
  }

  private record(id: string): BeadRecord | undefined {
    const [hit] = this.read(() => this.cache.sql.ref.all(id) as LineRef[]);
    return hit && (JSON.parse(hit.line) as BeadRecord);
  }

  /** The bead with this id (prefix optional). Throws BEAD_NOT_FOUND. */
  get(id: string): Bead {
    const bead = this.find(id);
    if (!bead) throw this.notFound(this.normalizeId(id));
    return bead;
  }

  /** The bead with this id, or undefined. */
  find(id: string): Bead | undefined {
    const record = this.record(this.normalizeId(id));
    return record && fromRecord(record);
  }

  /** Beads matching the filter, in natural id order. */
  list(filter: ListFilter = {}): Bead[] {
    return this.listLines(filter).map(parseLine);
  }

  /** Like list(), as canonical JSONL lines (the exact issues.jsonl text of each bead). */
  listLines(filter: ListFilter = {}): string[] {
    const { where, params } = this.filterClause(filter);
    const statement = this.cache.db.prepare(`SELECT id, off, len FROM beads ${where} ORDER BY sort_key`);
    return this.read(() => statement.all(...params) as LineRef[]).map((hit) => hit.line);
  }

  /**
   * Writes listLines(filter) as one JSON array — `[\n`, the lines joined by `,\n`, then `\n]\n` (`[]\n`
   * when empty) — to `write`, in chunks (Buffers valid only during the call): what `sase bead list --json`
   * prints. Made from the bytes of issues.jsonl at the offsets the cache holds, without decoding, parsing
   * or re-serialising a line (with no filter, from a file this store wrote, the file is read straight
   * through), so printing 20,000 beads costs little more than reading the file. Returns the count.
   */
  writeListJson(filter: ListFilter, write: (chunk: Buffer) => void): number {
    const { where, params } = this.filterClause(filter);
    const statement = this.cache.db.prepare(linePositionsQuery(where)).raw();
    return this.writeJson(
      () => parseLinePositions(statement.get(...params) as [string, string | null] | undefined),
      write,
      where === '',
    );
  }

  /** Writes readyLines() as one JSON array, like writeListJson. */
  writeReadyJson(write: (chunk: Buffer) => void): number {
    return this.writeJson(
      () => parseLinePositions(this.cache.sql.readyPositions.get() as [string, string | null] | undefined),
      write,
      false,
    );
  }

  private writeJson(query: () => LinePositions, write: ChunkWriter, wholeFile: boolean): number {
    for (let attempt = 0; ; attempt++) {
      if (this.depth === 0 && !this.cache.isFresh()) this.mutate(() => undefined);
      const count = this.cache.writeJsonArray(query, write, { wholeFile: wholeFile && this.depth === 0 });
      if (count !== false) return count;
      if (attempt >= 20)
        throw lockTimeout(this.jsonlPath, new Error('the JSONL kept changing while being read'));
    }
  }

  /** The WHERE clause (and its parameters) of a list filter, checked. */
  private filterClause(filter: ListFilter): { where: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.status !== undefined) {
      const statuses = typeof filter.status === 'string' ? [filter.status] : [...filter.status];
      for (const status of statuses) checkEnum('status', status, BEAD_STATUSES);
      clauses.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    if (filter.issueType !== undefined) {
      checkEnum('type', filter.issueType, ISSUE_TYPES);
      clauses.push('issue_type = ?');
      params.push(filter.issueType);
    }
    if (filter.tier !== undefined) {
      checkEnum('tier', filter.tier, TIERS);
      clauses.push('tier = ?');
      params.push(filter.tier);
    }
    if (filter.parentId !== undefined) {
      clauses.push('parent_id = ?');
      params.push(this.normalizeId(filter.parentId));
    }
    return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  /** Open beads whose `blocks` dependencies are all closed, in natural id order. */
  ready(): Bead[] {
    return this.readyLines().map(parseLine);
  }

  /** Like ready(), as canonical JSONL lines. */
  readyLines(): string[] {
    return this.read(() => this.cache.sql.ready.all() as LineRef[]).map((hit) => hit.line);
  }

  /** Open beads with at least one `blocks` dependency that is not closed or does not exist. */
  blocked(): BlockedBead[] {
    return this.blockedLines().map(({ line, blockedBy }) => ({ bead: parseLine(line), blockedBy }));
  }

  /** Like blocked(), with each bead as its canonical JSONL line. */
  blockedLines(): { line: string; blockedBy: string[] }[] {
    return this.read(() => this.cache.sql.blocked.all() as (LineRef & { blocked_by: string })[]).map(
      ({ row, line }) => ({
        line,
        blockedBy: (JSON.parse(row.blocked_by) as string[]).sort(compareIds),
      }),
    );
  }

  /**
   * The dependency tree of a bead: what it depends on (`direction: 'down'`, default), or what depends on it
   * (`'up'`), recursively. Missing beads and beads already shown are marked, so cycles and diamonds end.
   */
  dependencyTree(id: string, options: { direction?: 'down' | 'up' } = {}): DependencyTreeNode {
    const cache = this.cache;
    const rootId = this.get(id).id;
    const expanded = new Set<string>();
    const build = (nodeId: string, type: DependencyTreeNode['type']): DependencyTreeNode => {
      const record = this.record(nodeId);
      const node: DependencyTreeNode = {
        id: nodeId,
        type,
        missing: !record,
        repeated: expanded.has(nodeId),
        children: [],
      };
      if (record) node.bead = fromRecord(record);
      if (!record || node.repeated) return node;
      expanded.add(nodeId);
      const edges: { id: string; type: DependencyType }[] =
        options.direction === 'up'
          ? (cache.sql.dependentsOf.all({ id: nodeId }) as string[]).map((dependent) => ({
              id: dependent,
              type: this.record(dependent)?.dependencies.find((d) => d.id === nodeId)?.type ?? 'blocks',
            }))
          : record.dependencies;
      for (const edge of [...edges].sort((a, b) => compareIds(a.id, b.id)))
        node.children.push(build(edge.id, edge.type));
      return node;
    };
    return build(rootId, 'root');
  }

  /** Counts by status, type and tier, and the sizes of the ready and blocked queues. */
  stats(): BeadStats {
    const cache = this.cache;
    this.read(() => []);
    const stats: BeadStats = {
      total: 0,
      byStatus: { open: 0, in_progress: 0, closed: 0 },
      byType: { plan: 0, phase: 0 },
      byTier: { plan: 0, epic: 0, legend: 0 },
      ready: 0,
      blocked: 0,
    };
    const queues = cache.sql.queueSizes.get() as { ready: number; blocked: number };
    stats.ready = queues.ready;
    stats.blocked = queues.blocked;
    const rows = cache.sql.counts.all() as {
      status: BeadStatus;
      issue_type: IssueType;
      tier: Tier | null;
      count: number;
    }[];
    for (const row of rows) {
      stats.total += row.count;
      stats.byStatus[row.status] += row.count;
      stats.byType[row.issue_type] += row.count;
      if (row.tier) stats.byTier[row.tier] += row.count;
    }
    return stats;
  }

  // ---- writes ------------------------------------------------------------------------------------------

  /**
   * Runs `fn` under one lock with one JSONL rewrite at the end: either every change in it lands, or (when it
   * throws) none does. Reads inside see the changes made so far.
   */
  batch<T>(fn: (store: this) => T): T {
    return this.mutate(() => fn(this));
  }

  /**
   * Runs `fn` under the store's lock, in one SQLite transaction, after bringing the cache in line with the
   * JSONL (unless `sync` is false: a repair of a file the cache cannot load), and writes what it changed.
   */
  private mutate<T>(fn: () => T, { sync = true }: { sync?: boolean } = {}): T {
    if (this.depth > 0) return fn();
    this.begin();
    this.depth = 1;
    this.dirty = false;
    this.configDirty = false;
    try {
      // Under the lock no other store is writing: a temporary file here belongs to a writer that was killed
      // mid-write (or to an init still running, whose process is alive and is left alone).
      this.removedTempFiles.push(...removeStaleTempFiles(this.dir, STORE_FILES));
      this.config = readConfig(this.dir);
      if (sync) this.cache.syncFromJsonl();
      const result = fn();
      if (this.dirty) {
        const { keep, parts, base } = this.cache.render();
        if (!writeFileAtomic(this.jsonlPath, parts, { keep, unchanged: () => this.cache.isUnchanged(base) }))
          throw this.cache.changedError();
        this.cache.committed();
      }
      if (this.configDirty) writeFileAtomic(this.configPath, stringifyConfig(this.config));
      this.cache.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.cache.db.inTransaction) this.cache.db.exec('ROLLBACK');
      this.cache.discard();
      if (this.configDirty) this.config = readConfig(this.dir);
      throw error;
    } finally {
      this.depth = 0;
    }
  }

  private begin(): void {
    try {
      this.cache.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      if (isBusyError(error)) throw lockTimeout(this.cache.dbPath, error);
      throw error;
    }
  }

  private write(record: BeadRecord): Bead {
    this.cache.put(record);
    this.dirty = true;
    return fromRecord(record);
  }

  private timestamp(): string {
    return this.now().toISOString();
  }

  private notFound(id: string): BeadError {
    return new BeadError(
      'BEAD_NOT_FOUND',
      `no bead ${id} in ${this.jsonlPath}; \`sase bead list\` shows the ids`,
      {
        beadId: id,
      },
    );
  }

  private requireRecord(id: string): BeadRecord {
    const normalized = this.normalizeId(id);
    const record = this.record(normalized);
    if (!record) throw this.notFound(normalized);
    return record;
  }

  private nextPlanId(): string {
    const prefix = this.config.prefix;
    const highest =
      (this.cache.sql.highestPlanCounter.get({ head: `${prefix}-`, start: prefix.length + 2 }) as
        | number
        | null) ?? 0;
    const counter = Math.max(this.config.nextCounter, highest + 1);
    this.config = { ...this.config, nextCounter: counter + 1 };
    this.configDirty = true;
    return `${prefix}-${counter}`;
  }

  private nextPhaseId(parentId: string): string {
    let highest = 0;
    for (const id of this.cache.sql.childIds.all(parentId) as string[]) {
      const match = /^(\d+)$/.exec(id.slice(parentId.length + 1));
      if (match) highest = Math.max(highest, Number(match[1]));
    }
    return `${parentId}.${highest + 1}`;
  }

  /** Creates a bead and returns it. Plan beads get `<prefix>-<counter>`, phase beads `<parent>.<N>`. */
  create(input: CreateBeadInput): Bead {
    return this.mutate(() => {
      const title = requireText('title', input.title);
      checkOneLine('title', title);
      if (input.assignee) checkOneLine('assignee', input.assignee);
      if (input.model) checkModel(input.model);
      let parent: BeadRecord | undefined;
      if (input.parentId !== undefined) parent = this.requireRecord(input.parentId);
      const issueType = input.issueType ?? (parent?.tier === 'epic' ? 'phase' : 'plan');
      checkEnum('type', issueType, ISSUE_TYPES);
      if (input.tier !== undefined) checkEnum('tier', input.tier, TIERS);
      if (issueType === 'phase') {
        if (!parent) {
          throw new BeadError(
            'INVALID_INPUT',
            'a phase bead needs a parent plan bead: pass --parent <epic id>',
          );
        }
        if (parent.issue_type !== 'plan') {
          throw new BeadError(
            'INVALID_INPUT',
            `the parent of a phase must be a plan bead, but ${parent.id} is a ${parent.issue_type} bead`,
            { beadId: parent.id },
          );
        }
        if (input.tier !== undefined) {
          throw new BeadError(
            'INVALID_INPUT',
            'tier applies to plan beads only; leave it out for a phase bead',
          );
        }
      }
      checkCount(input.epicCount);
      const dependencies = (input.dependencies ?? []).map((dependency) => {
        const id = this.normalizeId(dependency);
        if (!this.record(id)) {
          throw new BeadError('DEPENDENCY_NOT_FOUND', `cannot depend on ${id}: there is no such bead`, {
            beadId: id,
          });
        }
        return { id, type: 'blocks' as const };
      });
      const id = issueType === 'phase' ? this.nextPhaseId(parent!.id) : this.nextPlanId();
      const now = this.timestamp();
      const bead: Bead = {
        id,
        title,
        status: 'open',
        issueType,
        ...(issueType === 'plan' ? { tier: input.tier ?? 'plan' } : {}),
        ...(parent ? { parentId: parent.id } : {}),
        ...optionalText('assignee', input.assignee),
        ...optionalText('model', input.model),
        ...optionalText('design', input.design),
        ...(input.isReadyToWork !== undefined ? { isReadyToWork: input.isReadyToWork } : {}),
        ...(input.epicCount !== undefined ? { epicCount: input.epicCount } : {}),
        ...optionalText('description', input.description),
        ...optionalText('notes', input.notes),
        createdAt: now,
        updatedAt: now,
        dependencies: uniqueDependencies(dependencies),
      };
      return this.write(toRecord(bead));
    });
  }

  /**
   * Writes complete records with the ids they carry (an import: ids, timestamps and edges are kept as
   * given, dependencies on missing beads included; `doctor()` reports those). All or none: a record that
   * fails the schema, an id given twice, or an id the store already has is refused with INVALID_INPUT
   * naming the ids, and nothing changes. Raises next_counter past any `<prefix>-<N>` id inserted.
   */
  insertRecords(records: readonly BeadRecord[]): void {
    this.mutate(() => {
      const seen = new Set<string>();
      const taken: string[] = [];
      for (const record of records) {
        if (!isValidRecordFast({ ...record })) {
          const result = getBeadRecordSchema().safeParse(record);
          if (!result.success) {
            throw new BeadError(
              'INVALID_INPUT',
              `record ${String(record.id)} is not a valid bead record: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
              { beadId: String(record.id) },
            );
          }
        }
        if (seen.has(record.id) || this.record(record.id)) taken.push(record.id);
        seen.add(record.id);
      }
      if (taken.length > 0) {
        const shown = `${taken.slice(0, 20).join(', ')}${taken.length > 20 ? `, … and ${taken.length - 20} more` : ''}`;
        throw new BeadError(
          'DUPLICATE_ID',
          `cannot insert ${taken.length} bead(s) whose id already exists in ${this.jsonlPath} or is given twice: ${shown}; import into an empty store or remove those beads first`,
          { beadId: taken[0]! },
        );
      }
      const planId = new RegExp(`^${escapeRegExp(this.config.prefix)}-(\\d+)(\\.|$)`);
      let highest = 0;
      for (const record of records) {
        this.write({ ...record, dependencies: [...(record.dependencies ?? [])] });
        const match = planId.exec(record.id);
        if (match) highest = Math.max(highest, Number(match[1]));
      }
      if (highest >= this.config.nextCounter) {
        this.config = { ...this.config, nextCounter: highest + 1 };
        this.configDirty = true;
      }
    });
  }

  /**
   * Changes fields of one bead. Setting status keeps closed_at consistent. A bead someone holds (in
   * progress with an assignee) keeps its holder: an update that would leave it in progress with another
   * assignee is refused with ALREADY_CLAIMED naming the holder, unless `options.force`.
   */
  update(id: string, patch: UpdateBeadInput, options: UpdateBeadOptions = {}): Bead {
    return this.mutate(() => {
      const current = this.requireRecord(id);
      if (!options.force && current.status === 'in_progress' && current.assignee !== undefined) {
        const assignee = patch.assignee === undefined ? current.assignee : patch.assignee || undefined;
        const status = patch.status ?? current.status;
        if (status === 'in_progress' && assignee !== undefined && assignee !== current.assignee)
          throw alreadyClaimed(current, assignee);
      }
      const bead = fromRecord(current) as unknown as Record<string, unknown>;
      const now = this.timestamp();
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        switch (key) {
          case 'title':
            bead.title = requireText('title', value as string);
            checkOneLine('title', bead.title as string);
            break;
          case 'status':
            checkEnum('status', value as string, BEAD_STATUSES);
            this.applyStatus(bead as unknown as Bead, value as BeadStatus, now);
            break;
          case 'tier':
            if (value !== null) checkEnum('tier', value as string, TIERS);
            if (value !== null && bead.issueType !== 'plan') {
              throw new BeadError(
                'INVALID_INPUT',
                `tier applies to plan beads only; ${bead.id} is a phase bead`,
              );
            }
            setOrDelete(bead, key, value);
            break;
          case 'epicCount':
            if (value !== null) checkCount(value as number);
            setOrDelete(bead, key, value);
            break;
          case 'isReadyToWork':
            setOrDelete(bead, key, value);
            break;
          case 'parentId': {
            if (bead.issueType !== 'plan') {
              throw new BeadError(
                'INVALID_INPUT',
                `${bead.id} is a phase bead: its parent is part of its id and cannot change`,
              );
            }
            if (value !== null) {
              let ancestor: string | undefined = this.requireRecord(value as string).id;
              while (ancestor !== undefined) {
                if (ancestor === bead.id) {
                  throw new BeadError(
                    'INVALID_INPUT',
                    `${value as string} cannot be the parent of ${bead.id}: it is ${bead.id} or below it`,
                  );
                }
                ancestor = this.find(ancestor)?.parentId;
              }
              setOrDelete(bead, key, this.requireRecord(value as string).id);
            } else setOrDelete(bead, key, null);
            break;
          }
          case 'assignee':
            if (value) checkOneLine('assignee', value as string);
            setOrDelete(bead, key, value === '' ? null : value);
            break;
          case 'model':
            if (value) checkModel(value as string);
            setOrDelete(bead, key, value === '' ? null : value);
            break;
          case 'description':
          case 'design':
          case 'notes':
          case 'closeReason':
            setOrDelete(bead, key, value === '' ? null : value);
            break;
          default:
            throw new BeadError(
              'INVALID_INPUT',
              `unknown field "${key}"; updatable fields: ${UPDATABLE.join(', ')}`,
            );
        }
      }
      bead.updatedAt = now;
      return this.write(toRecord(bead as unknown as Bead));
    });
  }

  private applyStatus(bead: Bead, status: BeadStatus, now: string): void {
    if (bead.status === status) return;
    bead.status = status;
    if (status === 'closed') {
      bead.closedAt = now;
    } else {
      delete bead.closedAt;
      delete bead.closeReason;
    }
  }

  /**
   * Closes beads. A bead that is already closed stays closed as it was (its closed_at is kept); a reason
   * given replaces its close reason, so a reason can be added or corrected afterwards.
   */
  close(ids: string | readonly string[], options: { reason?: string } = {}): Bead[] {
    const list = typeof ids === 'string' ? [ids] : ids;
    return this.mutate(() =>
      list.map((id) => {
        const record = this.requireRecord(id);
        if (record.status === 'closed') {
          if (!options.reason || options.reason === record.close_reason) return fromRecord(record);
          return this.update(record.id, { closeReason: options.reason });
        }
        const patch: UpdateBeadInput = { status: 'closed' };
        if (options.reason) patch.closeReason = options.reason;
        return this.update(record.id, patch);
      }),
    );
  }

  /**
   * Claims a bead for `assignee`, atomically (under the store's lock): an open bead becomes in_progress with
   * that assignee. Claiming a bead you already hold changes nothing; a bead someone else holds (in progress
   * with another assignee) is refused with ALREADY_CLAIMED naming the holder; a closed bead with
   * INVALID_TRANSITION. Blockers are not checked (claimNext takes only ready beads). An in_progress bead
   * with no assignee is held by nobody and can be claimed.
   */
  claim(id: string, assignee: string): Bead {
    const name = checkAssignee(assignee);
    return this.mutate(() => this.claimRecord(this.requireRecord(id), name));
  }

  /**
   * Claims the first ready bead (in the order of ready()) for `assignee`, atomically: two processes never
   * get the same bead. Returns undefined when nothing is ready.
   */
  claimNext(assignee: string): Bead | undefined {
    const name = checkAssignee(assignee);
    return this.mutate(() => {
      const id = this.cache.sql.firstReady.get() as string | undefined;
      return id === undefined ? undefined : this.claimRecord(this.requireRecord(id), name);
    });
  }

  private claimRecord(record: BeadRecord, assignee: string): Bead {
    if (record.status === 'closed') {
      throw new BeadError(
        'INVALID_TRANSITION',
        `${record.id} is closed, so it cannot be claimed; reopen it first (\`sase bead reopen ${record.id}\`)`,
        { beadId: record.id },
      );
    }
    if (record.status === 'in_progress' && record.assignee !== undefined) {
      if (record.assignee === assignee) return fromRecord(record);
      throw alreadyClaimed(record, assignee);
    }
    return this.update(record.id, { status: 'in_progress', assignee });
  }

  /** Moves a closed bead back to `open` (a bead that is not closed is returned unchanged). */
  reopen(id: string): Bead {
    return this.mutate(() => {
      const record = this.requireRecord(id);
      if (record.status !== 'closed') return fromRecord(record);
      return this.update(record.id, { status: 'open' });
    });
  }

  /**
   * Records that `beadId` depends on `dependsOnId`. A `blocks` edge that would close a cycle (a bead on
   * itself included) is refused with DEPENDENCY_CYCLE naming the cycle, a `related` edge of a bead on itself
   * with INVALID_INPUT. Adding an edge that exists changes nothing; an edge of the other type on the same
   * bead is refused with DEPENDENCY_EXISTS naming it (remove it first: a type change can unblock a bead).
   */
  addDependency(beadId: string, dependsOnId: string, type: DependencyType = 'blocks'): Bead {
    checkEnum('dependency type', type, DEPENDENCY_TYPES);
    return this.mutate(() => {
      const record = this.requireRecord(beadId);
      const target = this.normalizeId(dependsOnId);
      if (!this.record(target)) {
        throw new BeadError('DEPENDENCY_NOT_FOUND', `cannot depend on ${target}: there is no such bead`, {
          beadId: target,
        });
      }
      if (type === 'related' && target === record.id) {
        throw new BeadError(
          'INVALID_INPUT',
          `${record.id} cannot be related to itself; a related edge links two different beads`,
          { beadId: record.id },
        );
      }
      const existing = record.dependencies.find((dependency) => dependency.id === target);
      if (existing?.type === type) return fromRecord(record);
      if (existing) {
        throw new BeadError(
          'DEPENDENCY_EXISTS',
          `${record.id} already has a ${existing.type} edge on ${target}; to make it ${type}, remove it first (\`sase bead dep rm ${record.id} ${target}\`), then add the ${type} edge`,
          { beadId: record.id },
        );
      }
      if (type === 'blocks') {
        const cycle = target === record.id ? [record.id, record.id] : this.pathBetween(target, record.id);
        if (cycle) {
          const names = target === record.id ? cycle : [record.id, ...cycle];
          throw new BeadError(
            'DEPENDENCY_CYCLE',
            `${record.id} cannot depend on ${target}: that would close the cycle ${names.join(' → ')}`,
            { beadId: record.id, cycle: names },
          );
        }
      }
      const dependencies = [...record.dependencies, { id: target, type }];
      return this.write({ ...record, dependencies, updated_at: this.timestamp() });
    });
  }

  /** Removes the dependency of `beadId` on `dependsOnId`. Returns false when there was none. */
  removeDependency(beadId: string, dependsOnId: string): boolean {
    return this.mutate(() => {
      const record = this.requireRecord(beadId);
      const target = this.normalizeId(dependsOnId);
      const dependencies = record.dependencies.filter((dependency) => dependency.id !== target);
      if (dependencies.length === record.dependencies.length) return false;
      this.write({ ...record, dependencies, updated_at: this.timestamp() });
      return true;
    });
  }

  /** A `blocks` path from → ... → to (inclusive), or undefined. Breadth-first, so the shortest. */
  private pathBetween(from: string, to: string): string[] | undefined {
    const previous = new Map<string, string | null>([[from, null]]);
    const queue = [from];
    while (queue.length > 0) {
      const current = queue.shift()!;
      if (current === to) {
        const path: string[] = [];
        for (let node: string | null = current; node !== null; node = previous.get(node) ?? null)
          path.unshift(node);
        return path;
      }
      for (const next of this.cache.sql.blockersOf.all(current) as string[]) {
        if (!previous.has(next)) {
          previous.set(next, current);
          queue.push(next);
        }
      }
    }
    return undefined;
  }

  /**
   * Checks the store for problems a hand edit or a merge can leave: dependencies on missing beads, phases
   * whose parent is missing, `blocks` cycles, a counter behind the highest id, closed_at out of step with
   * status. With `fix`, repairs what is safe to repair: the counter, closed_at, and self-dependencies.
   * It always reloads the cache from the JSONL first.
   */
  doctor(options: { fix?: boolean } = {}): DoctorReport {
    // Ids defined on two lines (a merge without the driver) make the file unreadable: report them, or with
    // `fix` renumber them first (repairDuplicateIds) and check the repaired store as usual.
    let repaired: DoctorProblem[] = [];
    this.removedTempFiles = [];
    try {
      if (options.fix) repaired = this.repairDuplicateIds();
      const report = this.checkStore(options);
      const problems = [...this.staleTempProblems(), ...repaired, ...report.problems];
      return { ok: problems.every((problem) => problem.fixed || problem.severity !== 'error'), problems };
    } catch (error) {
      if (!(error instanceof BeadError) || error.code !== 'DUPLICATE_ID' || options.fix) throw error;
      const problem: DoctorProblem = {
        code: 'DUPLICATE_ID',
        severity: 'error',
        message: error.message,
        fixed: false,
      };
      if (error.beadId !== undefined) problem.beadId = error.beadId;
      return { ok: false, problems: [...this.staleTempProblems(), problem] };
    }
  }

  /** The temporary files of dead writers that the writes since doctor() began removed. */
  private staleTempProblems(): DoctorProblem[] {
    return this.removedTempFiles.map((file) => ({
      code: 'STALE_TEMP_FILE' as const,
      severity: 'warning' as const,
      message: `removed ${file}: the temporary copy of a write whose process died before finishing it (killed mid-write); the store was not changed by that write`,
      fixed: true,
    }));
  }

  /** Renumbers ids defined on more than one line (see repairDuplicateIds), under the store's lock. */
  private repairDuplicateIds(): DoctorProblem[] {
    const problems: DoctorProblem[] = [];
    this.mutate(
      () =>
        this.cache.rewriteJsonl((text) => {
          const { text: repaired, repairs } = repairDuplicateIds(text, this.jsonlPath);
          for (const repair of repairs) {
            problems.push({
              code: 'DUPLICATE_ID',
              severity: 'error',
              beadId: repair.id,
              message:
                repair.to === undefined
                  ? `${this.jsonlPath}:${repair.line}: a second, identical line for ${repair.id}: dropped`
                  : `${this.jsonlPath}:${repair.line}: a second bead ${repair.id}: renumbered ${repair.to}`,
              fixed: true,
            });
          }
          return repairs.length > 0 ? repaired : undefined;
        }),
      { sync: false },
    );
    return problems;
  }

  private checkStore(options: { fix?: boolean }): DoctorReport {
    return this.mutate(() => {
      const problems: DoctorProblem[] = [];
      const records = this.read(() => this.cache.sql.all.all() as LineRef[]).map(
        (hit) => JSON.parse(hit.line) as BeadRecord,
      );
      const ids = new Set(records.map((record) => record.id));
      const prefix = this.config.prefix;
      let highest = 0;
      for (const record of records) {
        const planMatch = new RegExp(`^${escapeRegExp(prefix)}-(\\d+)(\\.|$)`).exec(record.id);
        if (planMatch) highest = Math.max(highest, Number(planMatch[1]));
        if (!record.id.startsWith(`${prefix}-`)) {
          problems.push({
            code: 'PREFIX_MISMATCH',
            severity: 'warning',
            beadId: record.id,
            message: `${record.id} does not start with the store prefix "${prefix}-"`,
            fixed: false,
          });
        }
        let changed: BeadRecord | undefined;
        for (const dependency of record.dependencies) {
          if (dependency.id === record.id) {
            problems.push({
              code: 'SELF_DEPENDENCY',
              severity: 'error',
              beadId: record.id,
              message: `${record.id} depends on itself`,
              fixed: Boolean(options.fix),
            });
            changed = { ...(changed ?? record) };
            changed.dependencies = changed.dependencies.filter((d) => d.id !== record.id);
          } else if (!ids.has(dependency.id)) {
            problems.push({
              code: 'MISSING_DEPENDENCY',
              severity: dependency.type === 'blocks' ? 'error' : 'warning',
              beadId: record.id,
              message: `${record.id} depends on ${dependency.id}, which does not exist${dependency.type === 'blocks' ? ` (so ${record.id} stays blocked); remove the edge with \`sase bead dep rm ${record.id} ${dependency.id}\`` : ''}`,
              fixed: false,
            });
          }
        }
        if (record.parent_id !== undefined && !ids.has(record.parent_id)) {
          problems.push({
            code: 'MISSING_PARENT',
            severity: 'error',
            beadId: record.id,
            message: `${record.id} has parent ${record.parent_id}, which does not exist`,
            fixed: false,
          });
        }
        if (record.issue_type === 'phase' && record.parent_id === undefined) {
          problems.push({
            code: 'PHASE_WITHOUT_PARENT',
            severity: 'warning',
            beadId: record.id,
            message: `phase bead ${record.id} has no parent_id`,
            fixed: false,
          });
        }
        if ((record.status === 'closed') !== (record.closed_at !== undefined)) {
          problems.push({
            code: 'CLOSED_AT_MISMATCH',
            severity: 'warning',
            beadId: record.id,
            message:
              record.status === 'closed'
                ? `${record.id} is closed but has no closed_at`
                : `${record.id} is ${record.status} but has a closed_at`,
            fixed: Boolean(options.fix),
          });
          changed = { ...(changed ?? record) };
          if (record.status === 'closed') changed.closed_at = record.updated_at;
          else delete changed.closed_at;
        }
        if (changed && options.fix) this.write(changed);
      }
      for (const cycle of findCycles(records)) {
        problems.push({
          code: 'DEPENDENCY_CYCLE',
          severity: 'error',
          beadId: cycle[0],
          message: `blocks cycle ${cycle.join(' → ')}: none of these can become ready; remove one edge with \`sase bead dep rm\``,
          fixed: false,
        });
      }
      if (this.config.nextCounter <= highest) {
        problems.push({
          code: 'COUNTER_BEHIND',
          severity: 'warning',
          message: `config.json next_counter is ${this.config.nextCounter} but ${prefix}-${highest} exists`,
          fixed: Boolean(options.fix),
        });
        if (options.fix) {
          this.config = { ...this.config, nextCounter: highest + 1 };
          this.configDirty = true;
        }
      }
      return { ok: !problems.some((problem) => problem.severity === 'error' && !problem.fixed), problems };
    });
  }
}

const UPDATABLE = [
  'title',
  'status',
  'description',
  'assignee',
  'model',
  'design',
  'notes',
  'tier',
  'isReadyToWork',
  'epicCount',
  'closeReason',
  'parentId',
];

function parseLine(line: string): Bead {
  return fromRecord(JSON.parse(line) as BeadRecord);
}

function checkEnum(what: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) {
    throw new BeadError(
      'INVALID_INPUT',
      `invalid ${what} "${value}"; expected one of: ${allowed.join(', ')}`,
    );
  }
}

/** The files of a store directory, whose temporary copies a writer may leave behind. */
const STORE_FILES = [JSONL_FILE, CONFIG_FILE, '.gitignore'];

/** A title or assignee: one line of text, no control characters (they are printed in tables). */
function checkOneLine(what: 'title' | 'assignee', value: string): void {
  const index = controlCharacterIndex(value);
  if (index === -1) return;
  throw new BeadError(
    'INVALID_INPUT',
    `invalid ${what} ${JSON.stringify(value)}: it contains ${describeControlCharacter(value, index)}; a ${what} is one line of text without control characters${what === 'title' ? ' (put the rest in the description)' : ''}`,
  );
}

function checkModel(value: string): void {
  if (MODEL_NAME.test(value)) return;
  throw new BeadError(
    'INVALID_INPUT',
    `invalid model ${JSON.stringify(value)}: a model name is 1 to 200 letters, digits and . _ : / @ + [ ] -, not starting with - and without spaces (e.g. opus, gpt-5.1, claude-sonnet-4-5@20250929)`,
  );
}

function checkAssignee(assignee: string): string {
  const name = requireText('assignee', assignee);
  checkOneLine('assignee', name);
  return name;
}

/** ALREADY_CLAIMED: `record` is held by its assignee, and `claimant` asked for it. */
function alreadyClaimed(record: BeadRecord, claimant: string): BeadError {
  const holder = record.assignee!;
  return new BeadError(
    'ALREADY_CLAIMED',
    `${record.id} is already claimed by ${JSON.stringify(holder)} (in progress), so it was not given to ${JSON.stringify(claimant)}; ` +
      'pick another bead (`sase bead claim --next`), or take it over with `--force` if its holder is gone',
    { beadId: record.id, holder },
  );
}

function checkCount(value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw new BeadError('INVALID_INPUT', `invalid epic count ${value}; expected a whole number ≥ 0`);
  }
}

function requireText(what: string, value: string | undefined): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BeadError('INVALID_INPUT', `${what} must not be empty`);
  }
  return value;
}

function optionalText<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, string>);
}

function setOrDelete(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === null) delete target[key];
  else target[key] = value;
}

function uniqueDependencies<T extends { id: string }>(dependencies: T[]): T[] {
  const seen = new Set<string>();
  return dependencies.filter((dependency) => !seen.has(dependency.id) && seen.add(dependency.id));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Each `blocks` cycle once (Tarjan's strongly connected components, then one cycle per component). */
export function findCycles(records: readonly BeadRecord[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const record of records) {
    edges.set(
      record.id,
      record.dependencies.filter((d) => d.type === 'blocks' && d.id !== record.id).map((d) => d.id),
    );
  }
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (start: string) => {
    // Iterative Tarjan, so a long chain cannot overflow the call stack.
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    indices.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = edges.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (!edges.has(target)) continue;
        if (!indices.has(target)) {
          indices.set(target, index);
          low.set(target, index++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, indices.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === indices.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1) cycles.push(cycleWithin(new Set(component), edges));
      }
    }
  };
  for (const id of [...edges.keys()].sort(compareIds)) if (!indices.has(id)) visit(id);
  return cycles;
}

function cycleWithin(component: Set<string>, edges: Map<string, string[]>): string[] {
  const start = [...component].sort(compareIds)[0]!;
  const path = [start];
  const seen = new Set([start]);
  let current = start;
  for (;;) {
    const next = (edges.get(current) ?? []).find((target) => component.has(target))!;
    if (seen.has(next)) {
      return [...path.slice(path.indexOf(next)), next];
    }
    path.push(next);
    seen.add(next);
    current = next;
  }
}
