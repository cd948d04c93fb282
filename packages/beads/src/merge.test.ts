import { describe, expect, it } from 'vitest';
import type { BeadError } from './errors.js';
import { testRecord } from './internal/temp-store.js';
import { parseJsonl, stringifyJsonl } from './jsonl.js';
import { advanceStoreConfig, mergeJsonl, mergeStoreConfig } from './merge.js';
import type { BeadRecord } from './record.js';

const T1 = '2026-11-02T10:00:00.000Z';
const T2 = '2026-11-03T10:00:00.000Z';

const bead = testRecord;

const jsonl = (...records: BeadRecord[]) => stringifyJsonl(records);
const byId = (records: BeadRecord[]) => Object.fromEntries(records.map((record) => [record.id, record]));

describe('mergeJsonl', () => {
  const base = jsonl(bead('p-1'), bead('p-2'), bead('p-2.1'));

  it('keeps beads added on both sides, and changes to different beads, without conflicts', () => {
    const ours = jsonl(
      bead('p-1', { title: 'renamed', updated_at: T1 }),
      bead('p-2'),
      bead('p-2.1'),
      bead('p-3'),
    );
    const theirs = jsonl(bead('p-1'), bead('p-2'), bead('p-2.1'), bead('p-2.2'), bead('p-4'));
    const result = mergeJsonl(base, ours, theirs);
    expect(result.records.map((record) => record.id)).toEqual(['p-1', 'p-2', 'p-2.1', 'p-2.2', 'p-3', 'p-4']);
    expect(byId(result.records)['p-1']!.title).toBe('renamed');
    expect(result.conflicts).toEqual([]);
    expect(result.renamed).toEqual([]);
    expect(result.text).toBe(stringifyJsonl(result.records));
    expect(parseJsonl(result.text)).toHaveLength(6);
  });

  it('merges one bead field by field: each side keeps the fields it changed', () => {
    const ours = jsonl(bead('p-1', { title: 'better title', updated_at: T1 }), bead('p-2'), bead('p-2.1'));
    const closed = { status: 'closed', closed_at: T2, close_reason: 'done', updated_at: T2 } as const;
    const theirs = jsonl(bead('p-1', closed), bead('p-2'), bead('p-2.1'));
    const merged = byId(mergeJsonl(base, ours, theirs).records)['p-1']!;
    expect(merged).toMatchObject({ title: 'better title', ...closed });
  });

  it('takes the later side for a field both changed, reports it, and moves status with its close fields', () => {
    const ours = jsonl(
      bead('p-1', { title: 'ours', status: 'closed', closed_at: T1, close_reason: 'ours', updated_at: T1 }),
      bead('p-2'),
      bead('p-2.1'),
    );
    const theirs = jsonl(
      bead('p-1', { title: 'theirs', status: 'in_progress', notes: 'started', updated_at: T2 }),
      bead('p-2'),
      bead('p-2.1'),
    );
    const result = mergeJsonl(base, ours, theirs);
    const merged = byId(result.records)['p-1']!;
    expect(merged).toMatchObject({
      title: 'theirs',
      status: 'in_progress',
      notes: 'started',
      updated_at: T2,
    });
    expect(merged.closed_at).toBeUndefined();
    expect(merged.close_reason).toBeUndefined();
    expect(result.conflicts.map(({ field, taken }) => [field, taken])).toEqual([
      ['title', 'theirs'],
      ['status', 'theirs'],
      ['close_reason', 'theirs'],
      ['closed_at', 'theirs'],
    ]);
  });

  it('merges dependencies as a set: additions from both sides, removals from either', () => {
    const withDeps = (...ids: string[]) =>
      bead('p-2.1', { dependencies: ids.map((id) => ({ id, type: 'blocks' as const })) });
    const base2 = jsonl(bead('p-1'), bead('p-2'), withDeps('p-1', 'p-2'));
    const ours = jsonl(bead('p-1'), bead('p-2'), bead('p-3'), withDeps('p-1', 'p-2', 'p-3'));
    const theirs = jsonl(bead('p-1'), bead('p-2'), withDeps('p-2'));
    const merged = byId(mergeJsonl(base2, ours, theirs).records)['p-2.1']!;
    expect(merged.dependencies).toEqual([
      { id: 'p-2', type: 'blocks' },
      { id: 'p-3', type: 'blocks' },
    ]);
  });

  it('reports a blocks cycle that edges added on the two sides close together', () => {
    const on = (id: string, blocker: string) => bead(id, { dependencies: [{ id: blocker, type: 'blocks' }] });
    const ours = jsonl(on('p-1', 'p-2'), bead('p-2'), bead('p-2.1'));
    const theirs = jsonl(bead('p-1'), on('p-2', 'p-1'), bead('p-2.1'));
    const result = mergeJsonl(base, ours, theirs);
    expect(result.cycles).toHaveLength(1);
    expect([...result.cycles[0]!].sort()).toEqual(['p-1', 'p-1', 'p-2']);
    expect(mergeJsonl(base, ours, base).cycles).toEqual([]);
  });

  it('deletes a bead deleted on one side only when the other side left it unchanged', () => {
    const ours = jsonl(bead('p-2'), bead('p-2.1'));
    const theirs = jsonl(bead('p-1'), bead('p-2', { title: 'changed', updated_at: T1 }));
    const ids = mergeJsonl(base, ours, theirs).records.map((record) => record.id);
    expect(ids).toEqual(['p-2']);
  });

  it('repairs an id collision: theirs is renumbered with its phases and every reference on its side', () => {
    const ours = jsonl(
      bead('p-1'),
      bead('p-2'),
      bead('p-2.1'),
      bead('p-2.2', { title: 'ours phase' }),
      bead('p-3', { title: 'ours plan' }),
    );
    const theirs = jsonl(
      bead('p-1', { dependencies: [{ id: 'p-3', type: 'blocks' }], updated_at: T1 }),
      bead('p-2'),
      bead('p-2.1'),
      bead('p-2.2', { title: 'theirs phase' }),
      bead('p-3', { title: 'theirs plan' }),
      bead('p-3.1', { title: 'theirs plan, phase 1' }),
      bead('p-3.2', { title: 'theirs plan, phase 2', dependencies: [{ id: 'p-3.1', type: 'blocks' }] }),
    );
    const result = mergeJsonl(base, ours, theirs);
    expect(result.renamed).toEqual([
      { from: 'p-2.2', to: 'p-2.3' },
      { from: 'p-3', to: 'p-4' },
      { from: 'p-3.1', to: 'p-4.1' },
      { from: 'p-3.2', to: 'p-4.2' },
    ]);
    const merged = byId(result.records);
    expect(Object.keys(merged)).toEqual([
      'p-1',
      'p-2',
      'p-2.1',
      'p-2.2',
      'p-2.3',
      'p-3',
      'p-4',
      'p-4.1',
      'p-4.2',
    ]);
    expect(merged['p-2.2']!.title).toBe('ours phase');
    expect(merged['p-2.3']!.title).toBe('theirs phase');
    expect(merged['p-3']!.title).toBe('ours plan');
    expect(merged['p-4']!.title).toBe('theirs plan');
    expect(merged['p-4.2']).toMatchObject({
      parent_id: 'p-4',
      dependencies: [{ id: 'p-4.1', type: 'blocks' }],
    });
    // Their p-1 pointed at their p-3, which is p-4 now.
    expect(merged['p-1']!.dependencies).toEqual([{ id: 'p-4', type: 'blocks' }]);
    expect(result.conflicts).toEqual([]);
  });

  it('keeps one copy of a bead both sides created identically', () => {
    const both = jsonl(bead('p-1'), bead('p-2'), bead('p-2.1'), bead('p-3'));
    const result = mergeJsonl(base, both, both);
    expect(result.renamed).toEqual([]);
    expect(result.text).toBe(both);
  });

  it('refuses an input that is not a store file, naming it and the line', () => {
    let error: BeadError | undefined;
    try {
      mergeJsonl(base, base, `${base}<<<<<<< HEAD\n`, { files: { theirs: 'theirs.jsonl' } });
    } catch (caught) {
      error = caught as BeadError;
    }
    expect(error?.code).toBe('JSONL_CONFLICT');
    expect(error?.message).toContain('theirs.jsonl:4');
    const twice = `${jsonl(bead('p-1'))}${jsonl(bead('p-1', { title: 'again' }))}`;
    expect(() => mergeJsonl(base, twice, base, { files: { ours: 'ours.jsonl' } })).toThrow(
      'ours.jsonl:2: bead p-1 is already defined on line 1',
    );
  });
});

describe('mergeStoreConfig', () => {
  const config = (prefix: string, next: number) =>
    `{\n  "prefix": "${prefix}",\n  "next_counter": ${next}\n}\n`;

  it('takes the larger counter, so neither side reuses the other one’s ids', () => {
    expect(mergeStoreConfig(config('p', 3), config('p', 5), config('p', 4))).toBe(config('p', 5));
    expect(mergeStoreConfig(config('p', 3), config('p', 4), config('p', 9))).toBe(config('p', 9));
  });

  it('keeps a prefix changed on one side', () => {
    expect(mergeStoreConfig(config('p', 3), config('p', 3), config('q', 3))).toBe(config('q', 3));
    expect(mergeStoreConfig(config('p', 3), config('r', 3), config('q', 3))).toBe(config('r', 3));
  });

  it('is at least atLeast: a counter the merged issues.jsonl needs', () => {
    expect(mergeStoreConfig(config('p', 3), config('p', 4), config('p', 4), { atLeast: 6 })).toBe(
      config('p', 6),
    );
  });
});

describe('advanceStoreConfig', () => {
  const config = (prefix: string, counter: number) =>
    `${JSON.stringify({ prefix, next_counter: counter }, null, 2)}\n`;

  it('raises next_counter past the ids a merge renumbered, and leaves a counter that is ahead alone', () => {
    // Both sides created p-2 (so both counters say 3); the merge renumbered theirs to p-3.
    const base = jsonl(bead('p-1'));
    const { records, renamed } = mergeJsonl(
      base,
      jsonl(bead('p-1'), bead('p-2', { title: 'ours' })),
      jsonl(bead('p-1'), bead('p-2', { title: 'theirs' }), bead('p-2.1')),
    );
    expect(renamed).toEqual([
      { from: 'p-2', to: 'p-3' },
      { from: 'p-2.1', to: 'p-3.1' },
    ]);
    expect(advanceStoreConfig(config('p', 3), records)).toBe(config('p', 4));
    expect(advanceStoreConfig(config('p', 7), records)).toBeUndefined();
    // Ids of another prefix (an import) do not count.
    expect(advanceStoreConfig(config('q', 1), records)).toBeUndefined();
  });
});
