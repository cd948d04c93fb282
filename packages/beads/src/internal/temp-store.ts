import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { BeadRecord } from '../record.js';
import { type BeadStore, initBeadStore } from '../store.js';

/**
 * A fresh store in a new temporary directory, removed when the test ends (tests only; not exported from the
 * package).
 */
export function createTempStore(prefix = 'p', now?: () => Date): { dir: string; store: BeadStore } {
  const dir = join(mkdtempSync(join(tmpdir(), 'sase-beads-')), 'beads');
  try {
    onTestFinished(() => rmSync(dirname(dir), { recursive: true, force: true }));
  } catch {
    // called outside a test: the caller removes it
  }
  const store = initBeadStore(now ? { dir, prefix, now } : { dir, prefix });
  return { dir, store };
}

/** A clock that advances one second per call from a fixed start. */
export function steppingClock(start = Date.UTC(2026, 10, 21, 12, 0, 0)): () => Date {
  let tick = 0;
  return () => new Date(start + 1000 * tick++);
}

/**
 * A valid bead record for tests: a phase when the id has a parent part (`p-2.1`), else an epic; open, at a
 * fixed time, titled `bead <id>`, with `fields` on top.
 */
export function testRecord(id: string, fields: Partial<BeadRecord> = {}): BeadRecord {
  const parent = id.includes('.') ? id.slice(0, id.lastIndexOf('.')) : undefined;
  return {
    id,
    title: `bead ${id}`,
    status: 'open',
    issue_type: parent ? 'phase' : 'plan',
    ...(parent ? { parent_id: parent } : { tier: 'epic' }),
    created_at: '2026-11-01T10:00:00.000Z',
    updated_at: '2026-11-01T10:00:00.000Z',
    dependencies: [],
    ...fields,
  } as BeadRecord;
}
