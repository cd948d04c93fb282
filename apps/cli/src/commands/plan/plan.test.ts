import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBeadStore } from '@sase/beads';
import { describe, expect, it } from 'vitest';
import { Command } from '../../commander.js';
import { CliRuntime } from '../../runtime.js';
import { plannerAgentScript } from '../../testing/planner-agent.js';
import { captureIo, createTempDir } from '../../testing/run-cli.js';
import { planApprove } from './approve.js';
import { registerPlan } from './register.js';
import { planSubmit } from './submit.js';

function workspace(config = '') {
  const base = createTempDir('sase-plan-cli');
  const cwd = join(base, 'shop');
  const home = join(base, 'home');
  mkdirSync(cwd);
  mkdirSync(home);
  writeFileSync(join(cwd, 'sase.yml'), config);
  const env = { HOME: home, USER: 'tester', PATH: process.env.PATH };
  return { cwd, home, env };
}

const epic = `---
phases:
  - {id: db, title: Database}
  - {id: api, title: API, depends_on: [db]}
---
# Auth rework

Plan body.
`;

describe('sase plan submit / approve', () => {
  it('submits, resubmits with Q&A, and approves an epic (standalone mode)', async () => {
    const { cwd, home, env } = workspace();
    writeFileSync(join(cwd, 'PLAN.md'), epic);
    writeFileSync(join(cwd, 'prompt.md'), '%model:claude/opus\nRework the auth layer.\n');
    writeFileSync(join(cwd, 'qa.md'), 'Q: Which DB?\nA: Postgres.\n');
    const io = captureIo();
    const base = { cwd, io, env, file: 'PLAN.md', tier: 'epic' };
    expect(await planSubmit({ ...base, json: true, prompt: 'prompt.md' })).toBe(0);
    const first = JSON.parse(io.out);
    expect(first).toMatchObject({
      plan: expect.stringMatching(/^\.sase\/sdd\/epics\/\d{6}\/auth-rework\.md$/),
      prompt: expect.stringMatching(/^\.sase\/sdd\/prompts\/\d{6}\/auth-rework\.md$/),
      round: 1,
    });
    expect(existsSync(join(home, '.sase', '.ace_refresh_pulse'))).toBe(true);
    const planText = readFileSync(join(cwd, first.plan), 'utf8');
    expect(planText).toContain('model: claude/opus');
    expect(readFileSync(join(cwd, first.prompt), 'utf8')).toBe(
      `---\nplan: ${first.plan.slice('.sase/sdd/'.length)}\n---\nRework the auth layer.\n`,
    );

    io.out = '';
    expect(await planSubmit({ ...base, json: false, qa: 'qa.md' })).toBe(0);
    expect(io.out).toContain('round 2');
    expect(readFileSync(join(cwd, first.plan), 'utf8')).toContain('1. Q: Which DB?\n   A: Postgres.\n');

    io.out = '';
    expect(await planApprove({ cwd, io, env, json: true, plan: 'auth-rework', by: 'Ada' })).toBe(0);
    expect(JSON.parse(io.out)).toEqual({
      plan: first.plan,
      bead: 'shop-1',
      phases: ['shop-1.1', 'shop-1.2'],
      already_approved: false,
      agent: null,
      outcome: null,
      next_attempt: null,
      work_started: [],
    });
    io.out = '';
    expect(await planApprove({ cwd, io, env, json: false, plan: first.plan })).toBe(0);
    expect(io.out).toContain('already approved as shop-1');

    const beads = openBeadStore({ dir: join(cwd, '.sase', 'sdd', 'beads') });
    expect(beads.blocked().map((entry) => [entry.bead.id, entry.blockedBy])).toEqual([
      ['shop-1.2', ['shop-1.1']],
    ]);
    beads.dispose();
    const log = execFileSync('git', ['-C', join(cwd, '.sase', 'sdd'), 'log', '--format=%s'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: home },
    });
    expect(log.trim().split('\n')).toEqual([
      expect.stringMatching(/^plan: approve epics\/\d{6}\/auth-rework as shop-1$/),
      expect.stringMatching(/^plan: submit epics\/\d{6}\/auth-rework \(round 2\)$/),
      expect.stringMatching(/^plan: submit epics\/\d{6}\/auth-rework \(round 1\)$/),
      'sdd: init',
    ]);
  });

  it('reads the prompt from stdin, the agent artifacts dir, and honours sase.yml', async () => {
    const { cwd, env } = workspace('sdd:\n  version_controlled: true\nbeads:\n  prefix: shp\n');
    writeFileSync(join(cwd, 'PLAN.md'), '# Fix login\n');
    const io = captureIo();
    await planSubmit({
      cwd,
      io,
      env,
      json: true,
      file: 'PLAN.md',
      tier: 'tale',
      prompt: '-',
      readStdin: async () => 'from stdin\n',
    });
    const result = JSON.parse(io.out);
    expect(result.plan).toMatch(/^sdd\/tales\/\d{6}\/fix-login\.md$/);
    expect(result.commit).toBeNull();
    expect(readFileSync(join(cwd, result.prompt), 'utf8')).toContain('from stdin');

    const artifacts = join(cwd, '.sase', 'agents', 'planner');
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'prompt.md'), 'the agent prompt\n');
    io.out = '';
    await planSubmit({
      cwd,
      io,
      env: { ...env, SASE_ARTIFACTS_DIR: artifacts },
      json: true,
      file: 'PLAN.md',
      tier: 'tale',
      name: 'other',
    });
    expect(readFileSync(join(cwd, JSON.parse(io.out).prompt), 'utf8')).toContain('the agent prompt');

    io.out = '';
    await planApprove({ cwd, io, env, json: true, plan: 'fix-login' });
    expect(JSON.parse(io.out)).toMatchObject({ bead: 'shp-1', phases: [] });
  });

  it('throws coded errors for user mistakes', async () => {
    const { cwd, env } = workspace();
    writeFileSync(join(cwd, 'PLAN.md'), '# X\n');
    const io = captureIo();
    const base = { cwd, io, env, json: false, file: 'PLAN.md', tier: 'tale' };
    await expect(planSubmit({ ...base, file: 'missing.md', prompt: 'p' })).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    await expect(planSubmit({ ...base })).rejects.toMatchObject({ code: 'PROMPT_REQUIRED' });
    await expect(planSubmit({ ...base, file: '-', prompt: '-' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(planSubmit({ ...base, name: 'a/b', prompt: 'PLAN.md' })).rejects.toMatchObject({
      code: 'INVALID_PLAN_NAME',
    });
    await expect(planApprove({ cwd, io, env, json: false, plan: 'nothing' })).rejects.toMatchObject({
      code: 'PLAN_NOT_FOUND',
    });
  });

  it('registers the commands with their options, loading modules lazily', async () => {
    const { cwd, env } = workspace();
    writeFileSync(join(cwd, 'PLAN.md'), '# From argv\n');
    writeFileSync(join(cwd, 'p.md'), 'prompt\n');
    const io = captureIo();
    const program = new Command('sase')
      .exitOverride()
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    const runtime = new CliRuntime(io, () => cwd);
    registerPlan(program, runtime);
    const previousHome = process.env.HOME;
    process.env.HOME = env.HOME;
    try {
      await program.parseAsync(
        ['plan', 'submit', 'PLAN.md', '--tier', 'tale', '--prompt', 'p.md', '--json'],
        { from: 'user' },
      );
    } finally {
      process.env.HOME = previousHome;
    }
    expect(runtime.exitCode).toBe(0);
    expect(JSON.parse(io.out).plan).toMatch(/from-argv\.md$/);
    await expect(program.parseAsync(['plan', 'submit', 'PLAN.md'], { from: 'user' })).rejects.toThrow(
      /--tier/,
    );
    const approve = program.commands
      .find((command) => command.name() === 'plan')
      ?.commands.map((command) => command.name());
    expect(approve).toEqual(['submit', 'approve', 'reject', 'show', 'list']);
  });
});

describe('the plan-approval loop, end to end (the built CLI, a real supervisor and shell agents)', () => {
  const repo = join(import.meta.dirname, '../../../../..');
  const sase = join(repo, 'apps/cli/dist/bin.cjs');

  it('a %plan agent submits, stops in `plan`, is rejected with feedback, plans again, is approved and implements', async () => {
    const { runCli } = await import('../../testing/run-cli.js');
    const { cwd, home } = workspace();
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd });
    execFileSync(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@l', 'commit', '-q', '--allow-empty', '-m', 'init'],
      { cwd },
    );
    writeFileSync(join(cwd, 'agent.sh'), plannerAgentScript(sase));
    writeFileSync(
      join(cwd, 'sase.yml'),
      `launcher:\n  default: shell\n  shell:\n    command: [sh, ${JSON.stringify(join(cwd, 'agent.sh'))}]\n    env: {HOME: ${JSON.stringify(home)}}\naxe:\n  poll_ms: 200\n`,
    );
    const previousHome = process.env.HOME;
    process.env.HOME = home;
    try {
      expect((await runCli(cwd, 'init', '--prefix', 'up')).code).toBe(0);
      const submitted = await runCli(
        cwd,
        'run',
        '--wait',
        '%name:uploader %plan\nMake the upload reliable.\n---\n%name:after %wait:uploader\necho after',
      );
      expect(submitted.code, submitted.stderr).toBe(0);
      expect(submitted.stderr).toContain('uploader submitted a plan that awaits approval');
      const listed = JSON.parse((await runCli(cwd, 'agent', 'list', '--json')).stdout);
      expect(listed).toEqual([
        expect.objectContaining({ name: 'after', state: 'waiting', reason: 'uploader awaits plan approval' }),
        expect.objectContaining({ name: 'uploader', state: 'plan' }),
      ]);
      const plans = JSON.parse((await runCli(cwd, 'plan', 'list', '--json')).stdout);
      expect(plans).toEqual([expect.objectContaining({ state: 'awaiting', agent: 'uploader', round: 1 })]);

      const rejected = await runCli(
        cwd,
        'plan',
        'reject',
        'retry-the-upload',
        '--feedback',
        'Back off.',
        '--by',
        'bob',
      );
      expect(rejected.stdout).toContain('agent uploader plans again with the feedback (attempt 2)');
      expect((await runCli(cwd, 'agent', 'wait', 'uploader')).code).toBe(0);
      const shown = JSON.parse((await runCli(cwd, 'plan', 'show', 'retry-the-upload', '--json')).stdout);
      expect(shown).toMatchObject({
        state: 'awaiting',
        round: 2,
        reviews: [expect.objectContaining({ by: 'bob' })],
      });
      expect(shown.body).toContain('Add a backoff.');

      const approved = await runCli(cwd, 'plan', 'approve', 'retry-the-upload', '--json');
      expect(JSON.parse(approved.stdout)).toMatchObject({
        agent: 'uploader',
        outcome: 'plan_approved',
        next_attempt: 3,
      });
      const waited = await runCli(cwd, 'agent', 'wait', 'after');
      expect(waited.code, waited.stderr).toBe(0);
      expect(readFileSync(join(cwd, 'implemented-uploader.md'), 'utf8')).toContain(
        '## Implement the approved plan',
      );
      const final = JSON.parse((await runCli(cwd, 'agent', 'list', '--json')).stdout);
      expect(final).toEqual([
        expect.objectContaining({ name: 'after', state: 'completed' }),
        expect.objectContaining({ name: 'uploader', state: 'completed', attempt: 3 }),
      ]);
    } finally {
      await runCli(cwd, 'axe', 'stop');
      process.env.HOME = previousHome;
    }
  }, 120_000);
});
