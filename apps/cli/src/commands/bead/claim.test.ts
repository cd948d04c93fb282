// `sase bead claim`: in-process, and with the built binary (run `cd apps/cli && pnpm build` first) where
// real processes or the environment matter.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonl } from '@sase/beads';
import { describe, expect, it } from 'vitest';
import { createTempWorkspace, runCli } from '../../testing/run-cli.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const builtCli = join(repoRoot, 'apps', 'cli', 'dist', 'bin.cjs');

async function setUp(name = 'shop') {
  const cwd = createTempWorkspace(name);
  expect((await runCli(cwd, 'init')).code).toBe(0);
  return cwd;
}

/** Runs the built `sase` in `cwd` with exactly `env` (plus PATH), resolving to its exit code and output. */
function runBuilt(
  cwd: string,
  env: Record<string, string>,
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [builtCli, ...argv],
      { cwd, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('sase bead claim', () => {
  it('claims an open bead, is a no-op for its holder, and refuses it to anyone else naming the holder', async () => {
    const cwd = await setUp();
    await runCli(cwd, 'bead', 'create', '-t', 'Cart');
    const claimed = await runCli(cwd, 'bead', 'claim', '1', '--assignee', 'alice', '--json');
    expect(claimed.code).toBe(0);
    expect(JSON.parse(claimed.stdout)).toMatchObject({
      id: 'shop-1',
      status: 'in_progress',
      assignee: 'alice',
    });
    const again = await runCli(cwd, 'bead', 'claim', '1', '-a', 'alice');
    expect([again.code, again.stdout]).toEqual([
      0,
      expect.stringMatching(/^already claimed by alice: shop-1 /),
    ]);
    const refused = await runCli(cwd, 'bead', 'claim', '1', '-a', 'bob');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^sase: shop-1 is already claimed by "alice" .*\[ALREADY_CLAIMED\]\n$/);
  });

  it('refuses `update -s in_progress -a` on a bead someone else holds, unless --force', async () => {
    const cwd = await setUp();
    await runCli(cwd, 'bead', 'create', '-t', 'Cart');
    await runCli(cwd, 'bead', 'claim', '1', '-a', 'alice');
    const refused = await runCli(cwd, 'bead', 'update', '1', '-s', 'in_progress', '-a', 'bob');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('shop-1 is already claimed by "alice"');
    expect(refused.stderr).toContain('[ALREADY_CLAIMED]');
    const forced = await runCli(
      cwd,
      'bead',
      'update',
      '1',
      '-s',
      'in_progress',
      '-a',
      'bob',
      '--force',
      '--json',
    );
    expect(JSON.parse(forced.stdout)[0].assignee).toBe('bob');
  });

  it('--next takes the first ready bead, and exits 3 saying so when none is ready', async () => {
    const cwd = await setUp();
    await runCli(cwd, 'bead', 'create', '-t', 'a');
    await runCli(cwd, 'bead', 'create', '-t', 'b', '--deps', '1');
    const first = await runCli(cwd, 'bead', 'claim', '--next', '-a', 'w1', '--json');
    expect(JSON.parse(first.stdout)).toMatchObject({ id: 'shop-1', assignee: 'w1' });
    const none = await runCli(cwd, 'bead', 'claim', '--next', '-a', 'w2');
    expect(none.code).toBe(3);
    expect(none.stderr).toBe(
      'sase: nothing is ready to claim: 1 open bead(s) wait on a blocker (`sase bead blocked` shows which) and 1 are in progress [NOTHING_READY]\n',
    );
    const both = await runCli(cwd, 'bead', 'claim', '2', '--next', '-a', 'w2');
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('not both')]);
  });

  it('claims as $SASE_AGENT_NAME, else git user.name, else $USER', async () => {
    if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: build the CLI first`);
    const cwd = await setUp();
    for (let index = 0; index < 3; index++) await runCli(cwd, 'bead', 'create', '-t', `t${index}`);
    const claimAs = async (env: Record<string, string>) =>
      JSON.parse((await runBuilt(cwd, env, 'bead', 'claim', '--next', '--json')).stdout).assignee;
    const home = { HOME: cwd, XDG_CONFIG_HOME: join(cwd, 'xdg'), GIT_CONFIG_NOSYSTEM: '1' };
    expect(await claimAs({ ...home, SASE_AGENT_NAME: 'shop-7.1', USER: 'u' })).toBe('shop-7.1');
    execFileSync('git', ['config', 'user.name', 'Ada Lovelace'], { cwd });
    expect(await claimAs({ ...home, USER: 'u' })).toBe('Ada Lovelace');
    execFileSync('git', ['config', '--unset', 'user.name'], { cwd });
    expect(await claimAs({ ...home, USER: 'u' })).toBe('u');
  });

  it('8 processes looping `claim --next` on 50 ready beads claim each exactly once; JSONL and cache agree', async () => {
    if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: build the CLI first`);
    const cwd = await setUp('race');
    const lines = Array.from({ length: 50 }, (_, index) =>
      JSON.stringify({
        id: `race-${index + 1}`,
        title: `task ${index + 1}`,
        status: 'open',
        issue_type: 'plan',
        tier: 'plan',
        created_at: '2026-11-01T10:00:00.000Z',
        updated_at: '2026-11-01T10:00:00.000Z',
        dependencies: [],
      }),
    );
    const store = join(cwd, '.sase/sdd/beads');
    writeFileSync(join(store, 'issues.jsonl'), `${lines.join('\n')}\n`);
    writeFileSync(join(store, 'config.json'), '{"prefix":"race","next_counter":51}\n');
    const worker = async (name: string) => {
      const claimed: string[] = [];
      for (;;) {
        const result = await runBuilt(cwd, { SASE_AGENT_NAME: name }, 'bead', 'claim', '--next', '--json');
        if (result.code === 3) return claimed;
        if (result.code !== 0) throw new Error(`${name}: exit ${result.code}: ${result.stderr}`);
        claimed.push(JSON.parse(result.stdout).id);
      }
    };
    const names = Array.from({ length: 8 }, (_, index) => `agent-${index}`);
    const claims = await Promise.all(names.map(worker));
    const all = claims.flat();
    expect(all).toHaveLength(50);
    expect(new Set(all).size).toBe(50);
    const records = parseJsonl(readFileSync(join(store, 'issues.jsonl'), 'utf8')).map((line) => line.record);
    expect(records.map((record) => record.status)).toEqual(Array(50).fill('in_progress'));
    names.forEach((name, index) => {
      for (const id of claims[index]!)
        expect(records.find((record) => record.id === id)?.assignee).toBe(name);
    });
    // The cache (what list reads) agrees with the file, and so does a cache rebuilt from the file.
    const listed = async () =>
      (JSON.parse((await runCli(cwd, 'bead', 'list', '--json')).stdout) as typeof records).map((record) => [
        record.id,
        record.status,
        record.assignee,
      ]);
    const expected = records.map((record) => [record.id, record.status, record.assignee]);
    expect(await listed()).toEqual(expected);
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(store, `beads.db${suffix}`), { force: true });
    expect(await listed()).toEqual(expected);
  }, 300_000);
});
