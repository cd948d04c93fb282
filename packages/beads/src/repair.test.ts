import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempStore, testRecord } from './internal/temp-store.js';
import { parseJsonl } from './jsonl.js';
import type { BeadRecord } from './record.js';
import { repairDuplicateIds } from './repair.js';

const line = (id: string, title: string, fields: Partial<BeadRecord> = {}) =>
  JSON.stringify(testRecord(id, { title, ...fields }));

describe('repairDuplicateIds', () => {
  it('keeps the first line, drops exact copies and renumbers other beads with their phases', () => {
    // What `git merge` leaves when both lines are kept: two epics p-2 with phases, and a copied p-1.
    const text = [
      line('p-1', 'one'),
      line('p-1', 'one'),
      line('p-2', 'ours'),
      line('p-2.1', 'ours, phase 1'),
      line('p-2', 'theirs'),
      line('p-2.1', 'theirs, phase 1'),
      line('p-2.2', 'theirs, phase 2', { dependencies: [{ id: 'p-2.1', type: 'blocks' }] }),
      line('p-3', 'depends on p-2', { dependencies: [{ id: 'p-2', type: 'blocks' }] }),
      '',
    ].join('\n');
    const { text: repaired, repairs } = repairDuplicateIds(text, 'issues.jsonl');
    expect(repairs).toEqual([
      { line: 2, id: 'p-1' },
      { line: 5, id: 'p-2', to: 'p-4' },
      { line: 6, id: 'p-2.1', to: 'p-4.1' },
    ]);
    const records = Object.fromEntries(parseJsonl(repaired).map(({ record }) => [record.id, record]));
    expect(Object.keys(records)).toEqual(['p-1', 'p-2', 'p-2.1', 'p-2.2', 'p-3', 'p-4', 'p-4.1']);
    expect(records['p-2']!.title).toBe('ours');
    expect(records['p-4']!.title).toBe('theirs');
    expect(records['p-4.1']).toMatchObject({ title: 'theirs, phase 1', parent_id: 'p-4' });
    // Not a copy (p-2.2 exists once): it stays, pointing at the first p-2.1, as do references from elsewhere.
    expect(records['p-2.2']!.dependencies).toEqual([{ id: 'p-2.1', type: 'blocks' }]);
    expect(records['p-3']!.dependencies).toEqual([{ id: 'p-2', type: 'blocks' }]);
  });

  it('moves the references of moved beads along with them', () => {
    const text = [
      line('p-1', 'ours'),
      line('p-1.1', 'ours 1'),
      line('p-1.2', 'ours 2', { dependencies: [{ id: 'p-1.1', type: 'blocks' }] }),
      line('p-1', 'theirs'),
      line('p-1.1', 'theirs 1', { dependencies: [{ id: 'p-1.2', type: 'related' }] }),
      line('p-1.2', 'theirs 2', { dependencies: [{ id: 'p-1.1', type: 'blocks' }] }),
      '',
    ].join('\n');
    const records = Object.fromEntries(
      parseJsonl(repairDuplicateIds(text).text).map(({ record }) => [record.id, record]),
    );
    expect(records['p-2.1']!.dependencies).toEqual([{ id: 'p-2.2', type: 'related' }]);
    expect(records['p-2.2']!.dependencies).toEqual([{ id: 'p-2.1', type: 'blocks' }]);
    expect(records['p-1.2']!.dependencies).toEqual([{ id: 'p-1.1', type: 'blocks' }]);
  });

  it('returns the text unchanged when no id repeats', () => {
    const text = `${line('p-1', 'one')}\n`;
    expect(repairDuplicateIds(text)).toEqual({ text, repairs: [] });
  });
});

describe('doctor and duplicate ids', () => {
  it('reports them without --fix (the file untouched), and renumbers them with it', () => {
    const { store, dir } = createTempStore('p');
    store.create({ title: 'first' });
    const file = join(dir, 'issues.jsonl');
    const broken = `${readFileSync(file, 'utf8')}${line('p-1', 'second')}\n`;
    writeFileSync(file, broken);

    const report = store.doctor();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ code: 'DUPLICATE_ID', beadId: 'p-1', fixed: false }),
    ]);
    expect(report.problems[0]!.message).toContain(`${file}:2: bead p-1 is already defined on line 1`);
    expect(readFileSync(file, 'utf8')).toBe(broken);

    const fixed = store.doctor({ fix: true });
    expect(fixed.problems.map(({ code, fixed: isFixed, message }) => [code, isFixed, message])).toEqual([
      ['DUPLICATE_ID', true, `${file}:2: a second bead p-1: renumbered p-2`],
      ['COUNTER_BEHIND', true, expect.any(String)],
    ]);
    expect(fixed.ok).toBe(true);
    expect(store.list().map((bead) => [bead.id, bead.title])).toEqual([
      ['p-1', 'first'],
      ['p-2', 'second'],
    ]);
    expect(store.create({ title: 'third' }).id).toBe('p-3');
  });
});
