import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BeadError } from './errors.js';
import { createTempStore } from './internal/temp-store.js';
import { parseJsonl } from './jsonl.js';
import { openBeadStore } from './store.js';

function errorOf(fn: () => unknown): BeadError | undefined {
  try {
    fn();
  } catch (error) {
    return error as BeadError;
  }
  return undefined;
}

describe('claim', () => {
  it('moves an open bead to in_progress for its claimant; the holder claiming again changes nothing', () => {
    const { store } = createTempStore('p');
    const bead = store.create({ title: 'a', assignee: 'planner' });
    const claimed = store.claim('1', 'alice');
    expect(claimed).toMatchObject({ id: bead.id, status: 'in_progress', assignee: 'alice' });
    expect(store.claim(bead.id, 'alice')).toEqual(claimed);
    expect(store.get(bead.id).updatedAt).toBe(claimed.updatedAt);
  });

  it('refuses a bead someone else holds with ALREADY_CLAIMED naming the holder, and a closed bead', () => {
    const { store } = createTempStore('p');
    const bead = store.create({ title: 'a' });
    store.claim(bead.id, 'alice');
    const error = errorOf(() => store.claim(bead.id, 'bob'));
    expect(error?.code).toBe('ALREADY_CLAIMED');
    expect(error?.holder).toBe('alice');
    expect(error?.beadId).toBe(bead.id);
    expect(error?.message).toContain('p-1 is already claimed by "alice"');
    expect(store.get(bead.id).assignee).toBe('alice');

    store.close(bead.id);
    expect(errorOf(() => store.claim(bead.id, 'alice'))?.code).toBe('INVALID_TRANSITION');
    // A released bead (back to open, the old assignee kept) is anyone's to claim.
    store.reopen(bead.id);
    store.update(bead.id, { assignee: 'alice' });
    expect(store.claim(bead.id, 'bob').assignee).toBe('bob');
  });

  it('refuses an empty or multi-line assignee', () => {
    const { store } = createTempStore('p');
    store.create({ title: 'a' });
    expect(errorOf(() => store.claim('p-1', ' '))?.code).toBe('INVALID_INPUT');
    expect(errorOf(() => store.claimNext('a\nb'))?.message).toContain('a newline');
  });

  it('claimNext takes the first ready bead in ready order, and undefined when none is ready', () => {
    const { store } = createTempStore('p');
    const a = store.create({ title: 'a' });
    const b = store.create({ title: 'b', dependencies: [a.id] });
    const c = store.create({ title: 'c' });
    expect(store.claimNext('w1')?.id).toBe(a.id);
    expect(store.claimNext('w2')?.id).toBe(c.id);
    expect(store.claimNext('w3')).toBeUndefined();
    store.close(a.id);
    expect(store.ready().map((bead) => bead.id)).toEqual([b.id]);
    expect(store.claimNext('w3')).toMatchObject({ id: b.id, status: 'in_progress', assignee: 'w3' });
    expect(store.claimNext('w3')).toBeUndefined();
  });

  it('makes update refuse to hand a held bead to someone else, unless forced', () => {
    const { store } = createTempStore('p');
    const bead = store.create({ title: 'a' });
    store.update(bead.id, { status: 'in_progress', assignee: 'alice' });
    const error = errorOf(() => store.update(bead.id, { status: 'in_progress', assignee: 'bob' }));
    expect([error?.code, error?.holder]).toEqual(['ALREADY_CLAIMED', 'alice']);
    expect(errorOf(() => store.update(bead.id, { assignee: 'bob' }))?.code).toBe('ALREADY_CLAIMED');
    // The holder may update it; anyone may change other fields or release it.
    expect(store.update(bead.id, { status: 'in_progress', assignee: 'alice', notes: 'n' }).notes).toBe('n');
    expect(store.update(bead.id, { title: 'a, renamed' }).assignee).toBe('alice');
    expect(store.update(bead.id, { assignee: 'bob' }, { force: true }).assignee).toBe('bob');
    expect(store.update(bead.id, { status: 'open', assignee: 'carol' }).status).toBe('open');
  });
});

describe('claims across processes', () => {
  it('8 processes claiming the next ready bead until none is left claim each of 50 beads exactly once', async () => {
    const { store, dir } = createTempStore('p');
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect(existsSync(dist), 'build @sase/beads first (pnpm build)').toBe(true);
    store.batch((s) => {
      for (let index = 0; index < 50; index++) s.create({ title: `task ${index}` });
    });
    const script = `
      const { openBeadStore } = await import(${JSON.stringify(dist)});
      const store = openBeadStore({ dir: ${JSON.stringify(dir)} });
      const claimed = [];
      for (;;) {
        const bead = store.claimNext('worker-' + process.argv[1]);
        if (bead === undefined) break;
        claimed.push(bead.id);
      }
      process.stdout.write(JSON.stringify(claimed));
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
    const claims = outputs.flat();
    expect(claims).toHaveLength(50);
    expect(new Set(claims).size).toBe(50);
    const records = parseJsonl(readFileSync(join(dir, 'issues.jsonl'), 'utf8')).map((line) => line.record);
    expect(records.every((record) => record.status === 'in_progress')).toBe(true);
    outputs.forEach((ids, worker) => {
      for (const id of ids)
        expect(records.find((record) => record.id === id)?.assignee).toBe(`worker-${worker}`);
    });
    // The cache agrees with the file, and so does a cache rebuilt from it.
    const fromCache = store.list();
    expect(fromCache.map((bead) => [bead.id, bead.status, bead.assignee])).toEqual(
      records.map((record) => [record.id, record.status, record.assignee]),
    );
    expect(store.ready()).toEqual([]);
    store.dispose();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `beads.db${suffix}`), { force: true });
    expect(openBeadStore({ dir }).list()).toEqual(fromCache);
  }, 120_000);
});
