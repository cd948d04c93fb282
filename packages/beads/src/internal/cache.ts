import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { BeadError } from '../errors.js';
import { duplicateIdError, forEachJsonlRecord } from '../jsonl.js';
import { naturalSortKey } from '../natural-sort.js';
import { type BeadRecord, stringifyRecord } from '../record.js';
import { writeFileAtomic } from './atomic-file.js';
import { type ChunkWriter, writeFileAsJsonArray, writeLinesAsJsonArray } from './json-array.js';

// The build bundles better-sqlite3's JavaScript (tsup noExternal): one file to load instead of thirteen
// resolved through node_modules, ~3 ms of every process that opens a store. Its compiled addon stays in the
// installed package, and is handed over by path (which also skips the `bindings` package's directory
// search). Where the addon is not at its usual place, the package is loaded as published and finds it itself.
let sqlite: { Database: typeof Database; nativeBinding?: string } | undefined;

function loadSqlite(): NonNullable<typeof sqlite> {
  if (sqlite) return sqlite;
  const require = createRequire(import.meta.url);
  const packageDir =
    packageDirOf('better-sqlite3', dirname(fileURLToPath(import.meta.url))) ??
    dirname(require.resolve('better-sqlite3/package.json'));
  const addon = join(packageDir, 'build', 'Release', 'better_sqlite3.node');
  sqlite = existsSync(addon)
    ? { Database, nativeBinding: addon }
    : { Database: require('better-sqlite3') as typeof Database };
  return sqlite;
}

/**
 * Where `require(name)` finds a package from `dir`: the first `node_modules/<name>` up the tree (what Node's
 * resolver does first, without its package.json reads and caches: ~2 ms of every start-up). Undefined when
 * not found that way (NODE_PATH, global folders): the caller then asks the resolver.
 */
function packageDirOf(name: string, dir: string): string | undefined {
  for (let current = dir; ; ) {
    if (basename(current) !== 'node_modules') {
      const candidate = join(current, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
    }
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** Bump when the cache layout changes: an older cache is then dropped and rebuilt from the JSONL. */
const SCHEMA_VERSION = '5';

/**
 * The cache is an index over issues.jsonl, not a second copy of it: each row holds what queries filter on
 * (status, type, tier, parent, and how many of its blockers are open) and where the bead's line sits in the
 * file (byte offset and length); `edges` holds the dependencies, both ways indexed. The record text itself
 * is read from the file. This keeps a rebuild to one small insert per line and edge, and lets a write
 * rewrite the file from slices of the old one.
 *
 * `open_blockers` counts a bead's `blocks` edges to beads that are not closed or do not exist, so `ready`
 * is an index scan (status open, no open blocker) instead of a join per open bead. It is exact for every
 * bead that is not closed (a rebuild leaves closed ones at 0): every write counts the bead it writes, and
 * when a bead starts or stops being closed (or comes into being), the beads it blocks.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS beads (
  id TEXT NOT NULL,
  sort_key TEXT NOT NULL,
  status TEXT NOT NULL,
  issue_type TEXT NOT NULL,
  tier TEXT,
  parent_id TEXT,
  open_blockers INTEGER NOT NULL,
  off INTEGER NOT NULL,
  len INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS edges (bead_id TEXT NOT NULL, target_id TEXT NOT NULL, type TEXT NOT NULL);
`;
/** The indexes a rebuild needs to count open blockers (made first; INDEXES repeats them for a new cache). */
const LOOKUP_INDEXES = `
CREATE UNIQUE INDEX IF NOT EXISTS beads_by_id ON beads (id);
CREATE INDEX IF NOT EXISTS edges_by_bead ON edges (bead_id);
`;
const INDEXES = `${LOOKUP_INDEXES}
CREATE INDEX IF NOT EXISTS beads_by_sort_key ON beads (sort_key);
CREATE INDEX IF NOT EXISTS beads_by_parent ON beads (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS beads_ready ON beads (sort_key, off, len, id) WHERE status = 'open' AND open_blockers = 0;
CREATE INDEX IF NOT EXISTS beads_blocked ON beads (sort_key) WHERE status = 'open' AND open_blockers > 0;
CREATE INDEX IF NOT EXISTS beads_plans ON beads (id) WHERE issue_type = 'plan';
CREATE INDEX IF NOT EXISTS edges_by_target ON edges (target_id);
`;
const DROP_INDEXES = [
  'beads_by_id',
  'beads_by_sort_key',
  'beads_by_parent',
  'beads_ready',
  'beads_blocked',
  'beads_plans',
  'edges_by_bead',
  'edges_by_target',
]
  .map((name) => `DROP INDEX IF EXISTS ${name};`)
  .join(' ');

/** A row's pointer into the file. `off` is -1 for a bead changed in the open transaction (text pending). */
export interface LineRef {
  id: string;
  off: number;
  len: number;
}

/** Identifies one version of the JSONL file: writes replace it by rename, so the inode changes too. */
export interface Fingerprint {
  size: string;
  mtimeNs: string;
  ino: string;
}

const ABSENT: Fingerprint = { size: '-1', mtimeNs: '-1', ino: '-1' };

/**
 * A new version of the JSONL: the first `keep` bytes of the current file, then `parts`. `base` is the
 * version it was made from; the writer checks that it is still the file on disk before replacing it.
 */
export interface Rendering {
  keep: number;
  parts: Buffer[];
  base: Fingerprint | undefined;
}

/** Below this, the unchanged prefix of the file is read and written again rather than copied. */
const COPY_AT_LEAST = 64 * 1024;

/**
 * Lines are read from the file in windows of up to this many bytes (one buffer, reused): one read for many
 * nearby lines instead of one per line, and no fresh memory for each.
 */
const WINDOW = 256 * 1024;

/** Two lines further apart than this are read with two reads rather than one that spans the gap. */
const MAX_GAP = 16 * 1024;

/** Where a line is: offset (-1: its text is pending in the open transaction), length and id. */
export type RawLineRow = [off: number, len: number, id: string];

/**
 * Where the lines of the beads `where` selects are, in natural id order, as two values: a JSON array of
 * offsets and lengths (`[off,len,off,len,...]`, offset -1 where the text is pending) and the ids of the
 * pending rows. Two values for SQLite to hand over instead of one JavaScript array per row, which costs
 * more than the query itself (microseconds a row in a short-lived process: 4,000 ready beads took 15 ms
 * that way, 1.5 ms so), and JSON.parse reads the offsets natively. The aggregates see the rows in the
 * subquery's order (SQLite never flattens a subquery with ORDER BY into an aggregate query), which the
 * index scan gives without a sort; `group_concat(... ORDER BY sort_key)` would sort them again, twice.
 */
export function linePositionsQuery(where: string): string {
  return `SELECT '[' || coalesce(group_concat(off || ',' || len, ','), '') || ']',
    group_concat(iif(off < 0, id, NULL), ',') FROM (SELECT off, len, id FROM beads ${where} ORDER BY sort_key)`;
}

/** What a linePositionsQuery returned: flat offsets and lengths, and the ids of pending rows in order. */
export interface LinePositions {
  positions: number[];
  pendingIds: string[];
}

export function parseLinePositions(row: [string, string | null] | undefined): LinePositions {
  if (row === undefined) return { positions: [], pendingIds: [] };
  return { positions: JSON.parse(row[0]) as number[], pendingIds: row[1] ? row[1].split(',') : [] };
}

/** Bytes [start, end) of an open file (empty when there is no file). */
function readRange(fd: number | undefined, start: number, end: number): Buffer {
  const buffer = Buffer.allocUnsafe(Math.max(0, end - start));
  let done = 0;
  while (fd !== undefined && done < buffer.length) {
    const read = readSync(fd, buffer, done, buffer.length - done, start + done);
    if (read === 0) break;
    done += read;
  }
  return buffer.subarray(0, done);
}

/** Thrown inside a snapshot when the JSONL on disk is not the version the cache indexes. */
const MOVED = Symbol('moved');

/** Reads up to `length` bytes at `position` into `buffer` (fewer only at the end of the file). */
function readInto(fd: number, buffer: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}

function sameFile(a: Fingerprint | undefined, b: Fingerprint): boolean {
  return a !== undefined && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino;
}

function fingerprintOf(stat: { size: bigint; mtimeNs: bigint; ino: bigint }): Fingerprint {
  return { size: String(stat.size), mtimeNs: String(stat.mtimeNs), ino: String(stat.ino) };
}

type StatementName =
  | 'getMeta'
  | 'setMeta'
  | 'ref'
  | 'status'
  | 'insert'
  | 'insertMany'
  | 'insertEdge'
  | 'insertEdges'
  | 'deleteEdges'
  | 'countBlockers'
  | 'recountDependents'
  | 'update'
  | 'all'
  | 'after'
  | 'ready'
  | 'readyPositions'
  | 'firstReady'
  | 'blocked'
  | 'queueSizes'
  | 'childIds'
  | 'blockersOf'
  | 'dependentsOf'
  | 'highestPlanCounter'
  | 'counts'
  | 'reflow';

type Statements = Record<StatementName, Database.Statement>;

const REF = 'id, off, len';
const INSERT =
  'INSERT INTO beads (id, sort_key, status, issue_type, tier, parent_id, open_blockers, off, len) VALUES';
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';
const ROW_VALUES = 9;
const INSERT_BATCH = 16;
const INSERT_EDGE = 'INSERT INTO edges (bead_id, target_id, type) VALUES';
const EDGE_BATCH = 32;
/** The `blocks` edges of `beads.id` (the row being updated) to a bead that is not closed or does not exist. */
const OPEN_BLOCKER_COUNT = `(SELECT COUNT(*) FROM edges e LEFT JOIN beads t ON t.id = e.target_id
  WHERE e.bead_id = beads.id AND e.type = 'blocks' AND (t.status IS NULL OR t.status <> 'closed'))`;

/**
 * The SQLite cache of one bead store (beads.db). Always derivable from issues.jsonl: deleting it is safe,
 * and a JSONL changed behind its back (git pull, branch switch, hand edit) is noticed by its fingerprint
 * (size, mtime, inode) and reloaded. `BEGIN IMMEDIATE` on this database is the store's cross-process lock.
 */
export class BeadCache {
  readonly db: Database.Database;
  readonly sql: Statements;
  /** Text of beads changed in the open write transaction, by id. */
  readonly pending = new Map<string, string>();
  /** Where changed beads stood in the current file before the open transaction changed them. */
  private readonly originals = new Map<string, { off: number; len: number }>();

  constructor(
    readonly dbPath: string,
    readonly jsonlPath: string,
    busyTimeoutMs: number,
  ) {
    const { Database, nativeBinding } = loadSqlite();
    this.db = new Database(
      dbPath,
      nativeBinding ? { timeout: busyTimeoutMs, nativeBinding } : { timeout: busyTimeoutMs },
    );
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    if (this.tryReadVersion() !== SCHEMA_VERSION) {
      this.db.exec(`BEGIN IMMEDIATE; DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS beads; DROP TABLE IF EXISTS deps;
        DROP TABLE IF EXISTS edges;
        ${DDL} ${INDEXES} INSERT INTO meta (key, value) VALUES ('schema_version', '${SCHEMA_VERSION}'); COMMIT;`);
    }
    this.sql = this.prepare();
  }

  private tryReadVersion(): string | undefined {
    try {
      return this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get() as
        | string
        | undefined;
    } catch {
      return undefined;
    }
  }

  private prepare(): Statements {
    const db = this.db;
    const ready = `FROM beads WHERE status = 'open' AND open_blockers = 0 ORDER BY sort_key`;
    const definitions: Record<StatementName, () => Database.Statement> = {
      getMeta: () => db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: () => db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      ref: () => db.prepare(`SELECT ${REF} FROM beads WHERE id = ?`),
      status: () => db.prepare(`SELECT ${REF}, status FROM beads WHERE id = ?`),
      insert: () => db.prepare(`${INSERT} ${ROW}`),
      // A rebuild inserts rows INSERT_BATCH at a time: a third fewer calls into SQLite than one by one.
      insertMany: () => db.prepare(`${INSERT} ${Array(INSERT_BATCH).fill(ROW).join(', ')}`),
      insertEdge: () => db.prepare(`${INSERT_EDGE} (?, ?, ?)`),
      insertEdges: () => db.prepare(`${INSERT_EDGE} ${Array(EDGE_BATCH).fill('(?, ?, ?)').join(', ')}`),
      deleteEdges: () => db.prepare('DELETE FROM edges WHERE bead_id = ?'),
      countBlockers: () => db.prepare(`UPDATE beads SET open_blockers = ${OPEN_BLOCKER_COUNT} WHERE id = ?`),
      recountDependents: () =>
        db.prepare(
          `UPDATE beads SET open_blockers = ${OPEN_BLOCKER_COUNT}
           WHERE id IN (SELECT bead_id FROM edges WHERE target_id = ? AND type = 'blocks')`,
        ),
      update: () =>
        db.prepare(
          'UPDATE beads SET status = ?, issue_type = ?, tier = ?, parent_id = ?, off = -1, len = ? WHERE id = ?',
        ),
      all: () => db.prepare(`SELECT ${REF} FROM beads ORDER BY sort_key`),
      after: () => db.prepare(`SELECT ${REF} FROM beads WHERE sort_key > ? ORDER BY sort_key`),
      ready: () => db.prepare(`SELECT ${REF} ${ready}`),
      readyPositions: () =>
        db.prepare(linePositionsQuery("WHERE status = 'open' AND open_blockers = 0")).raw(),
      firstReady: () => db.prepare(`SELECT id ${ready} LIMIT 1`).pluck(),
      // Each blocked bead with the ids of its blockers that are not closed (or do not exist).
      blocked: () =>
        db.prepare(
          `SELECT ${REF}, (SELECT json_group_array(e.target_id) FROM edges e LEFT JOIN beads t ON t.id = e.target_id
           WHERE e.bead_id = b.id AND e.type = 'blocks' AND (t.status IS NULL OR t.status <> 'closed')) AS blocked_by
         FROM beads b WHERE status = 'open' AND open_blockers > 0 ORDER BY sort_key`,
        ),
      queueSizes: () =>
        db.prepare(
          `SELECT (SELECT COUNT(*) FROM beads WHERE status = 'open' AND open_blockers = 0) AS ready,
             (SELECT COUNT(*) FROM beads WHERE status = 'open' AND open_blockers > 0) AS blocked`,
        ),
      childIds: () => db.prepare('SELECT id FROM beads WHERE parent_id = ?').pluck(),
      blockersOf: () =>
        db.prepare("SELECT target_id FROM edges WHERE bead_id = ? AND type = 'blocks'").pluck(),
      dependentsOf: () =>
        db
          .prepare(
            'SELECT id FROM beads WHERE id IN (SELECT bead_id FROM edges WHERE target_id = @id) ORDER BY sort_key',
          )
          .pluck(),
      // The largest N among plan ids `<prefix>-N` (digits only); @start is where N begins (1-based).
      highestPlanCounter: () =>
        db
          .prepare(
            `SELECT MAX(CAST(substr(id, @start) AS INTEGER)) FROM beads WHERE issue_type = 'plan'
             AND substr(id, 1, @start - 1) = @head AND substr(id, @start) <> ''
             AND substr(id, @start) NOT GLOB '*[^0-9]*'`,
          )
          .pluck(),
      counts: () =>
        db.prepare(
          'SELECT status, issue_type, tier, COUNT(*) AS count FROM beads GROUP BY status, issue_type, tier',
        ),
      // After a rewrite, every row's offset is the sum of the lengths (plus newline) of the rows before it.
      reflow: () =>
        db.prepare(
          `UPDATE beads SET off = n.o FROM (SELECT id, SUM(len + 1) OVER (ORDER BY sort_key ROWS UNBOUNDED PRECEDING) - len - 1 AS o
           FROM beads) AS n WHERE n.id = beads.id AND beads.off <> n.o`,
        ),
    };
    // Prepared on first use: a command that runs one query should not pay for compiling all of them.
    const statements = {} as Statements;
    for (const [name, make] of Object.entries(definitions)) {
      let statement: Database.Statement | undefined;
      Object.defineProperty(statements, name, { get: () => (statement ??= make()), enumerable: true });
    }
    return statements;
  }

  // ---- freshness -------------------------------------------------------------------------------------

  private statFile(): Fingerprint {
    try {
      return fingerprintOf(statSync(this.jsonlPath, { bigint: true }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ABSENT;
      throw error;
    }
  }

  private stored(): Fingerprint | undefined {
    const value = this.sql.getMeta.get('fingerprint') as string | undefined;
    return value === undefined ? undefined : (JSON.parse(value) as Fingerprint);
  }

  /** True when the cache was built from the JSONL exactly as it is on disk now (one stat, no read). */
  isFresh(): boolean {
    return sameFile(this.stored(), this.statFile());
  }

  /** Whether the file is known to be in canonical form (written by this store, not edited since). */
  isCanonical(): boolean {
    return this.sql.getMeta.get('canonical') === '1';
  }

  /**
   * Brings the cache in line with the JSONL; call inside the write transaction. A changed file is parsed
   * and validated in full (throwing, with nothing changed, on a bad line) and indexed again.
   */
  syncFromJsonl(): void {
    if (this.isFresh()) return;
    let buffer: Buffer;
    try {
      buffer = readFileSync(this.jsonlPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      buffer = Buffer.alloc(0);
    }
    this.db.exec(`DELETE FROM beads; DELETE FROM edges; ${DROP_INDEXES}`);
    const rows: (string | number | null)[] = [];
    const edges: string[] = [];
    // Duplicate ids are left to the unique index (cheaper than a map of every id): see duplicateIn().
    forEachJsonlRecord(
      buffer,
      this.jsonlPath,
      ({ record, offset, length }) => {
        pushRowValues(rows, record, offset, length);
        if (rows.length === INSERT_BATCH * ROW_VALUES) {
          this.sql.insertMany.run(rows);
          rows.length = 0;
        }
        for (const dependency of record.dependencies) {
          edges.push(record.id, dependency.id, dependency.type);
          if (edges.length === EDGE_BATCH * 3) {
            this.sql.insertEdges.run(edges);
            edges.length = 0;
          }
        }
      },
      { checkDuplicateIds: false },
    );
    for (let start = 0; start < rows.length; start += ROW_VALUES)
      this.sql.insert.run(rows.slice(start, start + ROW_VALUES));
    for (let start = 0; start < edges.length; start += 3)
      this.sql.insertEdge.run(edges[start], edges[start + 1], edges[start + 2]);
    try {
      this.db.exec(LOOKUP_INDEXES);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw this.duplicateIn(buffer);
      throw error;
    }
    // Counted once every bead is in (a blocker may come later in the file), before the indexes on the count;
    // only for beads that are not closed, the only ones the queues look at (a write counts a bead it reopens).
    this.db.exec(
      `UPDATE beads SET open_blockers = ${OPEN_BLOCKER_COUNT}
       WHERE status <> 'closed' AND id IN (SELECT bead_id FROM edges WHERE type = 'blocks'); ${INDEXES}`,
    );
    this.sql.setMeta.run('canonical', '0');
    this.recordFingerprint();
  }

  /**
   * Replaces the JSONL with `transform(text)` (nothing when it returns undefined), atomically and only if
   * the file did not change meanwhile; the cache then reindexes it on the next call. Call inside the write
   * transaction; for repairs of a file the cache cannot load.
   */
  rewriteJsonl(transform: (text: string) => string | undefined): void {
    const base = this.statFile();
    let text: string;
    try {
      text = readFileSync(this.jsonlPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const next = transform(text);
    if (next === undefined) return;
    if (!writeFileAtomic(this.jsonlPath, next, { unchanged: () => this.isUnchanged(base) }))
      throw this.changedError();
    this.sql.setMeta.run('fingerprint', JSON.stringify(ABSENT));
  }

  /** The DUPLICATE_ID error parsing would have raised: the first line that repeats an earlier id. */
  private duplicateIn(buffer: Buffer): BeadError {
    const rows = this.db
      .prepare(
        'SELECT id, off FROM beads WHERE id IN (SELECT id FROM beads GROUP BY id HAVING COUNT(*) > 1) ORDER BY off',
      )
      .all() as { id: string; off: number }[];
    const first = new Map<string, number>();
    const lineAt = (offset: number) => {
      let line = 1;
      for (let at = buffer.indexOf(10); at !== -1 && at < offset; at = buffer.indexOf(10, at + 1)) line++;
      return line;
    };
    for (const { id, off } of rows) {
      const previous = first.get(id);
      if (previous !== undefined) return duplicateIdError(this.jsonlPath, id, lineAt(off), lineAt(previous));
      first.set(id, off);
    }
    return new BeadError('DUPLICATE_ID', `${this.jsonlPath}: two lines define the same bead id`, {
      file: this.jsonlPath,
    });
  }

  recordFingerprint(): void {
    this.sql.setMeta.run('fingerprint', JSON.stringify(this.statFile()));
  }

  /**
   * Records a new or changed bead in the open transaction (its text is written by `render()`), with its
   * edges, and keeps the open-blocker counts exact: its own, and, when it starts or stops being closed or is
   * new (a missing blocker counts as open), those of the beads it blocks.
   */
  put(record: BeadRecord): string {
    const line = stringifyRecord(record);
    const before = this.sql.status.get(record.id) as (LineRef & { status: string }) | undefined;
    if (!this.pending.has(record.id) && before && before.off >= 0)
      this.originals.set(record.id, { off: before.off, len: before.len });
    const length = Buffer.byteLength(line);
    const changed = this.sql.update.run(...filterColumns(record), length, record.id).changes;
    if (changed === 0) this.sql.insert.run(pushRowValues([], record, -1, length));
    this.sql.deleteEdges.run(record.id);
    for (const dependency of record.dependencies)
      this.sql.insertEdge.run(record.id, dependency.id, dependency.type);
    this.sql.countBlockers.run(record.id);
    if (before === undefined || (before.status === 'closed') !== (record.status === 'closed'))
      this.sql.recountDependents.run(record.id);
    this.pending.set(record.id, line);
    return line;
  }

  // ---- reading lines -----------------------------------------------------------------------------------

  /**
   * Runs `query` and reads the lines of the rows it returns, consistently: the rows and the file version
   * they point into are taken from one read snapshot, and the file is read through a descriptor whose
   * inode is checked against that snapshot. Returns false when the file moved on (the caller syncs and
   * retries).
   */
  readLines<R extends LineRef>(query: () => R[], into: (row: R, line: string) => void): boolean {
    return this.inSnapshot((open) => {
      const rows = query();
      if (rows.length === 0) return true;
      const fd = rows.every((row) => row.off < 0) ? undefined : open();
      let index = 0;
      this.readRows(
        fd,
        rows.map((row): RawLineRow => [row.off, row.len, row.id]),
        (line, [, , id]) =>
          into(rows[index++]!, line === undefined ? this.pending.get(id)! : line.toString()),
      );
      return true;
    });
  }

  /**
   * Writes the lines of the rows `query` selects as one JSON array (`[\n`, the lines joined by `,\n`,
   * `\n]\n`) to `write`, in chunks valid only during the call, straight from the file's bytes (see
   * json-array.ts). With `wholeFile`, when the file is canonical and nothing is pending, the query is not
   * even run: every line of the file is every bead in natural id order. Consistent like readLines; returns
   * the number of lines, or false, having written nothing, when the file moved on.
   */
  writeJsonArray(
    query: () => LinePositions,
    write: ChunkWriter,
    options: { wholeFile?: boolean } = {},
  ): number | false {
    let count = 0;
    const done = this.inSnapshot((open) => {
      if (options.wholeFile && this.pending.size === 0 && this.isCanonical()) {
        const fd = open();
        const size = Number(this.stored()?.size ?? 0);
        count =
          fd === undefined
            ? writeLinesAsJsonArray(
                undefined,
                [],
                () => '',
                write,
                () => this.changedError(),
              )
            : writeFileAsJsonArray(fd, size, write);
        return true;
      }
      const { positions, pendingIds } = query();
      let pendingIndex = 0;
      const fd = pendingIds.length * 2 < positions.length ? open() : undefined;
      count = writeLinesAsJsonArray(
        fd,
        positions,
        () => this.pending.get(pendingIds[pendingIndex++]!)!,
        write,
        () => this.changedError(),
      );
      return true;
    });
    return done ? count : false;
  }

  /**
   * Runs `read` in a read snapshot (or in the open write transaction). `open()` opens the JSONL and checks
   * that it is the version the snapshot indexes (undefined: there is no file, as the cache knows); when it
   * is another version, inSnapshot returns false.
   */
  private inSnapshot(read: (open: () => number | undefined) => boolean): boolean {
    const inWrite = this.db.inTransaction;
    if (!inWrite) this.db.exec('BEGIN');
    let fd: number | undefined;
    try {
      return read(() => {
        if (fd !== undefined) return fd;
        const expected = this.stored();
        try {
          fd = openSync(this.jsonlPath, 'r');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          if (sameFile(expected, ABSENT)) return undefined;
          throw MOVED;
        }
        if (!sameFile(expected, fingerprintOf(fstatSync(fd, { bigint: true })))) throw MOVED;
        return fd;
      });
    } catch (error) {
      if (error === MOVED) return false;
      throw error;
    } finally {
      if (fd !== undefined) closeSync(fd);
      if (!inWrite) this.db.exec('COMMIT');
    }
  }

  /**
   * Reads the lines of `rows` (in their order) from `fd`, calling `onLine` with each line's bytes
   * (undefined for a row whose text is pending in the open transaction). Rows that follow each other in
   * the file, close by, are read with one read into a reused window.
   */
  private readRows(
    fd: number | undefined,
    rows: RawLineRow[],
    onLine: (line: Buffer | undefined, row: RawLineRow) => void,
  ): void {
    let window = this.window;
    let start = 0;
    let end = 0;
    for (let index = 0; index < rows.length; index++) {
      const row = rows[index]!;
      const [off, len] = row;
      if (off < 0 || fd === undefined) {
        onLine(undefined, row);
        continue;
      }
      if (off < start || off + len > end) {
        let last = off + len;
        for (let next = index + 1; next < rows.length; next++) {
          const [nextOff, nextLen] = rows[next]!;
          if (nextOff < 0) continue;
          if (nextOff < last || nextOff - last > MAX_GAP || nextOff + nextLen - off > WINDOW) break;
          last = nextOff + nextLen;
        }
        if (window.length < last - off) {
          window = Buffer.allocUnsafe(Math.max(last - off, Math.min(WINDOW, window.length * 2)));
          if (window.length <= WINDOW) this.window = window;
        }
        start = off;
        end = off + readInto(fd, window, last - off, off);
        if (off + len > end) throw this.changedError();
      }
      onLine(window.subarray(off - start, off - start + len), row);
    }
  }

  /**
   * The read window: grown to what the reads need, up to WINDOW, and kept (fresh memory costs a page fault
   * per 4 KiB on every read).
   */
  private window = Buffer.allocUnsafe(4096);

  // ---- writing the file ----------------------------------------------------------------------------------

  /**
   * The new JSONL after the changes of the open transaction. When the current file is canonical (this store
   * wrote it last), the new file is the old one with the changed lines spliced in: its first `keep` bytes
   * are the old file's (the writer has the kernel copy them), `parts` are what follows (slices of the old
   * file and new lines, written with one writev, never concatenated), and only rows after a splice get new
   * offsets. Otherwise (edited by hand or by git since), every line is re-serialised and the file is
   * rewritten in natural order. Throws JSONL_CHANGED when the file is no longer the one the cache was
   * synced with (replaced by something that does not take the lock).
   */
  render(): Rendering {
    const base = this.stored();
    const fd = this.openUnchanged(base);
    try {
      const size = Math.max(0, Number(base?.size ?? 0)); // ABSENT (no file yet) has size -1
      return this.isCanonical() ? this.renderSplices(fd, size, base) : this.renderAll(fd, size, base);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** The JSONL opened for reading, checked to be the version `base` describes (undefined: no file yet). */
  private openUnchanged(base: Fingerprint | undefined): number | undefined {
    let fd: number | undefined;
    try {
      fd = openSync(this.jsonlPath, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const current = fd === undefined ? ABSENT : fingerprintOf(fstatSync(fd, { bigint: true }));
    if (!sameFile(base, current)) {
      if (fd !== undefined) closeSync(fd);
      throw this.changedError();
    }
    return fd;
  }

  /** True while the JSONL on disk is still the version `base` describes (asked right before the rename). */
  isUnchanged(base: Fingerprint | undefined): boolean {
    return sameFile(base, this.statFile());
  }

  changedError(): BeadError {
    return new BeadError(
      'JSONL_CHANGED',
      `${this.jsonlPath} was replaced while sase was writing it (by a program that does not take the store's ` +
        'lock: an editor, git); nothing was written, run the command again',
      { file: this.jsonlPath },
    );
  }

  private renderSplices(fd: number | undefined, size: number, base: Fingerprint | undefined): Rendering {
    const splices: { id: string; key: string; position: number; oldLength: number; text: Buffer }[] = [];
    for (const [id, line] of this.pending) {
      const key = naturalSortKey(id);
      const original = this.originals.get(id);
      const position = original ? original.off : this.insertionPoint(key, size);
      splices.push({
        id,
        key,
        position,
        oldLength: original ? original.len + 1 : 0,
        text: Buffer.from(`${line}\n`),
      });
    }
    splices.sort((a, b) => a.position - b.position || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    // Bytes before the first splice are kept as they are; a short prefix is cheaper to read than to copy.
    const first = splices[0]?.position ?? size;
    const keep = first >= COPY_AT_LEAST ? first : 0;
    const old = readRange(fd, keep, size);
    const parts: Buffer[] = [];
    let cursor = keep;
    let shift = 0;
    const placed: [number, string][] = [];
    for (const splice of splices) {
      parts.push(old.subarray(cursor - keep, splice.position - keep), splice.text);
      cursor = splice.position + splice.oldLength;
      placed.push([splice.position + shift, splice.id]);
      shift += splice.text.length - splice.oldLength;
    }
    parts.push(old.subarray(cursor - keep));
    // Unchanged rows at or after a splice move by its size change; walking the splices from the end keeps
    // each WHERE in old coordinates for the rows it has not moved yet.
    const shiftRows = this.db.prepare('UPDATE beads SET off = off + ? WHERE off >= ?');
    for (const splice of [...splices].reverse()) {
      const delta = splice.text.length - splice.oldLength;
      if (delta !== 0) shiftRows.run(delta, splice.position);
    }
    const setOffset = this.db.prepare('UPDATE beads SET off = ? WHERE id = ?');
    for (const [offset, id] of placed) setOffset.run(offset, id);
    return { keep, parts, base };
  }

  /** Where a new line with this sort key goes: before the first row after it that is already in the file. */
  private insertionPoint(key: string, end: number): number {
    for (const row of this.sql.after.iterate(key) as Iterable<LineRef>) {
      if (row.off >= 0) return row.off;
      const original = this.originals.get(row.id);
      if (original) return original.off;
    }
    return end;
  }

  private renderAll(fd: number | undefined, size: number, base: Fingerprint | undefined): Rendering {
    const old = readRange(fd, 0, size);
    const rows = this.sql.all.all() as LineRef[];
    const parts: Buffer[] = [];
    const setLength = this.db.prepare('UPDATE beads SET len = ? WHERE id = ?');
    for (const row of rows) {
      let line = this.pending.get(row.id);
      if (line === undefined) {
        line = stringifyRecord(JSON.parse(old.toString('utf8', row.off, row.off + row.len)) as BeadRecord);
        setLength.run(Buffer.byteLength(line), row.id);
      }
      parts.push(Buffer.from(`${line}\n`));
    }
    this.sql.reflow.run();
    return { keep: 0, parts, base };
  }

  /** After the new file is in place: forget pending text, remember the new file as canonical. */
  committed(): void {
    this.discard();
    this.sql.setMeta.run('canonical', '1');
    this.recordFingerprint();
  }

  /** Forgets the changes of a transaction (after COMMIT or ROLLBACK). */
  discard(): void {
    this.pending.clear();
    this.originals.clear();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * Appends the values of a bead's row, in INSERT's column order, to `values` (and returns it); open_blockers
 * is 0 here, and counted afterwards with SQL (a rebuild counts them all once every bead is in).
 */
function pushRowValues(
  values: (string | number | null)[],
  record: BeadRecord,
  offset: number,
  length: number,
): (string | number | null)[] {
  values.push(record.id, naturalSortKey(record.id), ...filterColumns(record), 0, offset, length);
  return values;
}

/** The columns queries filter on, in table order: status, issue_type, tier, parent_id. */
function filterColumns(record: BeadRecord): (string | null)[] {
  return [record.status, record.issue_type, record.tier ?? null, record.parent_id ?? null];
}

export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

export function lockTimeout(dbPath: string, cause: unknown): BeadError {
  return new BeadError(
    'LOCK_TIMEOUT',
    `timed out waiting for the bead store lock on ${dbPath}; another sase process holds it — retry, or raise busyTimeoutMs`,
    { file: dbPath, cause },
  );
}
