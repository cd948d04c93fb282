import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { BeadError } from '../errors.js';
import { duplicateIdError, forEachJsonlRecord } from '../jsonl.js';
import { naturalSortKey } from '../natural-sort.js';
import { type BeadRecord, stringifyRecord } from '../record.js';
import { writeFileAtomic } from './atomic-file.js';

// The build bundles better-sqlite3's JavaScript (tsup noExternal): one file to load instead of thirteen
// resolved through node_modules, ~3 ms of every process that opens a store. Its compiled addon stays in the
// installed package, and is handed over by path (which also skips the `bindings` package's directory
// search). Where the addon is not at its usual place, the package is loaded as published and finds it itself.
let sqlite: { Database: typeof Database; nativeBinding?: string } | undefined;

function loadSqlite(): NonNullable<typeof sqlite> {
  if (sqlite) return sqlite;
  const require = createRequire(import.meta.url);
  const addon = join(
    dirname(require.resolve('better-sqlite3/package.json')),
    'build',
    'Release',
    'better_sqlite3.node',
  );
  sqlite = existsSync(addon)
    ? { Database, nativeBinding: addon }
    : { Database: require('better-sqlite3') as typeof Database };
  return sqlite;
}

/** Bump when the cache layout changes: an older cache is then dropped and rebuilt from the JSONL. */
const SCHEMA_VERSION = '4';

/**
 * The cache is an index over issues.jsonl, not a second copy of it: each row holds what queries filter on
 * (status, type, tier, parent, blockers) and where the bead's line sits in the file (byte offset and
 * length). The record text itself is read from the file. This keeps a rebuild to one small insert per line
 * and lets a write rewrite the file from slices of the old one.
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
  blocks TEXT,
  related TEXT,
  off INTEGER NOT NULL,
  len INTEGER NOT NULL
);
`;
const INDEXES = `
CREATE UNIQUE INDEX IF NOT EXISTS beads_by_id ON beads (id);
CREATE INDEX IF NOT EXISTS beads_by_sort_key ON beads (sort_key);
CREATE INDEX IF NOT EXISTS beads_by_parent ON beads (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS beads_open ON beads (sort_key) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS beads_plans ON beads (id) WHERE issue_type = 'plan';
`;
const DROP_INDEXES =
  'DROP INDEX IF EXISTS beads_by_id; DROP INDEX IF EXISTS beads_by_sort_key; DROP INDEX IF EXISTS beads_by_parent; ' +
  'DROP INDEX IF EXISTS beads_open; DROP INDEX IF EXISTS beads_plans;';

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
  | 'insert'
  | 'insertMany'
  | 'update'
  | 'all'
  | 'after'
  | 'ready'
  | 'blocked'
  | 'childIds'
  | 'blockersOf'
  | 'dependentsOf'
  | 'highestPlanCounter'
  | 'counts'
  | 'reflow';

type Statements = Record<StatementName, Database.Statement>;

const REF = 'id, off, len';
const INSERT =
  'INSERT INTO beads (id, sort_key, status, issue_type, tier, parent_id, blocks, related, off, len) VALUES';
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const ROW_VALUES = 10;
const INSERT_BATCH = 16;

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
    // A blocker that is not closed, or names no bead, keeps a bead blocked.
    const openBlocker = `SELECT 1 FROM json_each(b.blocks) j LEFT JOIN beads t ON t.id = j.value
      WHERE t.status IS NULL OR t.status <> 'closed'`;
    const definitions: Record<StatementName, () => Database.Statement> = {
      getMeta: () => db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: () => db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      ref: () => db.prepare(`SELECT ${REF} FROM beads WHERE id = ?`),
      insert: () => db.prepare(`${INSERT} ${ROW}`),
      // A rebuild inserts rows INSERT_BATCH at a time: a third fewer calls into SQLite than one by one.
      insertMany: () => db.prepare(`${INSERT} ${Array(INSERT_BATCH).fill(ROW).join(', ')}`),
      update: () =>
        db.prepare(
          'UPDATE beads SET status = ?, issue_type = ?, tier = ?, parent_id = ?, blocks = ?, related = ?, off = -1, len = ? WHERE id = ?',
        ),
      all: () => db.prepare(`SELECT ${REF} FROM beads ORDER BY sort_key`),
      after: () => db.prepare(`SELECT ${REF} FROM beads WHERE sort_key > ? ORDER BY sort_key`),
      ready: () =>
        db.prepare(
          `SELECT ${REF} FROM beads b WHERE status = 'open' AND (blocks IS NULL OR NOT EXISTS (${openBlocker})) ORDER BY sort_key`,
        ),
      blocked: () =>
        db.prepare(
          `SELECT ${REF}, (SELECT json_group_array(j.value) FROM json_each(b.blocks) j LEFT JOIN beads t ON t.id = j.value
           WHERE t.status IS NULL OR t.status <> 'closed') AS blocked_by
         FROM beads b WHERE status = 'open' AND blocks IS NOT NULL AND EXISTS (${openBlocker}) ORDER BY sort_key`,
        ),
      childIds: () => db.prepare('SELECT id FROM beads WHERE parent_id = ?').pluck(),
      blockersOf: () =>
        db.prepare('SELECT j.value FROM beads b, json_each(b.blocks) j WHERE b.id = ?').pluck(),
      dependentsOf: () =>
        db
          .prepare(
            `SELECT b.id FROM beads b WHERE EXISTS (SELECT 1 FROM json_each(b.blocks) j WHERE j.value = @id)
           OR EXISTS (SELECT 1 FROM json_each(b.related) j WHERE j.value = @id) ORDER BY sort_key`,
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
    this.db.exec(`DELETE FROM beads; ${DROP_INDEXES}`);
    const values: (string | number | null)[] = [];
    // Duplicate ids are left to the unique index (cheaper than a map of every id): see duplicateIn().
    forEachJsonlRecord(
      buffer,
      this.jsonlPath,
      ({ record, offset, length }) => {
        pushRowValues(values, record, offset, length);
        if (values.length === INSERT_BATCH * ROW_VALUES) {
          this.sql.insertMany.run(values);
          values.length = 0;
        }
      },
      { checkDuplicateIds: false },
    );
    for (let start = 0; start < values.length; start += ROW_VALUES)
      this.sql.insert.run(values.slice(start, start + ROW_VALUES));
    try {
      this.db.exec(INDEXES);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw this.duplicateIn(buffer);
      throw error;
    }
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

  private insertRow(record: BeadRecord, offset: number, length: number): void {
    this.sql.insert.run(pushRowValues([], record, offset, length));
  }

  /** Records a new or changed bead in the open transaction; its text is written by `rewrite()`. */
  put(record: BeadRecord): string {
    const line = stringifyRecord(record);
    if (!this.pending.has(record.id)) {
      const before = this.sql.ref.get(record.id) as LineRef | undefined;
      if (before && before.off >= 0) this.originals.set(record.id, { off: before.off, len: before.len });
    }
    const length = Buffer.byteLength(line);
    const changed = this.sql.update.run(...filterColumns(record), length, record.id).changes;
    if (changed === 0) this.insertRow(record, -1, length);
    this.pending.set(record.id, line);
    return line;
  }

  // ---- reading lines -----------------------------------------------------------------------------------

  /**
   * Runs `query` and reads the lines of the rows it returns, consistently: the rows and the file version
   * they point into are taken from one read snapshot, and the file is read through a descriptor whose
   * inode is checked against that snapshot. Returns undefined when the file moved on (the caller syncs and
   * retries).
   */
  readLines<R extends LineRef>(query: () => R[], into: (row: R, line: string) => void): boolean {
    const inWrite = this.db.inTransaction;
    if (!inWrite) this.db.exec('BEGIN');
    try {
      const rows = query();
      if (rows.length === 0) return true;
      if (rows.every((row) => row.off < 0)) {
        for (const row of rows) into(row, this.pending.get(row.id)!);
        return true;
      }
      const expected = this.stored();
      let fd: number;
      try {
        fd = openSync(this.jsonlPath, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
      try {
        if (!sameFile(expected, fingerprintOf(fstatSync(fd, { bigint: true })))) return false;
        const sized = rows.reduce((max, row) => Math.max(max, row.len), 0);
        const scratch = Buffer.allocUnsafe(sized);
        for (const row of rows) {
          if (row.off < 0) {
            into(row, this.pending.get(row.id)!);
            continue;
          }
          const read = readSync(fd, scratch, 0, row.len, row.off);
          into(row, scratch.toString('utf8', 0, read));
        }
        return true;
      } finally {
        closeSync(fd);
      }
    } finally {
      if (!inWrite) this.db.exec('COMMIT');
    }
  }

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

/** Appends the values of a bead's row, in INSERT's column order, to `values` (and returns it). */
function pushRowValues(
  values: (string | number | null)[],
  record: BeadRecord,
  offset: number,
  length: number,
): (string | number | null)[] {
  values.push(record.id, naturalSortKey(record.id), ...filterColumns(record), offset, length);
  return values;
}

/** The columns queries filter on, in table order: status, issue_type, tier, parent_id, blocks, related. */
function filterColumns(record: BeadRecord): (string | null)[] {
  const [blocks, related] = dependencyColumns(record);
  return [record.status, record.issue_type, record.tier ?? null, record.parent_id ?? null, blocks, related];
}

function dependencyColumns(record: BeadRecord): [string | null, string | null] {
  const blocks: string[] = [];
  const related: string[] = [];
  for (const dependency of record.dependencies)
    (dependency.type === 'blocks' ? blocks : related).push(dependency.id);
  return [
    blocks.length > 0 ? JSON.stringify(blocks) : null,
    related.length > 0 ? JSON.stringify(related) : null,
  ];
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
