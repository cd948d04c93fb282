import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTempWorkspace, runCli } from '../../testing/run-cli.js';
import { beadCommandOf } from './register.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const builtCli = join(repoRoot, 'apps', 'cli', 'dist', 'bin.cjs');

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

describe('rough edges of the bead commands', () => {
  it('refuses a related edge on itself, and a related edge over a blocks edge, naming it', async () => {
    const cwd = await setUp();
    await runCli(cwd, 'bead', 'create', '-t', 'a');
    await runCli(cwd, 'bead', 'create', '-t', 'b', '--deps', '1');
    const self = await runCli(cwd, 'bead', 'dep', 'add', '1', '1', '--type', 'related');
    expect([self.code, self.stderr]).toEqual([
      2,
      'sase: shop-1 cannot be related to itself; a related edge links two different beads [INVALID_INPUT]\n',
    ]);
    const over = await runCli(cwd, 'bead', 'dep', 'add', '2', '1', '--type', 'related');
    expect(over.code).toBe(1);
    expect(over.stderr).toBe(
      'sase: shop-2 already has a blocks edge on shop-1; to make it related, remove it first (`sase bead dep rm shop-2 shop-1`), then add the related edge [DEPENDENCY_EXISTS]\n',
    );
    expect(JSON.parse((await runCli(cwd, 'bead', 'ready', '--json')).stdout)).toHaveLength(1);
    expect((await runCli(cwd, 'bead', 'doctor')).code).toBe(0);
  });

  it('says a closed bead was already closed (keeping or replacing its reason) and an open one is open', async () => {
    const cwd = await setUp();
    await runCli(cwd, 'bead', 'create', '-t', 'a');
    await runCli(cwd, 'bead', 'close', '1', '-r', 'done');
    const kept = await runCli(cwd, 'bead', 'close', '1');
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/^shop-1 was already closed \(since \S+Z\); reason kept: "done"\n$/);
    const replaced = await runCli(cwd, 'bead', 'close', '1', '-r', 'merged in #12');
    expect(replaced.stdout).toMatch(
      /^shop-1 was already closed \(since \S+Z\); its reason is now "merged in #12" \(was "done"\)\n$/,
    );
    await runCli(cwd, 'bead', 'reopen', '1');
    const open = await runCli(cwd, 'bead', 'reopen', '1');
    expect([open.code, open.stdout]).toEqual([0, 'shop-1 is already open; nothing to reopen\n']);
  });

  it('refuses control characters in titles, says what is wrong with --epic-count, and checks models', async () => {
    const cwd = await setUp();
    const newline = await runCli(cwd, 'bead', 'create', '-t', 'one\ntwo');
    expect([newline.code, newline.stderr]).toEqual([
      2,
      'sase: invalid title "one\\ntwo": it contains a newline; a title is one line of text without control characters (put the rest in the description) [INVALID_INPUT]\n',
    ]);
    const withEscape = await runCli(cwd, 'bead', 'create', '-t', 'x\u001b]0;PWNED\u0007');
    expect(withEscape.stderr).not.toContain('\u001b');
    const count = await runCli(cwd, 'bead', 'create', '-t', 'L', '--tier', 'legend', '--epic-count', 'abc');
    expect(count.code).toBe(2);
    expect(count.stderr).toContain("argument 'abc' is invalid. expected a whole number ≥ 0, like 3.");
    expect(count.stderr).not.toContain('NaN');
    const model = await runCli(cwd, 'bead', 'create', '-t', 'x', '-m', '--yolo');
    expect(model.code).not.toBe(0);
    const spaced = await runCli(cwd, 'bead', 'create', '-t', 'x', '-m', 'gpt 4');
    expect(spaced.stderr).toMatch(/^sase: invalid model "gpt 4": .*\[INVALID_INPUT\]\n$/);
    await runCli(cwd, 'bead', 'create', '-t', 'x', '-m', 'opus');
    const update = await runCli(cwd, 'bead', 'update', '1', '--model=-x');
    expect(update.stderr).toContain('invalid model "-x"');
    expect(JSON.parse((await runCli(cwd, 'bead', 'list', '--json')).stdout)).toHaveLength(1);
  });

  it('prints --json listings through the process stdout byte for byte as in-process', async () => {
    if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: build the CLI first`);
    const cwd = await setUp();
    await runCli(cwd, 'bead', 'create', '-t', 'Épique “quoted”', '--tier', 'epic');
    await runCli(cwd, 'bead', 'create', '-t', 'One', '--parent', '1', '-d', 'multi\nline');
    await runCli(cwd, 'bead', 'create', '-t', 'Two', '--parent', '1', '--deps', '1.1');
    for (const argv of [
      ['bead', 'list', '--json'],
      ['bead', 'list', '-s', 'open', '--parent', '1', '--json'],
      ['bead', 'ready', '--json'],
      ['bead', 'show', '1.2', '1', '--json'],
      ['bead', 'list', '-s', 'closed', '--json'],
    ]) {
      const inProcess = (await runCli(cwd, ...argv)).stdout;
      JSON.parse(inProcess);
      const piped = execFileSync(process.execPath, [builtCli, ...argv], { cwd, encoding: 'utf8' });
      expect([argv.join(' '), piped]).toEqual([argv.join(' '), inProcess]);
      const file = join(cwd, 'out.json');
      execFileSync('sh', ['-c', `"${process.execPath}" "${builtCli}" ${argv.join(' ')} > out.json`], { cwd });
      expect(readFileSync(file, 'utf8')).toBe(inProcess);
    }
  });
});

describe('the CommonJS lane of the bead commands', () => {
  it('declares only the command argv runs, unless help is asked for or the command is unknown', () => {
    expect(beadCommandOf(['bead', 'ready', '--json'])).toBe('ready');
    expect(beadCommandOf(['-C', 'dir', 'bead', 'claim', '--next'])).toBe('claim');
    expect(beadCommandOf(['bead', 'dep', 'add', 'a', 'b'])).toBe('dep');
    expect(beadCommandOf(['bead', 'ready', '--help'])).toBeUndefined();
    expect(beadCommandOf(['bead', 'redy'])).toBeUndefined();
    expect(beadCommandOf(['bead'])).toBeUndefined();
  });

  it('still lists every command in help and suggests one for a typo (the built binary)', () => {
    if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: build the CLI first`);
    const help = execFileSync(process.execPath, [builtCli, 'bead', '--help'], { encoding: 'utf8' });
    for (const name of ['init', 'create', 'claim', 'ready', 'graph', 'stats'])
      expect(help).toContain(`  ${name} `);
    let stderr = '';
    try {
      execFileSync(process.execPath, [builtCli, 'bead', 'redy'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      stderr = String((error as { stderr?: string }).stderr);
    }
    expect(stderr).toContain('Did you mean ready?');
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
    // The epic is linked to its phases, and the graph says which way the arrows go.
    expect(mermaid.stdout).toContain('n_shop_1 ==> n_shop_1_1');
    expect(mermaid.stdout).toContain('%% Arrows point the way work flows: A --> B means B waits for A');
    expect(mermaid.stdout).not.toContain('Unrelated');
    const dot = await runCli(cwd, 'bead', 'graph', '--format', 'dot');
    expect(dot.stdout).toMatch(/^digraph beads \{/);
    expect(dot.stdout).toContain('"shop-1.1" -> "shop-1.2";');
    expect(dot.stdout).toContain('"shop-1" -> "shop-1.1" [style=bold, color="#9ca3af"];');
    expect(dot.stdout).toContain('// Arrows point the way work flows: A -> B means B waits for A');
    expect(dot.stdout).toContain('Unrelated');
  });
});
