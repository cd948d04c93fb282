import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFixture } from './__fixtures__/bundle.js';
import { type ChangeSpec, moveChangeStatus, stringifyChangeSpec } from './change-spec.js';
import { findChangeSpec } from './change-store.js';
import type { SddError } from './errors.js';
import { createTestWorkspace } from './internal/test-workspace.js';
import { createSddStore } from './sdd-store.js';

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function workspace(versionControlled = true) {
  const { workspaceRoot, env } = createTestWorkspace();
  temporary.push(dirname(workspaceRoot));
  return createSddStore({ workspaceRoot, versionControlled, env });
}

function change(name: string, overrides: Partial<ChangeSpec> = {}): ChangeSpec {
  return {
    name,
    description: `Change ${name}`,
    bead: null,
    plan: null,
    parent: [],
    branch: `sase/${name}`,
    base: '0123456789abcdef0123456789abcdef01234567',
    status: 'wip',
    pr: null,
    bug: null,
    commits: [],
    hooks: [],
    comments: [],
    timestamps: [{ time: '2026-11-28T07:00:00.000Z', status: 'wip' }],
    ...overrides,
  };
}

function thrown(run: () => unknown): SddError {
  try {
    run();
  } catch (error) {
    return error as SddError;
  }
  throw new Error('expected an error');
}

describe('SddStore ChangeSpecs', () => {
  it('init creates changes/ with a generated README', async () => {
    const store = workspace(false);
    const result = await store.init();
    expect(result.written).toContain('changes/README.md');
    expect(readFileSync(join(store.root, 'changes', 'README.md'), 'utf8')).toContain('# ChangeSpecs');
    expect(readFileSync(join(store.root, 'README.md'), 'utf8')).toContain('[changes/](changes/README.md)');
    expect((await store.init()).written).toEqual([]);
  });

  it('writes, finds, reads and lists ChangeSpecs; a rewrite stays in the month it was created in', () => {
    const store = workspace();
    expect(store.writeChangeSpec(change('demo-1.2'))).toEqual({
      kind: 'changes',
      name: 'demo-1.2',
      month: '202611',
      path: 'changes/202611/demo-1.2.md',
      changeSpec: change('demo-1.2'),
    });
    expect(store.writeChangeSpec(change('demo-1.1', { timestamps: [] }), { month: '202610' }).path).toBe(
      'changes/202610/demo-1.1.md',
    );
    const moved = moveChangeStatus(store.readChangeSpec('demo-1.2'), 'ready', '2027-01-02T00:00:00.000Z');
    expect(store.writeChangeSpec(moved, { month: '202701' }).path).toBe('changes/202611/demo-1.2.md');
    expect(existsSync(join(store.root, 'changes', '202701'))).toBe(false);
    expect(store.readChangeSpec('demo-1.2')).toEqual(moved);
    expect(readFileSync(join(store.root, 'changes/202611/demo-1.2.md'), 'utf8')).toBe(
      stringifyChangeSpec(moved),
    );
    expect(store.findChangeSpec('demo-1.1')?.path).toBe('changes/202610/demo-1.1.md');
    expect(store.findChangeSpec('nope')).toBeUndefined();

    writeFileSync(join(store.root, 'changes/202611/Not Valid.md'), 'ignored: not an agent name');
    expect(
      store.listChangeSpecs().map((entry) => [entry.path, entry.name, entry.month, entry.changeSpec.status]),
    ).toEqual([
      ['changes/202610/demo-1.1.md', 'demo-1.1', '202610', 'wip'],
      ['changes/202611/demo-1.2.md', 'demo-1.2', '202611', 'ready'],
    ]);
    expect(findChangeSpec(store, 'demo-1.2')).toEqual(store.findChangeSpec('demo-1.2'));

    writeFileSync(join(store.root, 'changes/202611/broken.md'), '---\nname: broken\n---\n');
    expect(store.list('changes').map((entry) => entry.name)).toEqual(['demo-1.1', 'broken', 'demo-1.2']);
    expect(store.list()).toEqual([]);
    expect(thrown(() => store.listChangeSpecs())).toMatchObject({
      code: 'CHANGE_SPEC_INVALID',
      file: 'sdd/changes/202611/broken.md',
      line: 1,
    });
  });

  it('says what is wrong: unknown name, invalid name, a file that does not parse', () => {
    const store = workspace();
    const missing = thrown(() => store.readChangeSpec('demo-9'));
    expect(missing.code).toBe('CHANGE_NOT_FOUND');
    expect(missing.message).toBe(
      'No ChangeSpec named "demo-9" in sdd/changes/ (any month); `sase sdd list -k changes` lists the ChangeSpecs',
    );
    expect(thrown(() => store.readChangeSpec('../x')).code).toBe('CHANGE_NAME_INVALID');
    store.writeChangeSpec(change('demo-1.2'));
    const file = join(store.root, 'changes/202611/demo-1.2.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('status: wip', 'status: landed'));
    const invalid = thrown(() => store.readChangeSpec('demo-1.2'));
    expect(invalid).toMatchObject({
      code: 'CHANGE_SPEC_INVALID',
      file: 'sdd/changes/202611/demo-1.2.md',
      line: 9,
      change: 'demo-1.2',
    });
    expect(invalid.message).toMatch(
      /^Invalid ChangeSpec sdd\/changes\/202611\/demo-1\.2\.md:9: Invalid ChangeSpec "status"/,
    );
  });
});

describe('SddStore.updateChangeSpec', () => {
  it('creates, then applies each update to what is on disk', async () => {
    const store = workspace();
    await expect(store.updateChangeSpec('demo-1.2', (spec) => spec)).rejects.toMatchObject({
      code: 'CHANGE_NOT_FOUND',
    });
    const created = await store.updateChangeSpec(
      'demo-1.2',
      (spec) => moveChangeStatus(spec, 'ready', '2026-12-01T00:00:00Z'),
      {
        create: () => change('demo-1.2'),
      },
    );
    expect(store.findChangeSpec('demo-1.2')?.path).toBe('changes/202611/demo-1.2.md');
    expect(created.status).toBe('ready');
    const updated = await store.updateChangeSpec('demo-1.2', async (spec) => ({
      ...spec,
      comments: [...spec.comments, { time: '2026-12-01T00:00:01Z', author: 'alice', text: 'ok' }],
    }));
    expect(updated).toEqual(store.readChangeSpec('demo-1.2'));
    expect(updated.timestamps.map((timestamp) => timestamp.status)).toEqual(['wip', 'ready']);
    expect(updated.comments).toHaveLength(1);
    await expect(
      store.updateChangeSpec('demo-1.2', (spec) => ({ ...spec, name: 'other' })),
    ).rejects.toMatchObject({ code: 'CHANGE_SPEC_INVALID', change: 'demo-1.2' });
    await expect(
      store.updateChangeSpec('demo-1.2', (spec) => moveChangeStatus(spec, 'wip', '2026-12-01T00:00:02Z')),
    ).rejects.toMatchObject({ code: 'CHANGE_STATUS_INVALID' });
    expect(readdirSync(join(store.root, 'changes')).sort()).toEqual(['202611']);
  });

  it('never overwrites a file that does not parse', async () => {
    const store = workspace();
    store.writeChangeSpec(change('demo-1.2'));
    const file = join(store.root, 'changes/202611/demo-1.2.md');
    const broken = readFileSync(file, 'utf8').replace(
      '## Comments\n\n_none_',
      '## Comments\n\n- yesterday bob: hi',
    );
    writeFileSync(file, broken);
    await expect(
      store.updateChangeSpec('demo-1.2', (spec) => spec, { create: () => change('demo-1.2') }),
    ).rejects.toMatchObject({
      code: 'CHANGE_SPEC_INVALID',
      file: 'sdd/changes/202611/demo-1.2.md',
      line: 25,
      message: expect.stringContaining('demo-1.2.md:25: Comment time "yesterday"'),
    });
    expect(readFileSync(file, 'utf8')).toBe(broken);
  });
});

describe('updateChangeSpec across processes', () => {
  let writerScript: string;
  beforeAll(() => {
    writerScript = bundleFixture('./change-writer.ts');
    temporary.push(dirname(writerScript));
  }, 60_000);

  it('loses no update when several processes append comments to one ChangeSpec at once', async () => {
    const store = workspace();
    const writers = 6;
    const comments = 12;
    const startAt = String(Date.now() + 1500);
    const results = await Promise.all(
      Array.from(
        { length: writers },
        (_, writer) =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(
              process.execPath,
              [writerScript, store.workspaceRoot, String(writer), String(comments), startAt],
              { stdio: ['ignore', 'ignore', 'pipe'] },
            );
            let stderr = '';
            child.stderr.on('data', (chunk) => {
              stderr += chunk;
            });
            child.on('exit', (code) => resolve({ code, stderr }));
          }),
      ),
    );
    expect(results).toEqual(Array(writers).fill({ code: 0, stderr: '' }));
    const spec = store.readChangeSpec('demo-1.2');
    expect(spec.comments).toHaveLength(writers * comments);
    for (let writer = 0; writer < writers; writer++) {
      expect(
        spec.comments
          .filter((comment) => comment.author === `writer-${writer}`)
          .map((comment) => comment.text),
      ).toEqual(Array.from({ length: comments }, (_, index) => `comment ${index}\nof writer ${writer}`));
    }
    expect(spec.timestamps).toHaveLength(1);
    expect(readdirSync(join(store.root, 'changes')).sort()).toEqual(['202611']);
    expect(readdirSync(join(store.root, 'changes', '202611'))).toEqual(['demo-1.2.md']);
  }, 60_000);
});
