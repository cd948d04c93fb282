import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChangeSpec, createSddStore } from '@sase/sdd';
import { describe, expect, it } from 'vitest';
import { createTempWorkspace, runCli } from '../../testing/run-cli.js';

const SHA = 'a'.repeat(40);

/** A workspace with SASE set up and one ChangeSpec, `p-1.1` (status wip), as the supervisor writes it. */
async function workspaceWithChange(): Promise<string> {
  const cwd = createTempWorkspace('changes');
  execFileSync(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@l', 'commit', '-q', '--allow-empty', '-m', 'init'],
    {
      cwd,
    },
  );
  expect((await runCli(cwd, 'init', '--prefix', 'p')).code).toBe(0);
  expect((await runCli(cwd, 'sdd', 'init')).code).toBe(0);
  const change: ChangeSpec = {
    name: 'p-1.1',
    description: 'Schema',
    bead: null,
    plan: null,
    parent: [],
    branch: 'sase/p-1.1',
    base: SHA,
    status: 'wip',
    pr: null,
    bug: null,
    commits: [{ sha: SHA, subject: 'p-1.1: Schema', chat: null, diff: null, plan: null }],
    hooks: [],
    comments: [],
    timestamps: [{ time: '2026-11-28T07:00:00.000Z', status: 'wip' }],
  };
  createSddStore({ workspaceRoot: cwd }).writeChangeSpec(change);
  return cwd;
}

describe('sase change', () => {
  it('walks the lifecycle through every valid move, and refuses the others naming the valid ones', async () => {
    const cwd = await workspaceWithChange();
    const refused = await runCli(cwd, 'change', 'status', 'p-1.1', 'mailed');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'sase: change p-1.1: cannot move from wip to mailed; valid moves from wip: draft, ready, archived [CHANGE_STATUS_INVALID]\n',
    );
    for (const status of ['draft', 'ready', 'draft', 'ready', 'mailed', 'submitted', 'reverted']) {
      const moved = await runCli(cwd, 'change', 'status', 'p-1.1', status);
      expect(moved.stdout, status).toBe(`p-1.1: ${status}\n`);
    }
    const terminal = await runCli(cwd, 'change', 'status', 'p-1.1', 'archived');
    expect(terminal.stderr).toMatch(/cannot move .*reverted.*terminal/);
    const unknown = await runCli(cwd, 'change', 'status', 'p-1.1', 'done');
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain(
      'a change is one of wip, draft, ready, mailed, submitted, reverted, archived',
    );

    const shown = JSON.parse((await runCli(cwd, 'change', 'show', 'p-1.1', '--json')).stdout);
    expect(Object.keys(shown)).toEqual([
      'name',
      'description',
      'bead',
      'plan',
      'parent',
      'branch',
      'base',
      'status',
      'pr',
      'bug',
      'commits',
      'hooks',
      'mentors',
      'comments',
      'timestamps',
      'path',
    ]);
    expect(shown.timestamps.map((stamp: { status: string }) => stamp.status)).toEqual([
      'wip',
      'draft',
      'ready',
      'draft',
      'ready',
      'mailed',
      'submitted',
      'reverted',
    ]);
    // The standalone SDD repository recorded each move.
    const log = execFileSync('git', ['log', '--format=%s'], {
      cwd: join(cwd, '.sase', 'sdd'),
      encoding: 'utf8',
    });
    expect(log).toContain('changes: p-1.1 reverted');
  });

  it('lists, shows and comments', async () => {
    const cwd = await workspaceWithChange();
    expect((await runCli(cwd, 'change', 'comment', 'p-1.1', 'looks', 'good')).code).toBe(0);
    const list = await runCli(cwd, 'change', 'list');
    expect(list.stdout).toBe('NAME   STATUS     COMMITS  CHECKS\np-1.1  wip        1\n');
    expect((await runCli(cwd, 'change', 'list', '--status', 'ready')).stdout).toBe('no ready changes\n');
    const shown = await runCli(cwd, 'change', 'show', 'p-1.1');
    expect(shown.stdout).toContain('p-1.1: Schema\n  status  wip\n');
    expect(shown.stdout).toMatch(/comments:\n {2}\S+ .+: looks good\n/);
    const missing = await runCli(cwd, 'change', 'show', 'p-9');
    expect(missing.stderr).toContain('[CHANGE_NOT_FOUND]');
    expect((await runCli(cwd, 'sdd', 'list', '-k', 'changes')).stdout).toMatch(
      /changes\/\d{6}\/p-1\.1\.md +wip/,
    );
  });

  it('refuses to land an epic that was never worked', async () => {
    const cwd = await workspaceWithChange();
    expect((await runCli(cwd, 'bead', 'create', '-t', 'Epic', '--tier', 'epic')).code).toBe(0);
    const land = await runCli(cwd, 'change', 'land', '1');
    expect(land.code).toBe(1);
    expect(land.stderr).toContain('[NO_RUN]');
  });
});

describe('sase bead work refuses up front', () => {
  it('without a launcher (NO_LAUNCHER), and with an unknown one, also under --dry-run', async () => {
    const cwd = await workspaceWithChange();
    expect((await runCli(cwd, 'bead', 'create', '-t', 'Epic', '--tier', 'epic')).code).toBe(0);
    expect((await runCli(cwd, 'bead', 'create', '-t', 'Phase', '--parent', '1')).code).toBe(0);
    const none = await runCli(cwd, 'bead', 'work', '1');
    expect(none).toMatchObject({ code: 1, stdout: '' });
    expect(none.stderr).toBe(
      'sase: no launcher configured: set launcher.default in sase.yml or pass --launcher [NO_LAUNCHER]\n',
    );
    for (const argv of [[], ['--dry-run']]) {
      const unknown = await runCli(cwd, 'bead', 'work', '1', '--launcher', 'nosuch', ...argv);
      expect(unknown.code, argv.join(' ')).toBe(1);
      expect(unknown.stderr, argv.join(' ')).toContain('unknown launcher "nosuch"');
    }
    writeFileSync(join(cwd, 'sase.yml'), 'launcher:\n  default: shell\n  shell:\n    comand: [./agent.sh]\n');
    const typo = await runCli(cwd, 'bead', 'work', '1', '--dry-run');
    expect(typo.stderr).toMatch(
      /sase\.yml:4: unknown key "launcher\.shell\.comand"; valid keys of launcher\.shell: /,
    );
    // Nothing was started or claimed.
    writeFileSync(join(cwd, 'sase.yml'), '');
    const beads = JSON.parse((await runCli(cwd, 'bead', 'list', '--json')).stdout) as { status: string }[];
    expect(beads.map((bead) => bead.status)).toEqual(['open', 'open']);
  });
});
