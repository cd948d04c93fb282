import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempWorkspace, runCli } from '../../testing/run-cli.js';

async function setUp() {
  const cwd = createTempWorkspace('shop');
  expect((await runCli(cwd, 'init')).code).toBe(0);
  return cwd;
}

describe('sase init', () => {
  it('creates .sase/, ignores it, and creates the store with the directory name as prefix', async () => {
    const cwd = createTempWorkspace('My Shop');
    const result = await runCli(cwd, 'init', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ prefix: 'my-shop', gitignore_updated: true });
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8')).toContain('.sase/');
    expect(readFileSync(join(cwd, '.sase/sdd/beads/.gitignore'), 'utf8')).toContain('beads.db');
    expect(JSON.parse((await runCli(cwd, 'init', '--json')).stdout).gitignore_updated).toBe(false);
  });

  it('puts the store under sdd/ when sase.yml says version_controlled, and refuses a bad sase.yml', async () => {
    const cwd = createTempWorkspace('vc');
    writeFileSync(join(cwd, 'sase.yml'), 'sdd:\n  version_controlled: true\nbeads:\n  prefix: vc\n');
    const result = await runCli(cwd, 'init', '--json');
    expect(JSON.parse(result.stdout).beads_dir).toBe(join(cwd, 'sdd/beads'));
    writeFileSync(join(cwd, 'sase.yml'), 'sdd:\n  version_controlled: true\n  colour: blue\n');
    const bad = await runCli(cwd, 'bead', 'list');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/sase\.yml:3: unknown key "sdd\.colour".*\[CONFIG_INVALID\]/);
  });
});

describe('sase bead', () => {
  it('creates, lists, shows, updates and closes with --json records', async () => {
    const cwd = await setUp();
    const epic = JSON.parse(
      (await runCli(cwd, 'bead', 'create', '-t', 'Checkout', '--tier', 'epic', '--json')).stdout,
    );
    expect(epic).toMatchObject({
      id: 'shop-1',
      title: 'Checkout',
      status: 'open',
      issue_type: 'plan',
      tier: 'epic',
    });
    expect(Object.keys(epic)).toEqual([
      'id',
      'title',
      'status',
      'issue_type',
      'tier',
      'created_at',
      'updated_at',
      'dependencies',
    ]);
    await runCli(cwd, 'bead', 'create', '-t', 'Cart', '--parent', '1', '-m', 'opus');
    await runCli(cwd, 'bead', 'create', 'Pay', '--parent', '1', '--deps', '1.1');
    const list = JSON.parse((await runCli(cwd, 'bead', 'list', '--json')).stdout);
    expect(list.map((bead: { id: string }) => bead.id)).toEqual(['shop-1', 'shop-1.1', 'shop-1.2']);
    const phases = JSON.parse(
      (await runCli(cwd, 'bead', 'list', '--parent', '1', '-s', 'open', '--json')).stdout,
    );
    expect(phases).toHaveLength(2);
    const shown = JSON.parse((await runCli(cwd, 'bead', 'show', '1.1', 'shop-1.2', '--json')).stdout);
    expect(shown.map((bead: { model?: string }) => bead.model)).toEqual(['opus', undefined]);
    const updated = JSON.parse(
      (await runCli(cwd, 'bead', 'update', '1.1', '1.2', '-s', 'in_progress', '-a', 'bot', '--json')).stdout,
    );
    expect(updated.map((bead: { status: string; assignee: string }) => [bead.status, bead.assignee])).toEqual(
      [
        ['in_progress', 'bot'],
        ['in_progress', 'bot'],
      ],
    );
    const closed = JSON.parse((await runCli(cwd, 'bead', 'close', '1.1', '-r', 'done', '--json')).stdout);
    expect(closed[0]).toMatchObject({ status: 'closed', close_reason: 'done' });
    const reopened = JSON.parse((await runCli(cwd, 'bead', 'reopen', '1.1', '--json')).stdout);
    expect(reopened[0].status).toBe('open');
    const human = await runCli(cwd, 'bead', 'show', '1');
    expect(human.stdout).toContain('phase:          shop-1.1 [open] Cart');
  });

  it('prints ready and blocked (with blocked_by), and refuses cycles', async () => {
    const cwd = await setUp();
    await runCli(cwd, 'bead', 'create', '-t', 'a');
    await runCli(cwd, 'bead', 'create', '-t', 'b', '--deps', '1');
    await runCli(cwd, 'bead', 'create', '-t', 'c');
    await runCli(cwd, 'bead', 'dep', 'add', '3', '2');
    const ready = JSON.parse((await runCli(cwd, 'bead', 'ready', '--json')).stdout);
    expect(ready.map((bead: { id: string }) => bead.id)).toEqual(['shop-1']);
    const blocked = JSON.parse((await runCli(cwd, 'bead', 'blocked', '--json')).stdout);
    expect(blocked.map((bead: { id: string; blocked_by: string[] }) => [bead.id, bead.blocked_by])).toEqual([
      ['shop-2', ['shop-1']],
      ['shop-3', ['shop-2']],
    ]);
    const cycle = await runCli(cwd, 'bead', 'dep', 'add', '1', '3');
    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toBe(
      'sase: shop-1 cannot depend on shop-3: that would close the cycle shop-1 → shop-3 → shop-2 → shop-1 [DEPENDENCY_CYCLE]\n',
    );
    const tree = await runCli(cwd, 'bead', 'dep', 'tree', '3');
    expect(tree.stdout).toBe('shop-3 [open] c\n└── shop-2 [open] b\n    └── shop-1 [open] a\n');
    expect((await runCli(cwd, 'bead', 'dep', 'rm', '3', '2')).code).toBe(0);
    const stats = JSON.parse((await runCli(cwd, 'bead', 'stats', '--json')).stdout);
    expect(stats).toMatchObject({ total: 3, ready: 2, blocked: 1, by_status: { open: 3 } });
  });

  it('reports user mistakes on one line with a code and a non-zero exit', async () => {
    const cwd = await setUp();
    const missing = await runCli(cwd, 'bead', 'show', '42');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^sase: no bead shop-42 .*\[BEAD_NOT_FOUND\]\n$/);
    const noTitle = await runCli(cwd, 'bead', 'create');
    expect(noTitle.stderr).toContain('a title is required');
    const badStatus = await runCli(cwd, 'bead', 'list', '-s', 'done');
    expect(badStatus.code).not.toBe(0);
    expect(badStatus.stderr).toContain('expected one of: open, in_progress, closed');
    const outside = createTempWorkspace('bare');
    const noStore = await runCli(outside, 'bead', 'ready');
    expect(noStore.stderr).toMatch(/no bead store .*run `sase init`|create one with `sase init`/);
    const file = join(cwd, '.sase/sdd/beads/issues.jsonl');
    await runCli(cwd, 'bead', 'create', '-t', 'x');
    writeFileSync(file, `${readFileSync(file, 'utf8')}<<<<<<< HEAD\n`);
    const before = readFileSync(file);
    const conflict = await runCli(cwd, 'bead', 'create', '-t', 'y');
    expect(conflict.stderr).toMatch(/issues\.jsonl:2: git conflict marker .*\[JSONL_CONFLICT\]/);
    expect(readFileSync(file).equals(before)).toBe(true);
    const doctor = await runCli(cwd, 'bead', 'doctor');
    expect(doctor.code).toBe(1);
  });
});

describe('sase bead graph', () => {
  it('draws an epic and its phases', async () => {
    const cwd = await setUp();
    await runCli(cwd, 'bead', 'create', '-t', 'Epic', '--tier', 'epic');
    await runCli(cwd, 'bead', 'create', '-t', 'One', '--parent', '1');
    await runCli(cwd, 'bead', 'create', '-t', 'Two', '--parent', '1', '--deps', '1.1');
    await runCli(cwd, 'bead', 'create', '-t', 'Unrelated');
    const mermaid = await runCli(cwd, 'bead', 'graph', '1');
    expect(mermaid.stdout).toContain('n_shop_1_1 --> n_shop_1_2');
    expect(mermaid.stdout).not.toContain('Unrelated');
    const dot = await runCli(cwd, 'bead', 'graph', '--format', 'dot');
    expect(dot.stdout).toMatch(/^digraph beads \{/);
    expect(dot.stdout).toContain('"shop-1.1" -> "shop-1.2";');
    expect(dot.stdout).toContain('Unrelated');
  });
});
