import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BeadError } from './errors.js';
import { convertBdRecords, importBdFile } from './import-bd.js';
import { realBeadsFixtures } from './internal/real-fixtures.js';
import { parseJsonl } from './jsonl.js';
import { getBeadRecordSchema } from './schema.js';
import { initBeadStore } from './store.js';

const REAL = realBeadsFixtures() ?? '/work/shared/fixtures/beads-real';
const realFiles = existsSync(REAL) ? readdirSync(REAL).filter((file) => file.endsWith('.jsonl')) : [];

function tempStore(prefix = 'bd') {
  const base = mkdtempSync(join(tmpdir(), 'sase-import-bd-'));
  onTestFinished(() => rmSync(base, { recursive: true, force: true }));
  return initBeadStore({ dir: join(base, 'beads'), prefix });
}

const line = (value: object) => JSON.stringify(value);
const T = '2026-01-06T18:51:48.633692523+01:00';

/** One line per mapping rule (README "Importing from bd"). */
const SAMPLE = [
  line({
    id: 'bd-epic',
    title: 'Checkout',
    status: 'open',
    priority: 1,
    issue_type: 'epic',
    labels: ['shop', 'q3'],
    design: 'Use Stripe.',
    acceptance_criteria: 'Pays.',
    created_at: T,
    updated_at: '2026-01-07T10:00:00Z',
  }),
  line({
    id: 'bd-epic.1',
    title: 'Cart',
    status: 'closed',
    issue_type: 'task',
    created_at: '2026-01-06T09:00:00.5-08:00',
    updated_at: '2026-01-06T10:00:00-08:00',
    close_reason: 'Done',
    dependencies: [{ issue_id: 'bd-epic.1', depends_on_id: 'bd-epic', type: 'parent-child', created_at: T }],
  }),
  line({
    id: 'bd-epic.2',
    title: 'Pay',
    status: 'blocked',
    issue_type: 'feature',
    assignee: 'alice',
    notes: 'Talk to finance.',
    created_at: T,
    updated_at: T,
    closed_at: T,
    dependencies: [
      { issue_id: 'bd-epic.2', depends_on_id: 'bd-epic', type: 'parent-child' },
      { issue_id: 'bd-epic.2', depends_on_id: 'bd-epic.1', type: 'blocks' },
      { issue_id: 'bd-epic.2', depends_on_id: 'bd-bug', type: 'discovered-from' },
      { issue_id: 'bd-epic.2', depends_on_id: 'bd-gone', type: 'blocks' },
      { issue_id: 'bd-epic.2', depends_on_id: 'bd-elsewhere', type: 'blocks' },
    ],
  }),
  line({
    id: 'bd-bug',
    title: 'Crash',
    status: 'in_progress',
    issue_type: 'bug',
    created_at: T,
    updated_at: T,
    dependencies: [
      { issue_id: 'bd-bug', depends_on_id: 'bd-task', type: 'parent-child' },
      { issue_id: 'bd-bug', depends_on_id: 'bd-epic', type: 'related' },
      { issue_id: 'bd-bug', depends_on_id: 'bd-epic.1', type: 'weird' },
    ],
  }),
  line({
    id: 'bd-task',
    title: 'Parent task',
    status: 'closed',
    issue_type: 'task',
    created_at: T,
    updated_at: T,
  }),
  line({
    id: 'bd-gone',
    title: 'Deleted',
    status: 'tombstone',
    issue_type: 'task',
    created_at: T,
    updated_at: T,
  }),
  line({ _type: 'memory', key: 'goal', value: 'ship' }),
  line({ _type: 'issue', id: 'bd x!', title: 'Odd id', status: 'open', created_at: T, updated_at: T }),
].join('\n');

describe('convertBdRecords', () => {
  it('applies each mapping rule of the README', () => {
    const { records, warnings, skipped, skippedByReason } = convertBdRecords(SAMPLE);
    const byId = new Map(records.map((record) => [record.id, record]));
    expect([...byId.keys()]).toEqual(['bd-epic', 'bd-epic.1', 'bd-epic.2', 'bd-bug', 'bd-task', 'bd-x']);
    expect(skipped).toBe(2);
    expect(skippedByReason).toEqual({ tombstone: 1, '_type:memory': 1 });

    expect(byId.get('bd-epic')).toEqual({
      id: 'bd-epic',
      title: 'Checkout',
      status: 'open',
      issue_type: 'plan',
      tier: 'epic',
      description: '## Acceptance criteria\n\nPays.',
      notes: '## Design\n\nUse Stripe.\n\nbd: type=epic priority=P1 labels=shop,q3',
      created_at: '2026-01-06T17:51:48.633Z',
      updated_at: '2026-01-07T10:00:00.000Z',
      dependencies: [],
    });
    expect(byId.get('bd-epic.1')).toMatchObject({
      issue_type: 'phase',
      parent_id: 'bd-epic',
      status: 'closed',
      close_reason: 'Done',
      created_at: '2026-01-06T17:00:00.500Z',
      closed_at: '2026-01-06T18:00:00.000Z',
      dependencies: [],
    });
    expect(byId.get('bd-epic.1')?.tier).toBeUndefined();
    const pay = byId.get('bd-epic.2')!;
    expect(pay).toMatchObject({
      status: 'open',
      issue_type: 'phase',
      parent_id: 'bd-epic',
      assignee: 'alice',
      notes: 'Talk to finance.\n\nbd: type=feature status=blocked',
      dependencies: [
        { id: 'bd-bug', type: 'related' },
        { id: 'bd-elsewhere', type: 'blocks' },
        { id: 'bd-epic.1', type: 'blocks' },
      ],
    });
    expect(pay.closed_at).toBeUndefined();
    expect(byId.get('bd-bug')).toMatchObject({
      status: 'in_progress',
      issue_type: 'plan',
      tier: 'plan',
      parent_id: 'bd-task',
      dependencies: [
        { id: 'bd-epic', type: 'related' },
        { id: 'bd-epic.1', type: 'related' },
      ],
    });
    expect(byId.get('bd-x')?.notes).toBe('bd: type=task id=bd x!');
    expect(warnings).toEqual(
      expect.arrayContaining([
        'bd-epic.2: dropped blocks edge to bd-gone, which was deleted in bd',
        'bd-epic.2: blocks edge to bd-elsewhere, which is not in the file; kept',
        'bd-bug: unknown bd dependency type "weird" on bd-epic.1; imported as related',
        'bd x!: not a valid SASE id; imported as bd-x',
      ]),
    );
    for (const record of records) expect(getBeadRecordSchema().safeParse(record).success).toBe(true);
  });

  it('re-prefixes ids and references with options.prefix', () => {
    const { records } = convertBdRecords(SAMPLE, { prefix: 'shop' });
    expect(records.map((record) => record.id)).toEqual([
      'shop-epic',
      'shop-epic.1',
      'shop-epic.2',
      'shop-bug',
      'shop-task',
      'shop-bd-x',
    ]);
    expect(records[2]).toMatchObject({
      parent_id: 'shop-epic',
      dependencies: [
        { id: 'bd-elsewhere', type: 'blocks' },
        { id: 'shop-bug', type: 'related' },
        { id: 'shop-epic.1', type: 'blocks' },
      ],
    });
  });

  it('makes titles and assignees one line (SASE prints them in tables), with a warning', () => {
    const { records, warnings } = convertBdRecords(
      line({
        id: 'bd-1',
        title: 'Fix\n  the\tlogin \u001b[31mnow',
        assignee: 'a\nb',
        status: 'open',
        created_at: T,
      }),
    );
    expect([records[0]!.title, records[0]!.assignee]).toEqual(['Fix the login [31mnow', 'a b']);
    expect(warnings).toEqual([
      'bd-1: the title had a newline (titles are one line); replaced by a space',
      'bd-1: the assignee had a newline (assignees are one line); replaced by a space',
    ]);
    expect(getBeadRecordSchema().safeParse(records[0]).success).toBe(true);
  });

  it('refuses a line that is not JSON, naming the line', () => {
    const error = (() => {
      try {
        convertBdRecords(`${line({ id: 'bd-1', title: 'a' })}\n{oops`);
      } catch (caught) {
        return caught as BeadError;
      }
    })();
    expect(error).toBeInstanceOf(BeadError);
    expect(error).toMatchObject({ code: 'JSONL_PARSE', line: 2 });
  });

  it.each(realFiles)('converts the real bd file %s into schema-valid records', (file) => {
    const text = readFileSync(join(REAL, file), 'utf8');
    const { records, skipped } = convertBdRecords(text);
    const lines = text.split('\n').filter((l) => l.trim() !== '').length;
    expect(records.length).toBeGreaterThan(0);
    expect(records.length + skipped).toBeLessThanOrEqual(lines);
    const schema = getBeadRecordSchema();
    for (const record of records) {
      const result = schema.safeParse(record);
      if (!result.success) throw new Error(`${record.id}: ${result.error.message}`);
    }
    expect(new Set(records.map((record) => record.id)).size).toBe(records.length);
  });
});

describe('importBdFile', () => {
  it.runIf(realFiles.includes('issues.jsonl'))(
    'imports a whole real file into a store that then works',
    () => {
      const text = readFileSync(join(REAL, 'issues.jsonl'), 'utf8');
      const store = tempStore('bd');
      try {
        const result = importBdFile(store, text);
        expect(result.imported).toBe(result.records.length);
        expect(store.list().length).toBe(result.records.length);
        const report = store.doctor();
        expect(report.problems.every((problem) => problem.code !== 'DEPENDENCY_CYCLE')).toBe(true);
        expect(report.problems.some((problem) => problem.code === 'MISSING_DEPENDENCY')).toBe(true);
        const ready = store.ready();
        const blocked = store.blocked();
        expect(ready.length).toBeGreaterThan(0);
        expect(ready.every((bead) => bead.status === 'open')).toBe(true);
        expect(blocked.every(({ blockedBy }) => blockedBy.length > 0)).toBe(true);
        const parsed = parseJsonl(readFileSync(store.jsonlPath, 'utf8'));
        expect(parsed.length).toBe(result.records.length);
        const schema = getBeadRecordSchema();
        for (const entry of parsed) schema.parse(entry.record);
        const config = JSON.parse(readFileSync(join(store.dir, 'config.json'), 'utf8'));
        expect(config.next_counter).toBeGreaterThanOrEqual(1);
        // New beads still get fresh ids next to the imported ones.
        expect(store.create({ title: 'after import' }).id).toMatch(/^bd-\d+$/);
      } finally {
        store.dispose();
      }
    },
  );

  it('refuses ids the store already has, naming them, and changes nothing', () => {
    const store = tempStore('bd');
    try {
      importBdFile(store, SAMPLE);
      const before = readFileSync(store.jsonlPath, 'utf8');
      const again = [line({ id: 'bd-new', title: 'n', status: 'open' }), line({ id: 'bd-bug', title: 'b' })];
      let error: BeadError | undefined;
      try {
        importBdFile(store, again.join('\n'));
      } catch (caught) {
        error = caught as BeadError;
      }
      expect(error).toBeInstanceOf(BeadError);
      expect(error?.code).toBe('DUPLICATE_ID');
      expect(error?.message).toContain('bd-bug');
      expect(readFileSync(store.jsonlPath, 'utf8')).toBe(before);
      expect(store.find('bd-new')).toBeUndefined();
      const dry = importBdFile(store, again.join('\n'), { dryRun: true });
      expect(dry).toMatchObject({ imported: 0, conflicts: ['bd-bug'], dryRun: true });
    } finally {
      store.dispose();
    }
  });

  it('writes nothing on a dry run, and raises next_counter past numeric ids', () => {
    const store = tempStore('bd');
    try {
      const text = [
        line({ id: 'bd-7', title: 'seven', status: 'open', created_at: T, updated_at: T }),
        line({ id: 'bd-7.1', title: 'child', status: 'open', created_at: T, updated_at: T }),
      ].join('\n');
      const dry = importBdFile(store, text, { dryRun: true });
      expect(dry.records.length).toBe(2);
      expect(readFileSync(store.jsonlPath, 'utf8')).toBe('');
      importBdFile(store, text);
      expect(store.list().map((bead) => bead.id)).toEqual(['bd-7', 'bd-7.1']);
      expect(store.create({ title: 'next' }).id).toBe('bd-8');
    } finally {
      store.dispose();
    }
  });
});
