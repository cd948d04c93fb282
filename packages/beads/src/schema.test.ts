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
    title: [
      undefined,
      3,
      null,
      '',
      'two\nlines',
      'tab\there',
      'x\u001b]0;PWNED\u0007',
      'del\u007f',
      'c1\u009b',
      'é ü 漢字',
    ],
    assignee: ['a\nb', 'alice', 'worker-1@host'],
    model: [
      'opus',
      'gpt-5.1',
      'claude-sonnet-4-5@20250929',
      'openrouter/anthropic/claude-3.5:beta',
      '[1m]',
      '--yolo',
      '-m',
      'gpt 4',
      'x\ny',
      '',
      'a'.repeat(200),
      'a'.repeat(201),
      'ü',
    ],
    status: [undefined, 'done', null],
    issue_type: [undefined, 'task'],
    tier: ['saga', null, 'plan'],
    parent_id: [3, null, 'x'],
    is_ready_to_work: ['yes', null, false],
    epic_count: [-1, 1.5, '2', null, 0],
    created_at: [
      undefined,
      '2026-11-21',
      '2026-11-21T10:00:00+01:00',
      0,
      '2026-13-45T99:99:99.000Z',
      '2026-00-10T10:00:00Z',
      '2026-04-31T10:00:00Z',
      '2026-02-29T10:00:00Z',
      '2028-02-29T10:00:00Z',
      '2100-02-29T10:00:00Z',
      '2000-02-29T10:00:00Z',
      '2026-12-31T23:59:59.999Z',
      '2026-12-31T24:00:00Z',
      '2026-12-31T23:60:00Z',
      '2026-12-31T23:59:60Z',
    ],
    closed_at: ['soon', null, '2026-11-31T10:00:00Z'],
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
  it('refuses impossible times, control characters in titles and assignees, and flag-like models', () => {
    const schema = getBeadRecordSchema();
    for (const [key, value] of [
      ['created_at', '2026-13-45T99:99:99.000Z'],
      ['updated_at', '2026-02-29T10:00:00Z'],
      ['title', 'two\nlines'],
      ['assignee', 'x\u001b]0;PWNED\u0007'],
      ['model', '--yolo'],
      ['model', 'gpt 4'],
    ]) {
      const record = { ...structuredClone(valid), [key as string]: value };
      expect([key, value, isValidRecordFast(structuredClone(record))]).toEqual([key, value, false]);
      expect([key, value, schema.safeParse(record).success]).toEqual([key, value, false]);
    }
    expect(
      schema.safeParse({ ...valid, created_at: '2026-13-45T99:99:99.000Z' }).error?.issues[0],
    ).toMatchObject({
      path: ['created_at'],
      message: expect.stringContaining('is not a real time'),
    });
  });

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
