import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempStore } from './internal/temp-store.js';
import { parseJsonl, stringifyJsonl } from './jsonl.js';
import { compareIds } from './natural-sort.js';
import type { BeadRecord } from './record.js';
import { type BeadStore, openBeadStore } from './store.js';

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

/** ready() and blocked() are what SPEC §2 says, computed from the records themselves. */
function expectQueues(store: BeadStore, records: BeadRecord[]): void {
  const status = new Map(records.map((record) => [record.id, record.status]));
  const open = (record: BeadRecord) =>
    record.dependencies
      .filter((dependency) => dependency.type === 'blocks' && status.get(dependency.id) !== 'closed')
      .map((dependency) => dependency.id);
  const candidates = records.filter((record) => record.status === 'open');
  expect(store.ready().map((bead) => bead.id)).toEqual(
    candidates.filter((record) => open(record).length === 0).map((record) => record.id),
  );
  expect(store.blocked().map(({ bead, blockedBy }) => [bead.id, blockedBy])).toEqual(
    candidates
      .filter((record) => open(record).length > 0)
      .map((record) => [record.id, [...new Set(open(record))].sort(compareIds)]),
  );
  const stats = store.stats();
  expect([stats.ready, stats.blocked]).toEqual([store.ready().length, store.blocked().length]);
}

/** writeListJson and writeReadyJson write listLines and readyLines as a JSON array, a record per line. */
function expectStreams(store: BeadStore): void {
  const collect = (run: (write: (chunk: Buffer) => void) => number) => {
    const chunks: Buffer[] = [];
    const count = run((chunk) => chunks.push(Buffer.from(chunk)));
    return { text: Buffer.concat(chunks).toString(), count };
  };
  const asArray = (lines: string[]) => ({
    text: lines.length === 0 ? '[]\n' : `[\n${lines.join(',\n')}\n]\n`,
    count: lines.length,
  });
  expect(collect((write) => store.writeListJson({}, write))).toEqual(asArray(store.listLines()));
  const filter = { status: ['open', 'in_progress'] as const };
  expect(collect((write) => store.writeListJson(filter, write))).toEqual(asArray(store.listLines(filter)));
  expect(collect((write) => store.writeReadyJson(write))).toEqual(asArray(store.readyLines()));
  // Inside a write, with a changed bead whose text is not in the file yet.
  store.batch((s) => {
    s.create({ title: 'pending' });
    expect(collect((write) => s.writeListJson({}, write))).toEqual(asArray(s.listLines()));
    expect(collect((write) => s.writeReadyJson(write))).toEqual(asArray(s.readyLines()));
  });
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
  ])(
    'through random writes (seed %i, %i beads to start with)',
    (seed, initial) => {
      const next = random(seed);
      const sample = random(seed + 1000);
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
          const action = next();
          if (action < 0.4) store.close(pick(beads).id);
          else if (action < 0.6) store.reopen(pick(beads).id);
          else if (action < 0.8) store.claimNext(`worker-${step % 3}`);
          else store.update(pick(beads).id, { status: 'in_progress' }, { force: true });
        } else {
          const [a, b] = [pick(beads), pick(beads)];
          const action = next();
          try {
            if (action < 0.6) store.addDependency(a.id, b.id);
            else if (action < 0.8) store.addDependency(a.id, b.id, 'related');
            else store.removeDependency(a.id, b.id);
          } catch {
            // a refused cycle or edge-type change is fine here
          }
        }
        const text = readFileSync(file, 'utf8');
        const records = parseJsonl(text).map((line) => line.record);
        expect(text).toBe(stringifyJsonl(records));
        const fromCache = store.list();
        expect(fromCache.map((bead) => bead.id)).toEqual(records.map((record) => record.id));
        // Every bead's get() every tenth step, and 20 of them (drawn apart from the writes) in between.
        const checked =
          step % 10 === 9 || fromCache.length <= 20
            ? fromCache
            : Array.from({ length: 20 }, () => fromCache[Math.floor(sample() * fromCache.length)]!);
        for (const bead of checked) expect(store.get(bead.id)).toEqual(bead);
        expectQueues(store, records);
        if (step % 10 === 0) expectStreams(store);
      }
      const rebuilt = openBeadStore({ dir: join(dir) });
      expect(rebuilt.list()).toEqual(store.list());
      store.dispose();
      rebuilt.dispose();
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `beads.db${suffix}`), { force: true });
      const fresh = openBeadStore({ dir });
      expectQueues(
        fresh,
        parseJsonl(readFileSync(file, 'utf8')).map((line) => line.record),
      );
      expectStreams(fresh);
      // CPU-bound (every step checks every bead of a 500-bead store): it takes 15-20 s beside other files on
      // two cores, more on a busier machine.
    },
    120_000,
  );

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
