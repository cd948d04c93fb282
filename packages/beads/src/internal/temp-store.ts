import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BeadStore, initBeadStore } from '../store.js';

/** A fresh store in a new temporary directory (tests only; not exported from the package). */
export function createTempStore(prefix = 'p', now?: () => Date): { dir: string; store: BeadStore } {
  const dir = join(mkdtempSync(join(tmpdir(), 'sase-beads-')), 'beads');
  const store = initBeadStore(now ? { dir, prefix, now } : { dir, prefix });
  return { dir, store };
}

/** A clock that advances one second per call from a fixed start. */
export function steppingClock(start = Date.UTC(2026, 10, 21, 12, 0, 0)): () => Date {
  let tick = 0;
  return () => new Date(start + 1000 * tick++);
}
