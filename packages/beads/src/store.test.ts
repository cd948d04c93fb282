import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BeadError } from './errors.js';
import { createTempStore, steppingClock } from './internal/temp-store.js';
import { parseJsonl } from './jsonl.js';
import { openBeadStore } from './store.js';

function ids(beads: { id: string }[]): string[] {
  return beads.map((bead) => bead.id);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as BeadError).code;
  }
  return undefined;
}

describe('ids', () => {
  it('numbers plan beads from the counter and phases from their parent', () => {
    const { store, dir } = createTempStore('app');
    const epic = store.create({ title: 'Epic', tier: 'epic' });
    const plan = store.create({ title: 'Plain plan' });
    expect([epic.id, plan.id]).toEqual(['app-1', 'app-2']);
    const phases = [1, 2, 3].map((n) => store.create({ title: `Phase ${n}`, parentId: epic.id }));
    expect(ids(phases)).toEqual(['app-1.1', 'app-1.2', 'app-1.3']);
    expect(phases[0]!.issueType).toBe('phase');
    expect(phases[0]!.tier).toBeUndefined();
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({
      prefix: 'app',
      next_counter: 3,
    });
  });

  it('accepts ids without the prefix', () => {
    const { store } = createTempStore('app');
    const epic = store.create({ title: 'Epic', tier: 'epic' });
    store.create({ title: 'Phase', parentId: '1' });
    expect(store.get('1').id).toBe(epic.id);
    expect(store.get('1.1').title).toBe('Phase');
  });

  it('never reuses a counter even when the JSONL loses the bead', () => {
    const { store, dir } = createTempStore('app');
    store.create({ title: 'one' });
    writeFileSync(join(dir, 'issues.jsonl'), '');
    expect(store.create({ title: 'two' }).id).toBe('app-2');
  });

  it('catches up when the counter is behind the highest id (merged from another checkout)', () => {
    const { store, dir } = createTempStore('app');
    store.create({ title: 'one' });
    const line = readFileSync(join(dir, 'issues.jsonl'), 'utf8').replace('"app-1"', '"app-9"');
    writeFileSync(join(dir, 'issues.jsonl'), line);
    expect(store.create({ title: 'next' }).id).toBe('app-10');
  });
});

describe('ready and blocked', () => {
  it('follows chains, diamonds, closed and missing blockers', () => {
    const { store, dir } = createTempStore('p');
    // chain a <- b <- c; diamond d <- (e, f) <- g; related edges never block.
    const a = store.create({ title: 'a' });
    const b = store.create({ title: 'b', dependencies: [a.id] });
    const c = store.create({ title: 'c', dependencies: [b.id] });
    const d = store.create({ title: 'd' });
    const e = store.create({ title: 'e', dependencies: [d.id] });
    const f = store.create({ title: 'f', dependencies: [d.id] });
    const g = store.create({ title: 'g', dependencies: [e.id, f.id] });
    const h = store.create({ title: 'h' });
    store.addDependency(h.id, c.id, 'related');
    expect(ids(store.ready())).toEqual([a.id, d.id, h.id]);
    expect(store.blocked().map((x) => [x.bead.id, x.blockedBy])).toEqual([
      [b.id, [a.id]],
      [c.id, [b.id]],
      [e.id, [d.id]],
      [f.id, [d.id]],
      [g.id, [e.id, f.id]],
    ]);

    store.close([a.id, d.id]);
    expect(ids(store.ready())).toEqual([b.id, e.id, f.id, h.id]);
    store.close(e.id);
    expect(store.blocked().find((x) => x.bead.id === g.id)?.blockedBy).toEqual([f.id]);

    // in_progress beads are in neither list
    store.update(b.id, { status: 'in_progress' });
    expect(ids(store.ready())).not.toContain(b.id);
    expect(store.blocked().map((x) => x.bead.id)).not.toContain(b.id);

    // a dependency on a missing bead (hand edit) blocks
    const text = readFileSync(join(dir, 'issues.jsonl'), 'utf8').replace(
      `"title":"h","status":"open","issue_type":"plan","tier":"plan","created_at"`,
      `"title":"h","status":"open","issue_type":"plan","tier":"plan","created_at"`,
    );
    const withMissing = text
      .split('\n')
      .map((line) =>
        line.includes(`"id":"${h.id}"`)
          ? line.replace('"dependencies":[', '"dependencies":[{"id":"p-404","type":"blocks"},')
          : line,
      )
      .join('\n');
    writeFileSync(join(dir, 'issues.jsonl'), withMissing);
    expect(store.blocked().find((x) => x.bead.id === h.id)?.blockedBy).toEqual(['p-404']);
    const report = store.doctor();
    expect(report.ok).toBe(false);
    expect(report.problems.map((problem) => problem.code)).toContain('MISSING_DEPENDENCY');
    // The missing blocker arrives (an import), closed: h is ready.
    const template = JSON.parse(store.listLines()[0]!);
    store.insertRecords([
      { ...template, id: 'p-404', status: 'closed', closed_at: template.updated_at, dependencies: [] },
    ]);
    expect(ids(store.ready())).toContain(h.id);
  });
});

describe('dependencies', () => {
  it('refuses a blocks edge that closes a cycle, naming it', () => {
    const { store } = createTempStore('p');
    const a = store.create({ title: 'a' });
    const b = store.create({ title: 'b', dependencies: [a.id] });
    const c = store.create({ title: 'c', dependencies: [b.id] });
    let error: BeadError | undefined;
    try {
      store.addDependency(a.id, c.id);
    } catch (caught) {
      error = caught as BeadError;
    }
    expect(error?.code).toBe('DEPENDENCY_CYCLE');
    expect(error?.cycle).toEqual(['p-1', 'p-3', 'p-2', 'p-1']);
    expect(error?.message).toContain('p-1 → p-3 → p-2 → p-1');
    expect(codeOf(() => store.addDependency(a.id, a.id))).toBe('DEPENDENCY_CYCLE');
    // a related edge does not order work, so it may point back
    expect(store.addDependency(a.id, c.id, 'related').dependencies).toEqual([{ id: 'p-3', type: 'related' }]);
    expect(store.get(a.id).dependencies).toHaveLength(1);
  });

  it('adds, removes and draws the dependency tree', () => {
    const { store } = createTempStore('p');
    const a = store.create({ title: 'a' });
    const b = store.create({ title: 'b', dependencies: [a.id] });
    const c = store.create({ title: 'c', dependencies: [a.id, b.id] });
    const tree = store.dependencyTree(c.id);
    expect(tree.children.map((child) => [child.id, child.repeated])).toEqual([
      ['p-1', false],
      ['p-2', false],
    ]);
    expect(tree.children[1]!.children[0]).toMatchObject({ id: 'p-1', repeated: true });
    expect(store.dependencyTree(a.id, { direction: 'up' }).children.map((child) => child.id)).toEqual([
      'p-2',
      'p-3',
    ]);
    expect(store.removeDependency(c.id, b.id)).toBe(true);
    expect(store.removeDependency(c.id, b.id)).toBe(false);
    expect(codeOf(() => store.addDependency(c.id, 'p-99'))).toBe('DEPENDENCY_NOT_FOUND');
  });

  it('refuses a related edge on itself, and an edge that would change the type of an existing one', () => {
    const { store } = createTempStore('p');
    const a = store.create({ title: 'a' });
    const b = store.create({ title: 'b', dependencies: [a.id] });
    expect(codeOf(() => store.addDependency(a.id, a.id, 'related'))).toBe('INVALID_INPUT');
    let error: BeadError | undefined;
    try {
      store.addDependency(b.id, a.id, 'related');
    } catch (caught) {
      error = caught as BeadError;
    }
    expect(error?.code).toBe('DEPENDENCY_EXISTS');
    expect(error?.message).toContain('p-2 already has a blocks edge on p-1');
    expect(error?.message).toContain('sase bead dep rm p-2 p-1');
    // b stays blocked, and adding the same edge again changes nothing.
    expect(store.ready().map((bead) => bead.id)).toEqual([a.id]);
    expect(store.addDependency(b.id, a.id).updatedAt).toBe(store.get(b.id).updatedAt);
    store.removeDependency(b.id, a.id);
    store.addDependency(b.id, a.id, 'related');
    expect(codeOf(() => store.addDependency(b.id, a.id))).toBe('DEPENDENCY_EXISTS');
    expect(store.doctor().ok).toBe(true);
  });
});

describe('the JSONL file', () => {
  it('is sorted naturally, compact, with keys in SPEC order', () => {
    const { store, dir } = createTempStore('p', steppingClock());
    for (let n = 1; n <= 11; n++) store.create({ title: `plan ${n}`, tier: n === 7 ? 'epic' : 'plan' });
    for (let n = 1; n <= 10; n++) store.create({ title: `phase ${n}`, parentId: 'p-7', model: 'opus' });
    store.addDependency('p-7.10', 'p-7.2');
    const lines = readFileSync(join(dir, 'issues.jsonl'), 'utf8').trimEnd().split('\n');
    const order = lines.map((line) => JSON.parse(line).id as string);
    expect(order.slice(0, 3)).toEqual(['p-1', 'p-2', 'p-3']);
    expect(order.slice(6, 9)).toEqual(['p-7', 'p-7.1', 'p-7.2']);
    expect(order.indexOf('p-7.10')).toBe(order.indexOf('p-7.9') + 1);
    expect(order.at(-1)).toBe('p-11');
    expect(lines[order.indexOf('p-7.10')]).toBe(
      '{"id":"p-7.10","title":"phase 10","status":"open","issue_type":"phase","parent_id":"p-7","model":"opus","created_at":"2026-11-21T12:00:20.000Z","updated_at":"2026-11-21T12:00:21.000Z","dependencies":[{"id":"p-7.2","type":"blocks"}]}',
    );
  });

  it('is picked up after a hand edit', () => {
    const { store, dir } = createTempStore('p');
    store.create({ title: 'before' });
    const file = join(dir, 'issues.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"before"', '"after"'));
    expect(store.get('p-1').title).toBe('after');
    // and by another process's store object
    const other = openBeadStore({ dir });
    expect(other.get('p-1').title).toBe('after');
  });

  it('rebuilds a deleted cache identically', () => {
    const { store, dir } = createTempStore('p');
    const a = store.create({ title: 'a', tier: 'epic', description: 'multi\nline "quoted"' });
    store.create({ title: 'a.1', parentId: a.id });
    store.create({ title: 'b', dependencies: [a.id] });
    store.close(a.id, { reason: 'done' });
    const before = {
      list: store.list(),
      ready: store.ready(),
      blocked: store.blocked(),
      stats: store.stats(),
    };
    const jsonl = readFileSync(join(dir, 'issues.jsonl'));
    store.dispose();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `beads.db${suffix}`), { force: true });
    const reopened = openBeadStore({ dir });
    expect({
      list: reopened.list(),
      ready: reopened.ready(),
      blocked: reopened.blocked(),
      stats: reopened.stats(),
    }).toEqual(before);
    expect(readFileSync(join(dir, 'issues.jsonl')).equals(jsonl)).toBe(true);
  });

  it.each([
    ['a malformed line', '{"id":"p-2","title":"x"', 'JSONL_PARSE'],
    [
      'a bad field',
      '{"id":"p-2","title":"x","status":"done","issue_type":"plan","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[]}',
      'JSONL_PARSE',
    ],
    [
      'an impossible time',
      '{"id":"p-2","title":"x","status":"open","issue_type":"plan","created_at":"2026-13-45T99:99:99.000Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[]}',
      'JSONL_PARSE',
    ],
    [
      'a title of two lines',
      '{"id":"p-2","title":"x\\ny","status":"open","issue_type":"plan","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[]}',
      'JSONL_PARSE',
    ],
    [
      'a model that is a flag',
      '{"id":"p-2","title":"x","status":"open","issue_type":"plan","model":"--yolo","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[]}',
      'JSONL_PARSE',
    ],
    ['a conflict marker', '<<<<<<< HEAD', 'JSONL_CONFLICT'],
    [
      'a second line for one id',
      '{"id":"p-1","title":"again","status":"open","issue_type":"plan","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[]}',
      'DUPLICATE_ID',
    ],
  ])('refuses %s with file and line, leaving the file untouched', (_name, badLine, code) => {
    const { store, dir } = createTempStore('p');
    store.create({ title: 'one' });
    const file = join(dir, 'issues.jsonl');
    const broken = `${readFileSync(file, 'utf8')}${badLine}\n`;
    writeFileSync(file, broken);
    for (const action of [() => store.list(), () => store.create({ title: 'two' }), () => store.ready()]) {
      let error: BeadError | undefined;
      try {
        action();
      } catch (caught) {
        error = caught as BeadError;
      }
      expect(error?.code).toBe(code);
      expect(error?.line).toBe(2);
      expect(error?.message).toContain(`${file}:2`);
    }
    expect(readFileSync(file, 'utf8')).toBe(broken);
  });
});

describe('record checks', () => {
  it('names the field and line of an impossible time', () => {
    const { store, dir } = createTempStore('p');
    store.create({ title: 'one' });
    const file = join(dir, 'issues.jsonl');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/"updated_at":"[^"]*"/, '"updated_at":"2026-13-45T99:99:99.000Z"'),
    );
    expect(() => store.list()).toThrow(
      `${file}:1 (bead p-1): field "updated_at": is not a real time: the month must be 01-12`,
    );
  });

  it('says "BOM" for a byte order mark at the start of issues.jsonl, with file, line and fix', () => {
    const { store, dir } = createTempStore('p');
    store.create({ title: 'one' });
    const file = join(dir, 'issues.jsonl');
    const withBom = `\uFEFF${readFileSync(file, 'utf8')}`;
    writeFileSync(file, withBom);
    let error: BeadError | undefined;
    try {
      store.list();
    } catch (caught) {
      error = caught as BeadError;
    }
    expect([error?.code, error?.line]).toEqual(['JSONL_PARSE', 1]);
    expect(error?.message).toContain(`${file}:1: the file starts with a byte order mark (BOM`);
    expect(error?.message).toContain('save it as UTF-8 without a BOM');
    expect(readFileSync(file, 'utf8')).toBe(withBom);
  });

  it('names git conflict markers and a BOM in config.json', () => {
    const { dir } = createTempStore('p');
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      '<<<<<<< HEAD\n{"prefix":"p","next_counter":3}\n=======\n{"prefix":"p","next_counter":4}\n>>>>>>> theirs\n',
    );
    let error: BeadError | undefined;
    try {
      openBeadStore({ dir });
    } catch (caught) {
      error = caught as BeadError;
    }
    expect([error?.code, error?.line]).toEqual(['CONFIG_CONFLICT', 1]);
    expect(error?.message).toContain(`${file}:1: git conflict marker "<<<<<<<"`);
    expect(error?.message).toContain('the larger "next_counter"');
    writeFileSync(file, '\uFEFF{"prefix":"p","next_counter":3}\n');
    expect(() => openBeadStore({ dir })).toThrow(
      /config\.json:1: the file starts with a byte order mark \(BOM\)/,
    );
  });

  it('refuses control characters in titles and assignees, and invalid model names, on every way in', () => {
    const { store } = createTempStore('p');
    const bead = store.create({ title: 'one', model: 'claude-sonnet-4-5@20250929' });
    const attempts: [string, () => unknown][] = [
      ['newline title', () => store.create({ title: 'one\ntwo' })],
      ['escape title', () => store.create({ title: 'x\u001b]0;PWNED\u0007' })],
      ['tab title (update)', () => store.update(bead.id, { title: 'a\tb' })],
      ['assignee', () => store.create({ title: 'x', assignee: 'a\nb' })],
      ['flag model', () => store.create({ title: 'x', model: '--yolo' })],
      ['spaced model (update)', () => store.update(bead.id, { model: 'gpt 4' })],
      [
        'imported record',
        () => store.insertRecords([{ ...JSON.parse(store.listLines()[0]!), id: 'p-9', model: '-x' }]),
      ],
    ];
    for (const [name, attempt] of attempts) expect([name, codeOf(attempt)]).toEqual([name, 'INVALID_INPUT']);
    let message = '';
    try {
      store.create({ title: 'x\u001b]0;PWNED\u0007' });
    } catch (error) {
      message = (error as Error).message;
    }
    // The bad value is quoted with its control characters escaped, never printed raw.
    expect(message).toContain('invalid title "x\\u001b]0;PWNED\\u0007": it contains an escape character');
    expect(message).not.toContain('\u001b');
    expect(store.update(bead.id, { model: '' }).model).toBeUndefined();
    expect(store.list()).toHaveLength(1);
  });
});

describe('a missing issues.jsonl', () => {
  it('is an empty store: the next write creates the file', () => {
    const { store, dir } = createTempStore('p');
    rmSync(join(dir, 'issues.jsonl'));
    expect(store.list()).toEqual([]);
    store.create({ title: 'one' });
    store.create({ title: 'two' });
    expect(store.list().map((bead) => bead.title)).toEqual(['one', 'two']);
    expect(parseJsonl(readFileSync(join(dir, 'issues.jsonl'), 'utf8'))).toHaveLength(2);
  });
});

describe('a file replaced during a write', () => {
  it('is not overwritten: the write fails with JSONL_CHANGED and the cache follows the new file', () => {
    const { store, dir } = createTempStore('p');
    store.create({ title: 'one' });
    const file = join(dir, 'issues.jsonl');
    // What a program that does not take the lock (an editor, git) writes in the middle of a sase write.
    const edited = readFileSync(file, 'utf8').replace('"one"', '"one, edited"');
    const code = codeOf(() =>
      store.batch((s) => {
        s.create({ title: 'two' });
        writeFileSync(`${file}.tmp`, edited);
        renameSync(`${file}.tmp`, file);
      }),
    );
    expect(code).toBe('JSONL_CHANGED');
    expect(readFileSync(file, 'utf8')).toBe(edited);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(store.list().map((bead) => bead.title)).toEqual(['one, edited']);
    expect(store.create({ title: 'two' }).id).toBe('p-2');
  });
});

describe('updates', () => {
  it('keeps closed_at in step with status and supports batches', () => {
    const { store } = createTempStore('p');
    const a = store.create({ title: 'a', assignee: 'me' });
    const closed = store.close(a.id, { reason: 'shipped' })[0]!;
    expect(closed.status).toBe('closed');
    expect(closed.closedAt).toBeDefined();
    expect(closed.closeReason).toBe('shipped');
    const reopened = store.reopen(a.id);
    expect(reopened.closedAt).toBeUndefined();
    expect(reopened.closeReason).toBeUndefined();
    expect(store.update(a.id, { assignee: null }).assignee).toBeUndefined();
    expect(codeOf(() => store.update(a.id, { status: 'done' as never }))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.get('p-77'))).toBe('BEAD_NOT_FOUND');

    const result = store.batch((s) => {
      const epic = s.create({ title: 'epic', tier: 'epic' });
      s.create({ title: 'one', parentId: epic.id });
      return s.create({ title: 'two', parentId: epic.id, dependencies: [`${epic.id}.1`] });
    });
    expect(result.id).toBe('p-2.2');
    expect(() =>
      store.batch((s) => {
        s.create({ title: 'lost' });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.list().map((bead) => bead.title)).not.toContain('lost');
  });

  it('says how many more ids a refused insert names than it lists', () => {
    const { store } = createTempStore('p');
    store.create({ title: 'x' });
    const template = JSON.parse(store.listLines()[0]!);
    const records = Array.from({ length: 25 }, (_, index) => ({ ...template, id: `p-${index + 100}` }));
    store.insertRecords(records);
    expect(() => store.insertRecords(records)).toThrow(
      /cannot insert 25 bead\(s\) whose id already exists .*: p-100, p-101, .*, p-119, … and 5 more; import/,
    );
  });

  it('keeps a closed bead closed when it is closed again, replacing its reason when a new one is given', () => {
    const { store } = createTempStore('p', steppingClock());
    const bead = store.create({ title: 'a' });
    const first = store.close(bead.id, { reason: 'done' })[0]!;
    expect(store.close(bead.id)[0]).toEqual(first);
    expect(store.close(bead.id, { reason: 'done' })[0]).toEqual(first);
    const again = store.close(bead.id, { reason: 'merged in #12' })[0]!;
    expect(again).toMatchObject({ status: 'closed', closeReason: 'merged in #12', closedAt: first.closedAt });
    expect(store.reopen(store.reopen(bead.id).id).status).toBe('open');
  });

  it('never reuses a plan counter, even when config.json is behind the file', () => {
    const { store, dir } = createTempStore('p');
    store.batch((s) => {
      const epic = s.create({ title: 'a', tier: 'epic' });
      s.create({ title: 'a.1', parentId: epic.id });
      s.create({ title: 'b' });
    });
    // A merge brought p-9 (and ids that are not `p-<digits>`) without the counter that made them.
    const file = join(dir, 'issues.jsonl');
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((text) => text.includes('"id":"p-2"'))!;
    const extra = ['p-9', 'p-12x', 'q-40'].map((id) => line.replace('"id":"p-2"', `"id":"${id}"`));
    writeFileSync(file, `${readFileSync(file, 'utf8')}${extra.join('\n')}\n`);
    writeFileSync(join(dir, 'config.json'), '{"prefix":"p","next_counter":3}\n');
    expect(store.create({ title: 'c' }).id).toBe('p-10');
    expect(store.create({ title: 'd' }).id).toBe('p-11');
  });

  it('reports and fixes what doctor can fix', () => {
    const { store, dir } = createTempStore('p');
    store.create({ title: 'a' });
    store.create({ title: 'b' });
    writeFileSync(join(dir, 'config.json'), '{"prefix":"p","next_counter":1}\n');
    const report = store.doctor({ fix: true });
    expect(report.problems.map((problem) => [problem.code, problem.fixed])).toEqual([
      ['COUNTER_BEHIND', true],
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).next_counter).toBe(3);
    expect(store.doctor().problems).toEqual([]);
  });
});

describe('concurrency', () => {
  it('8 processes creating 100 beads each get 800 distinct ids; JSONL and cache agree', async () => {
    const { store, dir } = createTempStore('p');
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect(existsSync(dist), 'build @sase/beads first (pnpm build)').toBe(true);
    const script = `
      const { openBeadStore } = await import(${JSON.stringify(dist)});
      const store = openBeadStore({ dir: ${JSON.stringify(dir)} });
      const ids = [];
      for (let i = 0; i < 100; i++) ids.push(store.create({ title: 'w' + process.argv[1] + '-' + i }).id);
      process.stdout.write(JSON.stringify(ids));
    `;
    const outputs = await Promise.all(
      Array.from(
        { length: 8 },
        (_, worker) =>
          new Promise<string[]>((resolve, reject) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script, String(worker)]);
            let out = '';
            let err = '';
            child.stdout.on('data', (chunk) => (out += chunk));
            child.stderr.on('data', (chunk) => (err += chunk));
            child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
          }),
      ),
    );
    const all = outputs.flat();
    expect(new Set(all).size).toBe(800);
    const fromFile = parseJsonl(readFileSync(join(dir, 'issues.jsonl'), 'utf8')).map(
      (line) => line.record.id,
    );
    expect(fromFile).toHaveLength(800);
    expect(new Set(fromFile)).toEqual(new Set(all));
    expect(store.list().map((bead) => bead.id)).toEqual(fromFile);
    expect(
      execFileSync('sh', ['-c', `ls -a ${JSON.stringify(dir)} | grep -c '\\.tmp$' || true`])
        .toString()
        .trim(),
    ).toBe('0');
  }, 120_000);
});

describe('parentId of a plan bead', () => {
  it('links an epic to its legend and refuses phases and cycles', () => {
    const { store } = createTempStore('p');
    const legend = store.create({ title: 'Legend', tier: 'legend' });
    const epic = store.create({ title: 'Epic', tier: 'epic' });
    const phase = store.create({ title: 'Phase', parentId: epic.id });
    expect(store.update(epic.id, { parentId: legend.id }).parentId).toBe(legend.id);
    expect(store.list({ parentId: legend.id }).map((bead) => bead.id)).toEqual([epic.id]);
    expect(() => store.update(phase.id, { parentId: legend.id })).toThrow(
      /phase bead: its parent is part of its id/,
    );
    expect(() => store.update(legend.id, { parentId: epic.id })).toThrow(/cannot be the parent of p-1/);
    expect(store.update(epic.id, { parentId: null }).parentId).toBeUndefined();
  });
});
