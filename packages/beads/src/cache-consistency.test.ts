import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempStore } from './internal/temp-store.js';
import { parseJsonl, stringifyJsonl } from './jsonl.js';
import { openBeadStore } from './store.js';

/** A small deterministic PRNG (mulberry32), so a failing sequence can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the cache stays an exact index of the file', () => {
  // The large store (~150 KB before the first step) exercises both ways of writing: a change in the first
  // 64 KiB rewrites the file from the start, a later one has the kernel copy the prefix and writes the rest.
  it.each([
    [1, 0],
    [2, 0],
    [3, 0],
    [4, 500],
    [5, 500],
  ])('through random writes (seed %i, %i beads to start with)', (seed, initial) => {
    const next = random(seed);
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
    const { store, dir } = createTempStore('p');
    const file = join(dir, 'issues.jsonl');
    store.batch((s) => {
      for (let index = 0; index < initial; index++)
        s.create({ title: `existing ${index}`, description: 'd'.repeat(200 + (index % 50)) });
    });
    for (let step = 0; step < 120; step++) {
      const beads = store.list();
      const epics = beads.filter((bead) => bead.tier === 'epic');
      const roll = next();
      if (roll < 0.25 || beads.length === 0) {
        store.create({ title: `plan ${step}`, tier: next() < 0.5 ? 'epic' : 'plan' });
      } else if (roll < 0.5 && epics.length > 0) {
        store.create({
          title: `phase ${step} ${'x'.repeat(Math.floor(next() * 40))}`,
          parentId: pick(epics).id,
        });
      } else if (roll < 0.7) {
        store.update(pick(beads).id, {
          description: next() < 0.3 ? null : 'é'.repeat(Math.floor(next() * 30)),
        });
      } else if (roll < 0.8) {
        store.batch((s) => {
          s.create({ title: `batched ${step}` });
          s.update(pick(beads).id, { notes: `note ${step}` });
          if (epics.length > 0) s.create({ title: 'batched phase', parentId: pick(epics).id });
        });
      } else if (roll < 0.9) {
        store.close(pick(beads).id);
      } else {
        const [a, b] = [pick(beads), pick(beads)];
        try {
          store.addDependency(a.id, b.id);
        } catch {
          // a refused cycle is fine here
        }
      }
      const text = readFileSync(file, 'utf8');
      const records = parseJsonl(text).map((line) => line.record);
      expect(text).toBe(stringifyJsonl(records));
      const fromCache = store.list();
      expect(fromCache.map((bead) => bead.id)).toEqual(records.map((record) => record.id));
      for (const bead of fromCache) expect(store.get(bead.id)).toEqual(bead);
    }
    const rebuilt = openBeadStore({ dir: join(dir) });
    expect(rebuilt.list()).toEqual(store.list());
  });

  it('canonicalises a hand-edited file (spaces, order) on the next write', () => {
    const { store, dir } = createTempStore('p');
    store.create({ title: 'one' });
    store.create({ title: 'two' });
    const file = join(dir, 'issues.jsonl');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const messy = `${lines
      .reverse()
      .map((line) => line.replace(/":/g, '": ').replace(/,"/g, ', "'))
      .join('\n')}\n`;
    writeFileSync(file, messy);
    expect(store.list().map((bead) => bead.title)).toEqual(['one', 'two']);
    store.create({ title: 'three' });
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(stringifyJsonl(parseJsonl(text).map((line) => line.record)));
    expect(store.list().map((bead) => bead.title)).toEqual(['one', 'two', 'three']);
  });
});
