// `sase bead merge`: the git merge driver of the bead store, run by a real `git merge` (with the built CLI:
// run `cd apps/cli && pnpm build` first) and in-process.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BeadRecord, parseJsonl, stringifyJsonl } from '@sase/beads';
import { describe, expect, it } from 'vitest';
import { createTempDir, createTempWorkspace, runCli } from '../../testing/run-cli.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const builtCli = join(repoRoot, 'apps', 'cli', 'dist', 'bin.cjs');

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

async function sase(cwd: string, ...argv: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCli(cwd, ...argv);
  if (code !== 0) throw new Error(`sase ${argv.join(' ')} exited ${code}: ${stderr}`);
  return stdout;
}

const T0 = '2026-11-01T10:00:00.000Z';
const record = (id: string, title: string, updated = T0): BeadRecord =>
  ({
    id,
    title,
    status: 'open',
    issue_type: 'plan',
    tier: 'plan',
    created_at: T0,
    updated_at: updated,
    dependencies: [],
  }) as BeadRecord;

describe('sase bead merge (the driver, in-process)', () => {
  it('writes the merge over OURS and reports renumbered ids and both-sides changes on stderr', async () => {
    const dir = createTempDir('sase-merge');
    const files = {
      base: stringifyJsonl([record('m-1', 'one')]),
      ours: stringifyJsonl([record('m-1', 'one (ours)', '2026-11-02T00:00:00.000Z'), record('m-2', 'ours')]),
      theirs: stringifyJsonl([
        record('m-1', 'one (theirs)', '2026-11-03T00:00:00.000Z'),
        record('m-2', 'theirs'),
      ]),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const result = await runCli(dir, 'bead', 'merge', 'base', 'ours', 'theirs', 'beads/issues.jsonl');
    expect(result.code).toBe(0);
    const merged = parseJsonl(readFileSync(join(dir, 'ours'), 'utf8')).map((line) => line.record);
    expect(merged.map((bead) => [bead.id, bead.title])).toEqual([
      ['m-1', 'one (theirs)'],
      ['m-2', 'ours'],
      ['m-3', 'theirs'],
    ]);
    expect(result.stderr).toBe(
      'sase bead merge: beads/issues.jsonl: their m-2 is now m-3 (both sides created m-2)\n' +
        'sase bead merge: beads/issues.jsonl: m-1 title changed on both sides; kept theirs (later updated_at): "one (theirs)"\n',
    );
  });

  it('warns about a blocks cycle the two sides close together', async () => {
    const dir = createTempDir('sase-merge');
    const on = (id: string, blocker: string) => ({
      ...record(id, id),
      dependencies: [{ id: blocker, type: 'blocks' as const }],
    });
    writeFileSync(join(dir, 'base'), stringifyJsonl([record('m-1', 'm-1'), record('m-2', 'm-2')]));
    writeFileSync(join(dir, 'ours'), stringifyJsonl([on('m-1', 'm-2'), record('m-2', 'm-2')]));
    writeFileSync(join(dir, 'theirs'), stringifyJsonl([record('m-1', 'm-1'), on('m-2', 'm-1')]));
    const result = await runCli(dir, 'bead', 'merge', 'base', 'ours', 'theirs', 'issues.jsonl');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^sase bead merge: issues\.jsonl: the merged dependencies close the blocks cycle m-\d → m-\d → m-\d; remove one edge with `sase bead dep rm`\n$/,
    );
  });

  it('leaves OURS untouched and exits 1 when an input is not a store file', async () => {
    const dir = createTempDir('sase-merge');
    const ours = stringifyJsonl([record('m-1', 'one')]);
    writeFileSync(join(dir, 'base'), ours);
    writeFileSync(join(dir, 'ours'), ours);
    writeFileSync(join(dir, 'theirs'), `${ours}{"id":"m-2",\n`);
    const result = await runCli(dir, 'bead', 'merge', 'base', 'ours', 'theirs', 'issues.jsonl');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^sase: issues\.jsonl \(theirs\):2: not valid JSON .*\[JSONL_PARSE\]\n$/);
    expect(readFileSync(join(dir, 'ours'), 'utf8')).toBe(ours);
  });

  it('says what it needs when called without files', async () => {
    const result = await runCli(createTempDir('sase-merge'), 'bead', 'merge');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('needs three files, BASE OURS THEIRS');
  });
});

describe('sase bead merge with git', () => {
  it('lets two branches that each created beads merge cleanly, with the id collision repaired', async () => {
    if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: build the CLI first`);
    const root = createTempWorkspace('merge');
    writeFileSync(join(root, 'sase.yml'), 'sdd:\n  version_controlled: true\nbeads:\n  prefix: g\n');
    await sase(root, 'init');
    const epic = JSON.parse(await sase(root, 'bead', 'create', '-t', 'Epic', '--tier', 'epic', '--json'));
    const installed = JSON.parse(
      await sase(
        root,
        'bead',
        'merge',
        '--install',
        '--json',
        '--command',
        `${process.execPath} ${builtCli} bead merge`,
      ),
    );
    expect(installed.attributes).toEqual(['sdd/beads/issues.jsonl', 'sdd/beads/config.json']);
    // Idempotent, and readable by git itself.
    await sase(root, 'bead', 'merge', '--install', '--command', `${process.execPath} ${builtCli} bead merge`);
    expect(readFileSync(join(root, '.gitattributes'), 'utf8')).toBe(
      'sdd/beads/issues.jsonl merge=sase-beads\nsdd/beads/config.json merge=sase-beads\n',
    );
    expect(git(root, 'config', 'merge.sase-beads.driver').trim()).toBe(
      `${process.execPath} ${builtCli} bead merge %O %A %B %P`,
    );
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'store');
    const mainBranch = git(root, 'rev-parse', '--abbrev-ref', 'HEAD').trim();
    git(root, 'branch', 'theirs');

    // Ours: a new plan (g-2), a phase, and a title change.
    await sase(root, 'bead', 'create', '-t', 'Ours: billing');
    await sase(root, 'bead', 'create', '-t', 'Ours: phase', '--parent', epic.id);
    await sase(root, 'bead', 'update', epic.id, '-t', 'Epic, renamed');
    git(root, 'commit', '-qam', 'ours');

    // Theirs: also a g-2 (a different bead), a phase, and the epic closed.
    git(root, 'checkout', '-q', 'theirs');
    await sase(root, 'bead', 'create', '-t', 'Theirs: search');
    await sase(root, 'bead', 'create', '-t', 'Theirs: phase', '--parent', epic.id);
    await sase(root, 'bead', 'close', epic.id, '-r', 'shipped');
    git(root, 'commit', '-qam', 'theirs');

    git(root, 'checkout', '-q', mainBranch);
    git(root, 'merge', '-q', '--no-edit', 'theirs');
    // Both sides counted to 3, so git took config.json as it was, without the driver: the counter the
    // renumbered g-3 needs is raised in the working tree, to be committed with the next change.
    expect(git(root, 'status', '--porcelain')).toBe(' M sdd/beads/config.json\n');

    const beads = JSON.parse(await sase(root, 'bead', 'list', '--json')) as { id: string; title: string }[];
    expect(beads.map((bead) => [bead.id, bead.title])).toEqual([
      ['g-1', 'Epic, renamed'],
      ['g-1.1', 'Ours: phase'],
      ['g-1.2', 'Theirs: phase'],
      ['g-2', 'Ours: billing'],
      ['g-3', 'Theirs: search'],
    ]);
    const [merged] = JSON.parse(await sase(root, 'bead', 'show', 'g-1', '--json'));
    expect(merged).toMatchObject({ status: 'closed', close_reason: 'shipped' });
    // The counter moved past every id, the renumbered one included: doctor has nothing to say.
    expect(JSON.parse(readFileSync(join(root, 'sdd/beads/config.json'), 'utf8')).next_counter).toBe(4);
    expect(JSON.parse(await sase(root, 'bead', 'doctor', '--json')).problems).toEqual([]);
    expect(JSON.parse(await sase(root, 'bead', 'create', '-t', 'after', '--json')).id).toBe('g-4');
  });

  it('raises next_counter past a renumbered id in the merge commit itself when both sides changed config.json', async () => {
    if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: build the CLI first`);
    const root = createTempWorkspace('merge-counter');
    writeFileSync(join(root, 'sase.yml'), 'sdd:\n  version_controlled: true\nbeads:\n  prefix: g\n');
    await sase(root, 'init');
    await sase(root, 'bead', 'merge', '--install', '--command', `${process.execPath} ${builtCli} bead merge`);
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'store');
    const mainBranch = git(root, 'rev-parse', '--abbrev-ref', 'HEAD').trim();
    git(root, 'branch', 'theirs');
    await sase(root, 'bead', 'create', '-t', 'Ours: one'); // g-1
    await sase(root, 'bead', 'create', '-t', 'Ours: two'); // g-2, counter 3
    git(root, 'commit', '-qam', 'ours');
    git(root, 'checkout', '-q', 'theirs');
    await sase(root, 'bead', 'create', '-t', 'Theirs: one'); // g-1, counter 2
    git(root, 'commit', '-qam', 'theirs');
    git(root, 'checkout', '-q', mainBranch);
    git(root, 'merge', '-q', '--no-edit', 'theirs');
    expect(git(root, 'status', '--porcelain')).toBe('');
    const committed = JSON.parse(git(root, 'show', 'HEAD:sdd/beads/config.json'));
    expect(committed.next_counter).toBe(4);
    const beads = JSON.parse(await sase(root, 'bead', 'list', '--json')) as { id: string; title: string }[];
    expect(beads.map((bead) => [bead.id, bead.title])).toEqual([
      ['g-1', 'Ours: one'],
      ['g-2', 'Ours: two'],
      ['g-3', 'Theirs: one'],
    ]);
    expect(JSON.parse(await sase(root, 'bead', 'doctor', '--json')).problems).toEqual([]);
  });

  it("installs into the SDD root's own repository when the store is not version controlled", async () => {
    const root = createTempWorkspace('standalone');
    await sase(root, 'init');
    const before = await runCli(root, 'bead', 'merge', '--install');
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('has no git repository yet; create it with `sase sdd init`');
    await sase(root, 'sdd', 'init');
    await sase(root, 'bead', 'merge', '--install');
    expect(readFileSync(join(root, '.sase/sdd/.gitattributes'), 'utf8')).toBe(
      'beads/issues.jsonl merge=sase-beads\nbeads/config.json merge=sase-beads\n',
    );
    // The driver runs this CLI by absolute path: it works without `sase` on git's PATH.
    expect(git(join(root, '.sase/sdd'), 'config', 'merge.sase-beads.driver').trim()).toBe(
      `'${process.execPath}' '${builtCli}' bead merge %O %A %B %P`,
    );
  });
});
