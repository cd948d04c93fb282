import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempWorkspace, runCli } from '../../testing/run-cli.js';

const T = '2026-01-10T19:45:42.200062+13:00';
const BD = [
  {
    id: 'bd-e',
    title: 'Epic',
    status: 'open',
    issue_type: 'epic',
    priority: 1,
    created_at: T,
    updated_at: T,
  },
  {
    id: 'bd-e.1',
    title: 'First',
    status: 'closed',
    issue_type: 'task',
    created_at: T,
    updated_at: T,
    closed_at: T,
    dependencies: [{ issue_id: 'bd-e.1', depends_on_id: 'bd-e', type: 'parent-child' }],
  },
  {
    id: 'bd-e.2',
    title: 'Second',
    status: 'blocked',
    issue_type: 'task',
    created_at: T,
    updated_at: T,
    dependencies: [
      { issue_id: 'bd-e.2', depends_on_id: 'bd-e', type: 'parent-child' },
      { issue_id: 'bd-e.2', depends_on_id: 'bd-e.1', type: 'blocks' },
      { issue_id: 'bd-e.2', depends_on_id: 'bd-far', type: 'related' },
    ],
  },
  { id: 'bd-t', title: 'Gone', status: 'tombstone', issue_type: 'task', created_at: T, updated_at: T },
]
  .map((value) => JSON.stringify(value))
  .join('\n');

async function setUp() {
  const cwd = createTempWorkspace('shop');
  expect((await runCli(cwd, 'init')).code).toBe(0);
  writeFileSync(join(cwd, 'bd.jsonl'), `${BD}\n`);
  return cwd;
}

describe('sase bead import', () => {
  it('prints counts and warnings on --dry-run and writes nothing', async () => {
    const cwd = await setUp();
    const result = await runCli(cwd, 'bead', 'import', 'bd.jsonl', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /dry run: would import 3 beads .*\(skipped 1: tombstone 1\); nothing written/,
    );
    expect(result.stderr).toContain(
      'warning: bd-e.2: related edge to bd-far, which is not in the file; kept',
    );
    expect(JSON.parse((await runCli(cwd, 'bead', 'list', '--json')).stdout)).toEqual([]);
  });

  it('imports, after which list, ready and doctor see the beads; a second import is refused', async () => {
    const cwd = await setUp();
    const result = await runCli(cwd, 'bead', 'import', 'bd.jsonl', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      dry_run: false,
      converted: 3,
      imported: 3,
      skipped: 1,
      skipped_by_reason: { tombstone: 1 },
      conflicts: [],
    });
    expect(report.warnings).toHaveLength(1);
    const list = JSON.parse((await runCli(cwd, 'bead', 'list', '--json')).stdout);
    expect(list.map((record: { id: string }) => record.id)).toEqual(['bd-e', 'bd-e.1', 'bd-e.2']);
    expect(list[2]).toMatchObject({
      issue_type: 'phase',
      parent_id: 'bd-e',
      status: 'open',
      created_at: '2026-01-10T06:45:42.200Z',
    });
    const ready = JSON.parse((await runCli(cwd, 'bead', 'ready', '--json')).stdout);
    expect(ready.map((record: { id: string }) => record.id)).toContain('bd-e.2');
    const doctor = await runCli(cwd, 'bead', 'doctor', '--json');
    expect(JSON.parse(doctor.stdout).problems.map((problem: { code: string }) => problem.code)).toContain(
      'MISSING_DEPENDENCY',
    );

    const storeFile = join(cwd, '.sase/sdd/beads/issues.jsonl');
    expect(existsSync(storeFile)).toBe(true);
    const before = readFileSync(storeFile, 'utf8');
    const again = await runCli(cwd, 'bead', 'import', 'bd.jsonl');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^sase: .*bd-e, bd-e\.1, bd-e\.2.*\[DUPLICATE_ID\]/);
    expect(readFileSync(storeFile, 'utf8')).toBe(before);
    const dry = await runCli(cwd, 'bead', 'import', 'bd.jsonl', '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('3 id(s) already in the store');
  });

  it('re-prefixes ids with --prefix, and says so when the file is missing', async () => {
    const cwd = await setUp();
    const result = await runCli(cwd, 'bead', 'import', 'bd.jsonl', '--prefix', 'shop');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('imported 3 beads');
    const list = JSON.parse((await runCli(cwd, 'bead', 'list', '--json')).stdout);
    expect(list.map((record: { id: string }) => record.id)).toEqual(['shop-e', 'shop-e.1', 'shop-e.2']);
    const missing = await runCli(cwd, 'bead', 'import', 'nope.jsonl');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.jsonl.*\[FILE_NOT_FOUND\]/);
  });
});
