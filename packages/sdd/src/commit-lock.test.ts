// Commits from several processes at once (sase plan, sase sdd commit and the supervisor all commit in the
// standalone SDD repository): each one must land, none may replace another's ref update. The children run
// the built package (`pnpm build` first), as separate processes do.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, onTestFinished } from 'vitest';
import { createSddStore } from './index.js';

const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

it('serialises commits of several processes: every commit lands, on one line of history', async () => {
  if (!existsSync(built)) throw new Error(`${built} is missing: build @sase/sdd first`);
  const workspaceRoot = mkdtempSync(join(tmpdir(), 'sase-sdd-lock-'));
  onTestFinished(() => rmSync(workspaceRoot, { recursive: true, force: true }));
  const store = createSddStore({ workspaceRoot, env: { HOME: workspaceRoot } });
  await store.init();
  const writers = 6;
  const rounds = 4;
  const script = `
    import { writeFileSync } from 'node:fs';
    import { join } from 'node:path';
    const { createSddStore } = await import(${JSON.stringify(built)});
    await import('isomorphic-git'); // loaded before the start line, so that the commits really overlap
    const [root, index, startAt] = process.argv.slice(1);
    const store = createSddStore({ workspaceRoot: root, env: { HOME: root } });
    await new Promise((resolve) => setTimeout(resolve, Number(startAt) - Date.now()));
    const made = [];
    for (let round = 0; round < ROUNDS; round++) {
      writeFileSync(join(store.root, 'note-' + index + '-' + round + '.txt'), 'from writer ' + index + '\\n');
      made.push(await store.commit('writer ' + index + ', round ' + round));
    }
    process.stdout.write(JSON.stringify(made));
  `.replace('ROUNDS', String(rounds));
  const startAt = String(Date.now() + 2000);
  const results = await Promise.all(
    Array.from(
      { length: writers },
      (_, index) =>
        new Promise<{ code: number | null; commits: (string | null)[] }>((resolve) => {
          const child = spawn(
            process.execPath,
            ['--input-type=module', '-e', script, workspaceRoot, String(index), startAt],
            { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('..', import.meta.url)) },
          );
          let out = '';
          child.stdout.on('data', (chunk) => {
            out += chunk;
          });
          child.on('exit', (code) => resolve({ code, commits: out === '' ? [] : JSON.parse(out) }));
        }),
    ),
  );
  expect(results.map((result) => result.code)).toEqual(Array(writers).fill(0));
  const git = (...args: string[]) => execFileSync('git', ['-C', store.root, ...args], { encoding: 'utf8' });
  const files = git('ls-files').split('\n');
  for (let index = 0; index < writers; index++)
    for (let round = 0; round < rounds; round++) expect(files).toContain(`note-${index}-${round}.txt`);
  expect(git('status', '--porcelain')).toBe('');
  git('fsck', '--no-progress');
  // Every commit a writer made is in the history (none was dropped by another's ref update), and the
  // history is one line.
  const commits = results.flatMap((result) => result.commits).filter((commit) => commit !== null);
  expect(commits.length).toBeGreaterThan(0);
  for (const commit of commits) expect(git('branch', '--contains', commit!).trim()).toBe('* main');
  const parents = git('log', '--format=%p').trim().split('\n');
  expect(parents.every((line) => line.split(' ').filter(Boolean).length <= 1)).toBe(true);
});
