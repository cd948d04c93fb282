import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestWorkspace, runGit } from './internal/test-workspace.js';
import { createSddStore } from './sdd-store.js';
import { submitPlan } from './submit-plan.js';

const identity = async (text: string) => ({ text });

describe('standalone mode (.sase/sdd, its own git repository)', () => {
  it('creates the tree and a repository the git binary reads cleanly', async () => {
    const { workspaceRoot, home, env } = createTestWorkspace();
    const store = createSddStore({ workspaceRoot, env });
    expect(store.root).toBe(join(workspaceRoot, '.sase', 'sdd'));
    expect(store.isInitialized()).toBe(false);

    const first = await store.init();
    expect(first.isRepositoryCreated).toBe(true);
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(first.written.sort()).toEqual([
      '.gitignore',
      'MAP.md',
      'README.md',
      'beads/README.md',
      'changes/README.md',
      'epics/README.md',
      'legends/README.md',
      'prompts/README.md',
      'tales/README.md',
    ]);
    const again = await store.init();
    expect(again).toEqual({ root: store.root, isRepositoryCreated: false, written: [] });

    await submitPlan({
      store,
      planText: '# Auth rework\n\nDo it.\n',
      tier: 'epic',
      promptText: 'Rework auth.\n',
      now: new Date('2026-11-03T10:00:00Z'),
      expandPrompt: identity,
    });
    await submitPlan({
      store,
      planText: '# Auth rework\n\nDo it better.\n',
      tier: 'epic',
      now: new Date('2026-12-24T10:00:00Z'),
      expandPrompt: identity,
    });

    const root = store.root;
    expect(runGit(root, ['status', '--porcelain'], home)).toBe('');
    expect(runGit(root, ['log', '--format=%an <%ae>|%s'], home).trim().split('\n')).toEqual([
      'SASE <sase@localhost>|plan: submit epics/202611/auth-rework (round 2)',
      'SASE <sase@localhost>|plan: submit epics/202611/auth-rework (round 1)',
      'SASE <sase@localhost>|sdd: init',
    ]);
    expect(runGit(root, ['show', '--stat', '--format=%s', 'HEAD'], home)).toContain(
      'epics/202611/auth-rework.md',
    );
    expect(runGit(root, ['show', 'HEAD:epics/202611/auth-rework.md'], home)).toContain('Do it better.');
    expect(runGit(root, ['show', 'HEAD~1:prompts/202611/auth-rework.md'], home)).toBe(
      '---\nplan: epics/202611/auth-rework.md\n---\nRework auth.\n',
    );
    expect(runGit(root, ['fsck', '--strict'], home)).toBe('');
    expect(runGit(root, ['rev-parse', '--abbrev-ref', 'HEAD'], home).trim()).toBe('main');
  });

  it('takes the author from git config, and commits bead store files but not the cache', async () => {
    const { workspaceRoot, home, env } = createTestWorkspace();
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Grace Hopper\n\temail = grace@example.com\n');
    const store = createSddStore({ workspaceRoot, env });
    await store.init();
    writeFileSync(join(store.beadsDir, 'issues.jsonl'), '');
    writeFileSync(join(store.beadsDir, 'beads.db'), 'cache');
    await store.commit('beads: store');
    expect(runGit(store.root, ['log', '-1', '--format=%an <%ae>|%s'], home).trim()).toBe(
      'Grace Hopper <grace@example.com>|beads: store',
    );
    expect(runGit(store.root, ['ls-files'], home)).toContain('beads/issues.jsonl');
    expect(runGit(store.root, ['ls-files'], home)).not.toContain('beads.db');
    expect(runGit(store.root, ['status', '--porcelain'], home)).toBe('');
    expect(await store.commit('nothing')).toBeUndefined();
  });
});

describe('version-controlled mode (sdd/ in the project)', () => {
  it('writes files only: no repository, no commit', async () => {
    const { workspaceRoot, env } = createTestWorkspace();
    const store = createSddStore({ workspaceRoot, versionControlled: true, env });
    expect(store.root).toBe(join(workspaceRoot, 'sdd'));
    const init = await store.init();
    expect(init.commit).toBeUndefined();
    expect(init.written).not.toContain('.gitignore');
    const result = await submitPlan({
      store,
      planText: '# Fix login\n',
      tier: 'tale',
      promptText: 'Fix the login.\n',
      now: new Date('2026-01-31T23:59:59Z'),
      expandPrompt: identity,
    });
    expect(result).toMatchObject({
      plan: 'tales/202601/fix-login.md',
      prompt: 'prompts/202601/fix-login.md',
    });
    expect(result.commit).toBeUndefined();
    expect(existsSync(join(workspaceRoot, 'sdd', '.git'))).toBe(false);
    expect(existsSync(join(workspaceRoot, '.sase'))).toBe(false);
    expect(readFileSync(join(workspaceRoot, 'sdd/tales/202601/fix-login.md'), 'utf8')).toContain(
      'title: Fix login',
    );
    expect(store.workspacePath(result.plan)).toBe('sdd/tales/202601/fix-login.md');
  });
});

describe('listing and finding', () => {
  it('lists by kind, finds plans by name or path, and refuses paths outside the root', async () => {
    const { workspaceRoot, env } = createTestWorkspace();
    const store = createSddStore({ workspaceRoot, versionControlled: true, env });
    for (const [name, tier, month] of [
      ['b-tale', 'tale', '2026-02-01'],
      ['a-tale', 'tale', '2026-03-01'],
      ['big', 'legend', '2026-01-01'],
    ] as const) {
      await submitPlan({
        store,
        planText: `# ${name}\n`,
        tier,
        name,
        promptText: 'p',
        now: new Date(month),
        expandPrompt: identity,
      });
    }
    writeFileSync(join(store.root, 'tales', 'stray.md'), 'not in a month directory');
    expect(store.list('tales').map((entry) => entry.path)).toEqual([
      'tales/202602/b-tale.md',
      'tales/202603/a-tale.md',
    ]);
    expect(store.list().map((entry) => `${entry.kind}:${entry.name}`)).toEqual([
      'tales:b-tale',
      'tales:a-tale',
      'legends:big',
      'prompts:big',
      'prompts:b-tale',
      'prompts:a-tale',
    ]);
    expect(store.resolvePlan('big').path).toBe('legends/202601/big.md');
    expect(store.resolvePlan('sdd/tales/202603/a-tale.md', { cwd: workspaceRoot }).name).toBe('a-tale');
    expect(store.resolvePlan('tales/202603/a-tale.md').name).toBe('a-tale');
    expect(() => store.resolvePlan('nope')).toThrow(expect.objectContaining({ code: 'PLAN_NOT_FOUND' }));
    expect(() => store.resolvePlan('prompts/202601/big.md')).toThrow(
      expect.objectContaining({ code: 'PLAN_NOT_FOUND' }),
    );
    expect(() => store.readText('../sase.yml')).toThrow(
      expect.objectContaining({ code: 'PATH_OUTSIDE_SDD_ROOT' }),
    );
    const map = readFileSync(join(store.root, 'MAP.md'), 'utf8');
    expect(map).toContain('## Tales (2)');
    expect(map).toContain(
      '| [big](legends/202601/big.md) | big | wip | - | [prompt](prompts/202601/big.md) |',
    );
  });
});
