import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { BeadError } from '../errors.js';
import { parseJsonl } from '../jsonl.js';
import { naturalSortKey } from '../natural-sort.js';
import { type BeadRecord, stringifyRecord } from '../record.js';

/** Bump when the cache layout changes: an older cache is then dropped and rebuilt from the JSONL. */
const SCHEMA_VERSION = '1';

const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS beads (
  id TEXT PRIMARY KEY,
  sort_key TEXT NOT NULL,
  status TEXT NOT NULL,
  issue_type TEXT NOT NULL,
  tier TEXT,
  parent_id TEXT,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS beads_by_status ON beads (status, sort_key);
CREATE INDEX IF NOT EXISTS beads_by_sort_key ON beads (sort_key);
CREATE INDEX IF NOT EXISTS beads_by_parent ON beads (parent_id);
CREATE TABLE IF NOT EXISTS deps (
  bead_id TEXT NOT NULL,
  depends_on TEXT NOT NULL,
  type TEXT NOT NULL,
  PRIMARY KEY (bead_id, depends_on)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deps_by_target ON deps (depends_on);
`;

/** What the cache was built from: cheap stat fields, plus the content hash to tell a touch from an edit. */
interface Fingerprint {
  size: string;
  mtimeNs: string;
  ino: string;
  sha256: string;
}

type StatementName =
  | 'getMeta'
  | 'setMeta'
  | 'get'
  | 'upsert'
  | 'deleteDeps'
  | 'insertDep'
  | 'all'
  | 'ready'
  | 'blocked'
  | 'children'
  | 'blockersOf'
  | 'dependentsOf'
  | 'allDeps'
  | 'planIds'
  | 'counts';

type Statements = Record<StatementName, Database.Statement>;

/**
 * The SQLite cache of one bead store (beads.db). It is always derivable from issues.jsonl: deleting it is
 * safe, and a JSONL changed behind its back (git pull, branch switch, hand edit) is detected by fingerprint
 * and reloaded. `BEGIN IMMEDIATE` on this database is also the store's cross-process write lock.
 */
export class BeadCache {
  readonly db: Database.Database;
  private readonly statements: Statements;

  constructor(
    readonly dbPath: string,
    readonly jsonlPath: string,
    busyTimeoutMs: number,
  ) {
    this.db = new Database(dbPath, { timeout: busyTimeoutMs });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    const version = this.tryReadVersion();
    if (version !== SCHEMA_VERSION) {
      this.db.exec('DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS beads; DROP TABLE IF EXISTS deps;');
    }
    this.db.exec(DDL);
    this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(SCHEMA_VERSION);
    this.statements = this.prepare();
  }

  private tryReadVersion(): string | undefined {
    try {
      const row = this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
        | { value: string }
        | undefined;
      return row?.value;
    } catch {
      return undefined;
    }
  }

  private prepare(): Statements {
    const db = this.db;
    const notClosedBlocker = `SELECT 1 FROM deps d LEFT JOIN beads t ON t.id = d.depends_on
      WHERE d.bead_id = b.id AND d.type = 'blocks' AND (t.status IS NULL OR t.status <> 'closed')`;
    return {
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      get: db.prepare('SELECT json FROM beads WHERE id = ?').pluck(),
      upsert: db.prepare(
        'INSERT OR REPLACE INTO beads (id, sort_key, status, issue_type, tier, parent_id, json) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      deleteDeps: db.prepare('DELETE FROM deps WHERE bead_id = ?'),
      insertDep: db.prepare('INSERT OR REPLACE INTO deps (bead_id, depends_on, type) VALUES (?, ?, ?)'),
      all: db.prepare('SELECT json FROM beads ORDER BY sort_key').pluck(),
      ready: db
        .prepare(`SELECT json FROM beads b WHERE status = 'open' AND NOT EXISTS (${notClosedBlocker}) ORDER BY sort_key`)
        .pluck(),
      blocked: db.prepare(
        `SELECT b.json AS json, (SELECT json_group_array(depends_on) FROM (SELECT d.depends_on FROM deps d
            LEFT JOIN beads t ON t.id = d.depends_on
            WHERE d.bead_id = b.id AND d.type = 'blocks' AND (t.status IS NULL OR t.status <> 'closed')
            ORDER BY d.depends_on)) AS blocked_by
         FROM beads b WHERE status = 'open' AND EXISTS (${notClosedBlocker}) ORDER BY sort_key`,
      ),
      children: db.prepare('SELECT id FROM beads WHERE parent_id = ? OR id LIKE ? ESCAPE ?').pluck(),
      blockersOf: db.prepare("SELECT depends_on FROM deps WHERE bead_id = ? AND type = 'blocks'").pluck(),
      dependentsOf: db.prepare('SELECT bead_id FROM deps WHERE depends_on = ? ORDER BY bead_id').pluck(),
      allDeps: db.prepare('SELECT bead_id, depends_on, type FROM deps'),
      planIds: db.prepare("SELECT id FROM beads WHERE id LIKE ? ESCAPE '\\'").pluck(),
      counts: db.prepare(
        'SELECT status, issue_type, tier, COUNT(*) AS count FROM beads GROUP BY status, issue_type, tier',
      ),
    };
  }

  get sql(): Statements {
    return this.statements;
  }

  // ---- freshness -------------------------------------------------------------------------------------

  private statFingerprint(): Omit<Fingerprint, 'sha256'> | undefined {
    try {
      const stat = statSync(this.jsonlPath, { bigint: true });
      return { size: String(stat.size), mtimeNs: String(stat.mtimeNs), ino: String(stat.ino) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private storedFingerprint(): Fingerprint | undefined {
    const value = this.statements.getMeta.get('fingerprint') as string | undefined;
    return value === undefined ? undefined : (JSON.parse(value) as Fingerprint);
  }

  /** True when the cache was built from the JSONL exactly as it is on disk now (a stat, no read). */
  isFresh(): boolean {
    const stored = this.storedFingerprint();
    const current = this.statFingerprint();
    if (!current) return stored?.sha256 === EMPTY_SHA256;
    return (
      stored !== undefined &&
      stored.size === current.size &&
      stored.mtimeNs === current.mtimeNs &&
      stored.ino === current.ino
    );
  }

  /**
   * Brings the cache in line with the JSONL. Must run inside the write transaction. A touched but unchanged
   * file only refreshes the fingerprint; a changed one is parsed in full (throwing, with nothing changed, on
   * a bad line) and loaded.
   */
  syncFromJsonl(): void {
    if (this.isFresh()) return;
    const stat = this.statFingerprint();
    const text = stat ? readFileSync(this.jsonlPath, 'utf8') : '';
    const sha256 = sha256Of(text);
    const stored = this.storedFingerprint();
    if (stored?.sha256 !== sha256) this.load(parseJsonl(text, this.jsonlPath).map((line) => line.record));
    this.recordFingerprint(sha256);
  }

  /** Replaces the whole cache content with these records. */
  load(records: readonly BeadRecord[]): void {
    this.db.exec('DELETE FROM beads; DELETE FROM deps;');
    for (const record of records) this.put(record, false);
  }

  recordFingerprint(sha256: string): void {
    const stat = this.statFingerprint() ?? { size: '-1', mtimeNs: '-1', ino: '-1' };
    this.statements.setMeta.run('fingerprint', JSON.stringify({ ...stat, sha256 }));
  }

  /** Inserts or replaces one bead and its dependency rows. */
  put(record: BeadRecord, replaceDeps = true): string {
    const json = stringifyRecord(record);
    const s = this.statements;
    s.upsert.run(
      record.id,
      naturalSortKey(record.id),
      record.status,
      record.issue_type,
      record.tier ?? null,
      record.parent_id ?? null,
      json,
    );
    if (replaceDeps) s.deleteDeps.run(record.id);
    for (const dependency of record.dependencies) s.insertDep.run(record.id, dependency.id, dependency.type);
    return json;
  }

  getRecord(id: string): BeadRecord | undefined {
    const json = this.statements.get.get(id) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as BeadRecord);
  }

  /** The canonical JSONL text of the whole cache. */
  renderJsonl(): string {
    const lines = this.statements.all.all() as string[];
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export const EMPTY_SHA256 = sha256Of('');

export function sha256Of(text: string): string {
  return createHash('sha256').update(text).digest('hex');
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
