import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBeadStore } from '@sase/beads';
import { describe, expect, it } from 'vitest';
import { Command } from '../../commander.js';
import { CliRuntime } from '../../runtime.js';
import { captureIo, createTempDir } from '../../testing/run-cli.js';
import { planApprove } from '../plan/approve.js';
import { planSubmit } from '../plan/submit.js';
import { sddCommit } from './commit.js';
import { sddInit } from './init.js';
import { sddList } from './list.js';
import { registerSdd } from './register.js';
import { sddValidate } from './validate.js';

function workspace(config = '') {
  const base = createTempDir('sase-sdd-cli');
  const cwd = join(base, 'shop');
  const home = join(base, 'home');
  mkdirSync(cwd);
  mkdirSync(home);
  writeFileSync(join(cwd, 'sase.yml'), config);
  return { cwd, home, env: { HOME: home, USER: 'tester', PATH: process.env.PATH } };
}

describe('sase sdd commit', () => {
  it('commits bead edits pending in the standalone repository, and then has nothing to commit', async () => {
    const { cwd, home, env } = workspace();
    await sddInit({ cwd, io: captureIo(), env, json: true });
    const store = initBeadStore({ dir: join(cwd, '.sase', 'sdd', 'beads'), prefix: 'shop' });
    store.create({ title: 'Checkout' });
    store.dispose();
    const io = captureIo();
    expect(await sddCommit({ cwd, io, env, json: true, message: 'beads: add checkout' })).toBe(0);
    const result = JSON.parse(io.out);
    expect(result).toMatchObject({ root: '.sase/sdd', mode: 'standalone', repository_created: false });
    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', join(cwd, '.sase', 'sdd'), ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: home },
      });
    expect(git('log', '--format=%s')).toBe('beads: add checkout\nsdd: init\n');
    expect(git('show', '--name-only', '--format=', 'HEAD').split('\n')).toContain('beads/issues.jsonl');
    expect(git('status', '--porcelain')).toBe('');
    const again = captureIo();
    expect(await sddCommit({ cwd, io: again, env, json: false })).toBe(0);
    expect(again.out).toBe('nothing to commit in .sase/sdd/\n');
  });

  it('leaves a version-controlled tree to the project repository', async () => {
    const { cwd, env } = workspace('sdd:\n  version_controlled: true\n');
    const io = captureIo();
    expect(await sddCommit({ cwd, io, env, json: false })).toBe(0);
    expect(io.out).toBe(
      'sdd/ is part of the project repository (sdd.version_controlled): commit it with git\n',
    );
  });
});

describe('sase sdd init', () => {
  it('creates the tree with READMEs, a map and a git repository, and is idempotent', async () => {
    const { cwd, home, env } = workspace();
    const io = captureIo();
    expect(await sddInit({ cwd, io, env, json: true })).toBe(0);
    const first = JSON.parse(io.out);
    expect(first).toMatchObject({ root: '.sase/sdd', mode: 'standalone', repository_created: true });
    expect(first.written).toContain('MAP.md');
    expect(first.written).toContain('epics/README.md');
    io.out = '';
    expect(await sddInit({ cwd, io, env, json: false })).toBe(0);
    expect(io.out).toBe('SDD tree .sase/sdd/ (standalone)\n  up to date\n');
    const git = (args: string[]) =>
      execFileSync('git', ['-C', join(cwd, '.sase', 'sdd'), ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: home },
      });
    expect(git(['log', '--format=%s'])).toBe('sdd: init\n');
    expect(git(['status', '--porcelain'])).toBe('');
    expect(readFileSync(join(cwd, '.sase', 'sdd', 'MAP.md'), 'utf8')).toContain('## Epics (0)');
  });

  it('writes sdd/ without a repository in version-controlled mode', async () => {
    const { cwd, env } = workspace('sdd:\n  version_controlled: true\n');
    const io = captureIo();
    await sddInit({ cwd, io, env, json: true });
    expect(JSON.parse(io.out)).toMatchObject({
      root: 'sdd',
      mode: 'version-controlled',
      repository_created: false,
      commit: null,
    });
  });
});

describe('sase sdd list / validate', () => {
  async function populated() {
    const ws = workspace();
    const io = captureIo();
    writeFileSync(join(ws.cwd, 'p.md'), 'prompt\n');
    writeFileSync(join(ws.cwd, 'tale.md'), '# Fix login\n');
    writeFileSync(join(ws.cwd, 'epic.md'), '---\nphases: [{id: a, title: A}]\n---\n# Checkout flow\n');
    const base = { cwd: ws.cwd, io, env: ws.env, json: true, prompt: 'p.md' };
    await planSubmit({ ...base, file: 'tale.md', tier: 'tale' });
    await planSubmit({ ...base, file: 'epic.md', tier: 'epic' });
    await planApprove({ ...base, plan: 'checkout-flow' });
    io.out = '';
    return { ...ws, io };
  }

  it('lists by kind, as text and JSON', async () => {
    const { cwd, env, io } = await populated();
    await sddList({ cwd, io, env, json: true, kind: 'epics' });
    expect(JSON.parse(io.out)).toEqual([
      {
        kind: 'epics',
        name: 'checkout-flow',
        month: expect.stringMatching(/^\d{6}$/),
        path: expect.stringMatching(/^\.sase\/sdd\/epics\/\d{6}\/checkout-flow\.md$/),
        tier: 'epic',
        title: 'Checkout flow',
        status: 'wip',
        bead: 'shop-1',
        prompt: expect.stringMatching(/^\.sase\/sdd\/prompts\//),
      },
    ]);
    io.out = '';
    await sddList({ cwd, io, env, json: false, kind: 'prompt' });
    expect(io.out.trim().split('\n')).toHaveLength(2);
    expect(io.out).toContain('-> .sase/sdd/tales/');
    await expect(sddList({ cwd, io, env, json: false, kind: 'sagas' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('validates a clean tree with exit 0 and a broken one with exit 1 and every problem', async () => {
    const { cwd, env, io } = await populated();
    expect(await sddValidate({ cwd, io, env, json: false })).toBe(0);
    expect(io.out).toMatch(/0 error\(s\), 0 warning\(s\)/);

    const root = join(cwd, '.sase', 'sdd');
    const epicPath = execFileSync('sh', ['-c', 'ls epics/*/checkout-flow.md'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const text = readFileSync(join(root, epicPath), 'utf8');
    writeFileSync(
      join(root, epicPath),
      text
        .replace('bead: shop-1\n', 'bead: shop-9\n')
        .replace(/prompt: .*\n/, 'prompt: prompts/000000/x.md\n'),
    );
    io.out = '';
    expect(await sddValidate({ cwd, io, env, json: true })).toBe(1);
    const result = JSON.parse(io.out);
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d: { ruleId: string; line: number }) => [d.ruleId, d.line])).toEqual([
      ['plan-prompt-missing', 2],
      ['bead-missing', 8],
      ['prompt-plan-backlink', 2],
    ]);
    expect(result.diagnostics[0]).toEqual({
      reason: expect.any(String),
      file: `.sase/sdd/${epicPath}`,
      line: 2,
      column: 1,
      ruleId: 'plan-prompt-missing',
      fatal: true,
    });
    io.out = '';
    expect(await sddValidate({ cwd, io, env, json: false })).toBe(1);
    expect(io.out).toContain(`.sase/sdd/${epicPath}:8:1: error Bead shop-9 is not in the bead store`);
    expect(io.err).toContain('3 error(s)');
  });

  it('registers init, list and validate', async () => {
    const { cwd, env } = workspace();
    const io = captureIo();
    const program = new Command('sase').exitOverride();
    const runtime = new CliRuntime(io, () => cwd);
    registerSdd(program, runtime);
    const previousHome = process.env.HOME;
    process.env.HOME = env.HOME;
    try {
      await program.parseAsync(['sdd', 'init', '--json'], { from: 'user' });
      expect(JSON.parse(io.out).root).toBe('.sase/sdd');
      io.out = '';
      await program.parseAsync(['sdd', 'list', '-k', 'tales', '--json'], { from: 'user' });
      expect(JSON.parse(io.out)).toEqual([]);
      io.out = '';
      await program.parseAsync(['sdd', 'validate', '--json'], { from: 'user' });
      expect(JSON.parse(io.out)).toEqual({ ok: true, diagnostics: [] });
      expect(runtime.exitCode).toBe(0);
    } finally {
      process.env.HOME = previousHome;
    }
  });
});
