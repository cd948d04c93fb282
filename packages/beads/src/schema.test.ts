import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realBeadsFixtures } from './internal/real-fixtures.js';
import { getBeadRecordSchema, isValidRecordFast } from './schema.js';

const fixtures = realBeadsFixtures();

const valid = {
  id: 'p-7.2',
  title: 'Phase',
  status: 'in_progress',
  issue_type: 'phase',
  parent_id: 'p-7',
  assignee: 'p-7.2',
  model: 'opus',
  design: 'epics/202611/x.md',
  is_ready_to_work: true,
  epic_count: 2,
  description: 'd',
  notes: 'n',
  close_reason: 'r',
  created_at: '2026-11-21T10:00:00.000Z',
  updated_at: '2026-11-21T10:00:00Z',
  closed_at: '2026-11-21T10:00:00.5Z',
  dependencies: [{ id: 'p-7.1', type: 'blocks' }],
};

/** The valid record, and one variant per way each field can go wrong (or stay right). */
function variants(): unknown[] {
  const out: unknown[] = [valid, { ...valid, tier: 'epic', issue_type: 'plan' }];
  const bad: Record<string, unknown[]> = {
    id: [undefined, '', 'p 7', '-p', 'p-7.x', 7, null],
    title: [undefined, 3, null, ''],
    status: [undefined, 'done', null],
    issue_type: [undefined, 'task'],
    tier: ['saga', null, 'plan'],
    parent_id: [3, null, 'x'],
    is_ready_to_work: ['yes', null, false],
    epic_count: [-1, 1.5, '2', null, 0],
    created_at: [undefined, '2026-11-21', '2026-11-21T10:00:00+01:00', 0],
    closed_at: ['soon', null],
    dependencies: [
      undefined,
      null,
      {},
      [null],
      [{ id: 'x' }],
      [{ id: '', type: 'blocks' }],
      [{ id: 'x', type: 'parent' }],
      [{ id: 'x', type: 'related', extra: 1 }],
      [],
    ],
    extra_key: ['surprise'],
  };
  for (const [key, values] of Object.entries(bad)) {
    for (const value of values) {
      const copy: Record<string, unknown> = structuredClone(valid);
      if (value === undefined) delete copy[key];
      else copy[key] = value;
      out.push(copy);
    }
  }
  out.push(null, [], 'text', 42);
  return out;
}

describe('isValidRecordFast agrees with the zod schema', () => {
  it('on every variant of a record', () => {
    const schema = getBeadRecordSchema();
    for (const value of variants()) {
      expect([JSON.stringify(value), isValidRecordFast(structuredClone(value))]).toEqual([
        JSON.stringify(value),
        schema.safeParse(structuredClone(value)).success,
      ]);
    }
  });

  it.skipIf(fixtures === undefined)(
    'on the real bd exports (a different format: all refused by both)',
    () => {
      const schema = getBeadRecordSchema();
      let count = 0;
      for (const file of readdirSync(fixtures!).filter((name) => name.endsWith('.jsonl'))) {
        for (const line of readFileSync(join(fixtures!, file), 'utf8').split('\n').slice(0, 200)) {
          if (!line.trim()) continue;
          const value = JSON.parse(line);
          expect(isValidRecordFast(structuredClone(value))).toBe(schema.safeParse(value).success);
          count++;
        }
      }
      expect(count).toBeGreaterThan(500);
    },
  );
});
