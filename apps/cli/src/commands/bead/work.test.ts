// `sase bead work` end to end (SPEC sections 7 and 9): real bead stores, real agent registries, the real
// detached supervisor (the built CLI: run `cd apps/cli && pnpm build` first), real git worktrees and real
// agent processes started by the shell launcher. Most tests use scripts/demo-agent.mjs: a phase agent reads
// its bead, writes src/<bead>.md in its worktree (odd phases commit it themselves) and closes its bead; the
// land agent runs `sase change land`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AgentState, agentStates, createRegistry, readSupervisorStatus } from '@sase/scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempWorkspace, runCli } from '../../testing/run-cli.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const demoAgent = join(repoRoot, 'scripts', 'demo-agent.mjs');
const builtCli = join(repoRoot, 'apps', 'cli', 'dist', 'bin.cjs');

const TIMEOUT = 120_000;

// The plan of every epic test: five phases with a diamond (hashing and sessions both need the schema; the
// endpoint needs both). Approving it makes bw-1 and its phases bw-1.1 … bw-1.5, in this order.
const PLAN = `---
title: Login rework
phases:
  - {id: schema, title: Schema migration, depends_on: [], description: Add the credentials table., model: opus}
  - {id: hashing, title: Password hashing, depends_on: [schema], description: Hash with scrypt.}
  - {id: sessions, title: Session tokens, depends_on: [schema], description: Signed and expiring tokens.}
  - {id: endpoint, title: Login endpoint, depends_on: [hashing, sessions], description: POST /login.}
  - {id: docs, title: Documentation, depends_on: [endpoint], description: Document the flow.}
---
# Login rework

Replace the legacy login with hashed passwords and signed session tokens.
`;
const EPIC = 'bw-1';
const SCHEMA = 'bw-1.1';
const HASHING = 'bw-1.2';
const SESSIONS = 'bw-1.3';
const ENDPOINT = 'bw-1.4';
const DOCS = 'bw-1.5';
const PHASES = [SCHEMA, HASHING, SESSIONS, ENDPOINT, DOCS];
const TITLES: Record<string, string> = {
  [SCHEMA]: 'Schema migration',
  [HASHING]: 'Password hashing',
  [SESSIONS]: 'Session tokens',
  [ENDPOINT]: 'Login endpoint',
  [DOCS]: 'Documentation',
};
/** The diamond: the agents each phase agent waits on when every phase is scheduled. */
const DIAMOND_WAITS: Record<string, string[]> = {
  [SCHEMA]: [],
  [HASHING]: [SCHEMA],
  [SESSIONS]: [SCHEMA],
  [ENDPOINT]: [HASHING, SESSIONS],
  [DOCS]: [ENDPOINT],
};

// Every command (in-process, the supervisor, the agents) gets a HOME of its own: `sase plan submit` touches
// ~/.sase and the xprompt catalog reads ~/.xprompts.
const savedEnv: Record<string, string | undefined> = {};
beforeAll(() => {
  if (!existsSync(builtCli)) {
    throw new Error(`${builtCli} is missing: build the CLI first (cd apps/cli && pnpm build)`);
  }
  for (const name of ['HOME', 'SASE_ARTIFACTS_DIR', 'SASE_AGENT_NAME', 'SASE_BEAD_ID', 'DEMO_FAIL_PHASE']) {
    savedEnv[name] = process.env[name];
    delete process.env[name];
  }
  process.env.HOME = mkdtempSync(join(tmpdir(), 'sase-bead-work-home-'));
});
afterAll(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

type Result = Awaited<ReturnType<typeof runCli>>;

/** `sase <argv>` in cwd, expecting exit 0 (the failure message shows what the command printed). */
async function sase(cwd: string, ...argv: string[]): Promise<Result> {
  const result = await runCli(cwd, ...argv);
  expect(result.code, `sase ${argv.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
  return result;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

/** sase.yml: the shell launcher runs `command` (with `env` in its settings). */
function writeConfig(cwd: string, command: readonly string[], env?: Record<string, string>): void {
  const lines = ['launcher:', '  default: shell', '  shell:', `    command: ${JSON.stringify(command)}`];
  if (env) lines.push(`    env: ${JSON.stringify(env)}`);
  lines.push('axe:', '  poll_ms: 250', '');
  writeFileSync(join(cwd, 'sase.yml'), lines.join('\n'));
}

const DEMO_COMMAND = [process.execPath, demoAgent];

/** A git checkout with SASE set up (prefix bw): the demo agent as the shell launcher's command. */
async function createWorkspace(command: readonly string[] = DEMO_COMMAND, env?: Record<string, string>) {
  const cwd = createTempWorkspace('ws');
  git(cwd, 'config', 'user.name', 'Bead Work Test');
  git(cwd, 'config', 'user.email', 'bead-work@localhost');
  git(cwd, 'commit', '-q', '--allow-empty', '-m', 'init');
  writeConfig(cwd, command, env);
  await sase(cwd, 'init', '--prefix', 'bw');
  return cwd;
}

/** createWorkspace, plus the diamond epic planned and approved through `sase plan` (bw-1, bw-1.1 … bw-1.5). */
async function createEpicWorkspace(command: readonly string[] = DEMO_COMMAND, env?: Record<string, string>) {
  const cwd = await createWorkspace(command, env);
  writeFileSync(join(cwd, 'plan.md'), PLAN);
  writeFileSync(
    join(cwd, 'prompt.md'),
    'Plan a rework of the login: hashing, sessions, an endpoint, docs.\n',
  );
  await sase(cwd, 'plan', 'submit', 'plan.md', '--tier', 'epic', '--prompt', 'prompt.md');
  const approved = JSON.parse((await sase(cwd, 'plan', 'approve', 'login-rework', '--json')).stdout);
  expect(approved).toMatchObject({ bead: EPIC, phases: PHASES });
  return cwd;
}

/** Runs `body`, then always stops the workspace's supervisor (and with it every agent it runs). */
async function withSupervisorStopped<T>(cwd: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    const stop = await runCli(cwd, 'axe', 'stop');
    expect(stop.code, stop.stderr).toBe(0);
  }
}

interface BeadJson {
  id: string;
  title: string;
  status: string;
  assignee?: string;
  notes?: string;
  is_ready_to_work?: boolean;
  close_reason?: string;
}

async function beads(cwd: string): Promise<Record<string, BeadJson>> {
  const list = JSON.parse((await sase(cwd, 'bead', 'list', '--json')).stdout) as BeadJson[];
  return Object.fromEntries(list.map((bead) => [bead.id, bead]));
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function agentDir(cwd: string, name: string): string {
  return join(cwd, '.sase', 'agents', name);
}

function requestOf(cwd: string, name: string): Record<string, unknown> {
  return readJson(join(agentDir(cwd, name), 'request.json'));
}

function statesOf(cwd: string): Record<string, AgentState> {
  return Object.fromEntries(agentStates(createRegistry(cwd)).map((state) => [state.name, state]));
}

/** Every file and directory under `dir` with the bytes of each file ({} when dir does not exist). */
function snapshotTree(dir: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (relative: string) => {
    const absolute = join(dir, relative);
    for (const entry of readdirSync(absolute).sort()) {
      const path = relative === '' ? entry : `${relative}/${entry}`;
      if (statSync(join(dir, path)).isDirectory()) {
        tree[`${path}/`] = '<dir>';
        walk(path);
      } else {
        tree[path] = readFileSync(join(dir, path)).toString('base64');
      }
    }
  };
  if (existsSync(dir)) walk('');
  return tree;
}

/** The bytes that `sase bead work --dry-run` must leave alone: the bead JSONL and the agent registry. */
function snapshotState(cwd: string): { jsonl: string; agents: Record<string, string> } {
  return {
    jsonl: readFileSync(join(cwd, '.sase', 'sdd', 'beads', 'issues.jsonl')).toString('base64'),
    agents: snapshotTree(join(cwd, '.sase', 'agents')),
  };
}

function commitSubjects(cwd: string, ...revisions: string[]): string[] {
  return git(cwd, 'log', '--format=%s', ...revisions)
    .trim()
    .split('\n');
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('sase bead work', () => {
  it(
    'does the six steps: validates, sets is_ready_to_work, pre-claims, runs the diamond and lands the epic',
    async () => {
      const cwd = await createEpicWorkspace();
      expect((await beads(cwd))[EPIC]?.is_ready_to_work).not.toBe(true);

      const run = await withSupervisorStopped(cwd, () => sase(cwd, 'bead', 'work', '1', '--wait'));
      // The wave table first, then the agents' final states.
      expect(run.stdout).toMatch(
        /^WAVE +AGENT +TITLE +MODEL +WAITS ON\n0 +bw-1\.1 +Schema migration +opus\n/,
      );
      expect(run.stdout).toMatch(/\nland +bw-1 +land the epic +every phase\n/);

      // Every agent completed, each in one attempt.
      const states = statesOf(cwd);
      expect(Object.keys(states).sort()).toEqual([EPIC, ...PHASES].sort());
      for (const name of [EPIC, ...PHASES]) {
        expect(states[name], name).toMatchObject({ state: 'completed', attempt: 1, exitCode: 0 });
        expect(existsSync(join(agentDir(cwd, name), 'attempts')), name).toBe(false);
      }

      // Step 6: one segment per phase, with its bead, the diamond's waits, %approve and the bead's model,
      // and the built-in xprompt's text as the prompt; then the land agent waiting on every phase.
      for (const phase of PHASES) {
        const request = requestOf(cwd, phase);
        expect(request, phase).toMatchObject({
          name: phase,
          attempt: 1,
          bead_id: phase,
          waits: DIAMOND_WAITS[phase],
          approve: true,
          launcher: 'shell',
          model: phase === SCHEMA ? 'opus' : null,
          directives: { name: phase, force_reuse: true, approve: true },
        });
        expect(request.prompt).toContain(`Your work unit is bead ${phase}, one phase of an epic.`);
        expect(request.prompt).toContain(`sase bead close ${phase}`);
        expect(request.prompt).not.toContain('#bead/work_phase');
      }
      const land = requestOf(cwd, EPIC);
      expect(land).toMatchObject({ name: EPIC, bead_id: EPIC, waits: PHASES, approve: true });
      expect(land.prompt).toContain(`You are the SASE land agent of epic ${EPIC}.`);

      // Each phase agent worked in its own worktree, on its branch, from the run's base commit with its
      // blocker phases' branches merged in (id order).
      const base = git(cwd, 'rev-list', '--max-parents=0', 'HEAD').trim();
      for (const phase of PHASES) {
        expect(requestOf(cwd, phase).worktree, phase).toEqual({
          base,
          merge: DIAMOND_WAITS[phase]!.map((blocker) => `sase/${blocker}`),
        });
      }
      expect(requestOf(cwd, EPIC).worktree).toBeNull();

      // Steps 3 and 5, and the outcome: the epic was marked ready to work, each phase was claimed by its own
      // agent (assignee = phase id), and every bead is closed (the epic by the land).
      const after = await beads(cwd);
      expect(after[EPIC]).toMatchObject({ status: 'closed', is_ready_to_work: true });
      for (const phase of PHASES) {
        expect(after[phase], phase).toMatchObject({ status: 'closed', assignee: phase });
      }

      // The land: one merge commit per phase on main, in Kahn order, each bringing the phase's commit.
      const landed = commitSubjects(cwd, '--first-parent');
      expect(landed).toEqual([
        ...[...PHASES].reverse().map((phase) => `Land ${phase}: ${TITLES[phase]}`),
        'init',
      ]);
      const subjects = commitSubjects(cwd, '--no-merges');
      expect([...subjects].sort()).toEqual(
        ['init', ...PHASES.map((phase) => `${phase}: ${TITLES[phase]}`)].sort(),
      );
      for (const phase of PHASES) expect(existsSync(join(cwd, 'src', `${phase}.md`)), phase).toBe(true);
      // Even phases left their work uncommitted: SASE committed it, with the Sase-* trailers.
      const message = git(cwd, 'log', '-1', '--format=%B', '--grep', `^${HASHING}: `);
      expect(message).toContain(`Sase-Agent: ${HASHING}#1\nSase-Bead: ${HASHING}\n`);
      expect(message).toMatch(/Sase-Plan: \.sase\/sdd\/epics\/\d{6}\/login-rework\.md\n/);
      // Every change is submitted, and its worktree is gone (the branches stay).
      const changes = JSON.parse((await sase(cwd, 'change', 'list', '--json')).stdout) as {
        name: string;
        status: string;
      }[];
      expect(changes.map((change) => [change.name, change.status])).toEqual(
        PHASES.map((phase) => [phase, 'submitted']),
      );
      expect(existsSync(join(cwd, '.sase', 'workspaces', SCHEMA))).toBe(false);
      expect(git(cwd, 'branch', '--list', 'sase/*').trim().split('\n')).toHaveLength(5);

      expect((await runCli(cwd, 'sdd', 'validate')).code).toBe(0);

      // The supervisor committed the phases' outcomes and their ChangeSpecs in the standalone SDD repository
      // (a commit may carry another agent's bead change made meanwhile, so look at what is committed).
      const sdd = join(cwd, '.sase', 'sdd');
      expect(git(sdd, 'log', '--format=%s')).toMatch(
        /^beads: bw-1\.\d closed \(agent bw-1\.\d, attempt 1: completed\)$/m,
      );
      const committed = git(sdd, 'show', 'HEAD:beads/issues.jsonl')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as BeadJson);
      for (const phase of PHASES)
        expect(committed.find((bead) => bead.id === phase)?.status, phase).toBe('closed');
      expect(git(sdd, 'ls-files', 'changes/*/*.md').trim().split('\n')).toHaveLength(PHASES.length);
    },
    TIMEOUT,
  );

  it(
    'refuses agent-name collisions with running agents, listing their directories; --dry-run only warns',
    async () => {
      // The agents hang: the schema agent keeps running while `bead work` is called again.
      const cwd = await createEpicWorkspace(['sh', '-c', 'cat >/dev/null; exec sleep 60']);
      let pid: number | undefined;
      await withSupervisorStopped(cwd, async () => {
        const first = await sase(cwd, 'bead', 'work', '1');
        expect(first.stdout).toContain('bw-1.1');
        pid = await until('the schema agent to run', () => {
          const state = statesOf(cwd)[SCHEMA];
          return state?.state === 'running' && state.pid !== null ? state.pid : undefined;
        });
        const before = snapshotState(cwd);

        const refused = await runCli(cwd, 'bead', 'work', '1');
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain('[AGENT_NAME_COLLISION]');
        expect(refused.stderr).toContain(SCHEMA);
        expect(refused.stderr).toContain(join('.sase', 'agents', SCHEMA));
        // Only the running agent is a collision; the waiting ones would be replaced.
        expect(refused.stderr).not.toContain(join('.sase', 'agents', HASHING));
        expect(snapshotState(cwd)).toEqual(before);

        const dryRun = await runCli(cwd, 'bead', 'work', '1', '--dry-run');
        expect(dryRun.code).toBe(0);
        expect(dryRun.stderr).toMatch(/^sase: warning: .*bw-1\.1.*\.sase\/agents\/bw-1\.1/m);
        expect(dryRun.stdout).toContain('%name:!bw-1.1 %approve %model:opus\n#bead/work_phase(bw-1.1)\n');

        const dryJson = await runCli(cwd, 'bead', 'work', '1', '--dry-run', '--json');
        expect(dryJson.code).toBe(0);
        const plan = JSON.parse(dryJson.stdout);
        expect(plan.warnings).toEqual([expect.stringContaining(join('.sase', 'agents', SCHEMA))]);
        expect(snapshotState(cwd)).toEqual(before);
        expect(statesOf(cwd)[SCHEMA]).toMatchObject({ state: 'running', attempt: 1, pid });
      });
      // Stopping the supervisor stopped the hanging agent.
      await until('the schema agent to exit', () => (isAlive(pid!) ? undefined : true), 15_000);
      expect(statesOf(cwd)[SCHEMA]?.state).toBe('killed');
    },
    TIMEOUT,
  );

  it(
    '--dry-run prints the plan and changes nothing; --json gives epic, waves, phases, land and warnings',
    async () => {
      const cwd = await createEpicWorkspace();
      const before = snapshotState(cwd);

      const json = await sase(cwd, 'bead', 'work', '1', '--dry-run', '--json');
      expect(JSON.parse(json.stdout)).toEqual({
        epic: EPIC,
        waves: [[SCHEMA], [HASHING, SESSIONS], [ENDPOINT], [DOCS]],
        phases: [
          { bead_id: SCHEMA, agent_name: SCHEMA, wave: 0, waits_on: [], model: 'opus' },
          { bead_id: HASHING, agent_name: HASHING, wave: 1, waits_on: [SCHEMA], model: null },
          { bead_id: SESSIONS, agent_name: SESSIONS, wave: 1, waits_on: [SCHEMA], model: null },
          { bead_id: ENDPOINT, agent_name: ENDPOINT, wave: 2, waits_on: [HASHING, SESSIONS], model: null },
          { bead_id: DOCS, agent_name: DOCS, wave: 3, waits_on: [ENDPOINT], model: null },
        ],
        land: { agent_name: EPIC, waits_on: PHASES },
        warnings: [],
      });
      expect(json.stderr).toBe('');

      const text = await sase(cwd, 'bead', 'work', '1', '--dry-run');
      expect(text.stdout).toContain(
        [
          'WAVE  AGENT   TITLE             MODEL  WAITS ON',
          '0     bw-1.1  Schema migration  opus',
          '1     bw-1.2  Password hashing         bw-1.1',
          '1     bw-1.3  Session tokens           bw-1.1',
          '2     bw-1.4  Login endpoint           bw-1.2, bw-1.3',
          '3     bw-1.5  Documentation            bw-1.4',
          'land  bw-1    land the epic            every phase',
        ].join('\n'),
      );
      expect(text.stdout).toContain(
        [
          '%name:!bw-1.1 %approve %model:opus',
          '#bead/work_phase(bw-1.1)',
          '---',
          '%name:!bw-1.2 %approve %wait:bw-1.1',
          '#bead/work_phase(bw-1.2)',
          '---',
          '%name:!bw-1.3 %approve %wait:bw-1.1',
          '#bead/work_phase(bw-1.3)',
          '---',
          '%name:!bw-1.4 %approve %wait:bw-1.2,bw-1.3',
          '#bead/work_phase(bw-1.4)',
          '---',
          '%name:!bw-1.5 %approve %wait:bw-1.4',
          '#bead/work_phase(bw-1.5)',
          '---',
          '%name:!bw-1 %approve %wait:bw-1.1,bw-1.2,bw-1.3,bw-1.4,bw-1.5',
          '#bead/land_epic(bw-1)',
          '',
        ].join('\n'),
      );

      // Nothing changed: no bead (not even is_ready_to_work), no agent, no supervisor.
      expect(snapshotState(cwd)).toEqual(before);
      expect(before.agents).toEqual({});
      expect(readSupervisorStatus(cwd).isRunning).toBe(false);
      const after = await beads(cwd);
      expect(after[EPIC]?.is_ready_to_work).not.toBe(true);
      for (const phase of PHASES) expect(after[phase], phase).toMatchObject({ status: 'open' });
    },
    TIMEOUT,
  );

  it(
    'a failed phase parks the land agent; a rerun relaunches only what is not closed and lands the epic',
    async () => {
      const cwd = await createEpicWorkspace(DEMO_COMMAND, { DEMO_FAIL_PHASE: HASHING });

      const failed = await withSupervisorStopped(cwd, async () => {
        const run = await runCli(cwd, 'bead', 'work', '1', '--wait');
        // Check the states before the supervisor stops (stopping it must not matter, but look first).
        return { run, states: statesOf(cwd) };
      });
      expect(failed.run.code, failed.run.stderr).toBe(1);
      expect(failed.run.stderr).toContain(`${HASHING} did not complete`);
      const { states } = failed;
      expect(states[SCHEMA]).toMatchObject({ state: 'completed', attempt: 1 });
      expect(states[SESSIONS]).toMatchObject({ state: 'completed', attempt: 1 });
      expect(states[HASHING]).toMatchObject({ state: 'failed', attempt: 1, exitCode: 1 });
      for (const name of [ENDPOINT, DOCS, EPIC]) {
        expect(states[name], name).toMatchObject({ state: 'waiting', isParked: true, attempt: 1 });
        expect(existsSync(join(agentDir(cwd, name), 'done.json')), name).toBe(false);
      }
      expect(states[EPIC]?.reason).toContain(`${HASHING} failed (exit 1)`);

      // The failed bead is open again with the failure noted; the dependants never ran (still pre-claimed),
      // and the epic did not land.
      const afterFailure = await beads(cwd);
      expect(afterFailure[HASHING]?.status).toBe('open');
      expect(afterFailure[HASHING]?.notes).toContain(`agent ${HASHING} attempt 1 failed`);
      expect(afterFailure[SCHEMA]?.status).toBe('closed');
      expect(afterFailure[SESSIONS]?.status).toBe('closed');
      for (const phase of [ENDPOINT, DOCS]) {
        expect(afterFailure[phase], phase).toMatchObject({ status: 'in_progress', assignee: phase });
        expect(existsSync(join(agentDir(cwd, phase), 'done.json')), phase).toBe(false);
        expect(existsSync(join(cwd, 'src', `${phase}.md`)), phase).toBe(false);
      }
      expect(afterFailure[EPIC]).toMatchObject({ status: 'open', is_ready_to_work: true });
      // Nothing landed: the work is on the phase branches only.
      expect(commitSubjects(cwd)).toEqual(['init']);
      expect(existsSync(join(cwd, 'src'))).toBe(false);
      expect(commitSubjects(cwd, `sase/${SESSIONS}`)[0]).toBe(`${SESSIONS}: ${TITLES[SESSIONS]}`);

      // Without the failure. A dry run first: it plans only the phases that are not closed (the failed one
      // and the pre-claimed ones left from the first run) and changes no byte of the store or the registry.
      writeConfig(cwd, DEMO_COMMAND);
      const schemaRequest = readFileSync(join(agentDir(cwd, SCHEMA), 'request.json'), 'utf8');
      const before = snapshotState(cwd);
      const dryRun = await sase(cwd, 'bead', 'work', '1', '--dry-run', '--json');
      expect(JSON.parse(dryRun.stdout)).toEqual({
        epic: EPIC,
        waves: [[HASHING], [ENDPOINT], [DOCS]],
        phases: [
          { bead_id: HASHING, agent_name: HASHING, wave: 0, waits_on: [], model: null },
          { bead_id: ENDPOINT, agent_name: ENDPOINT, wave: 1, waits_on: [HASHING], model: null },
          { bead_id: DOCS, agent_name: DOCS, wave: 2, waits_on: [ENDPOINT], model: null },
        ],
        land: { agent_name: EPIC, waits_on: [HASHING, ENDPOINT, DOCS] },
        warnings: [],
      });
      expect(snapshotState(cwd)).toEqual(before);
      expect(before.agents).toHaveProperty(`${ENDPOINT}/request.json`);

      const rerun = await withSupervisorStopped(cwd, () => runCli(cwd, 'bead', 'work', '1', '--wait'));
      expect(rerun.code, rerun.stderr).toBe(0);

      // Closed phases were not scheduled again: their agents keep attempt 1, untouched.
      const final = statesOf(cwd);
      for (const phase of [SCHEMA, SESSIONS]) {
        expect(final[phase], phase).toMatchObject({ state: 'completed', attempt: 1 });
        expect(existsSync(join(agentDir(cwd, phase), 'attempts')), phase).toBe(false);
      }
      expect(readFileSync(join(agentDir(cwd, SCHEMA), 'request.json'), 'utf8')).toBe(schemaRequest);
      // The others were relaunched as attempt 2, their first attempt kept under attempts/1/.
      for (const name of [HASHING, ENDPOINT, DOCS, EPIC]) {
        expect(final[name], name).toMatchObject({ state: 'completed', attempt: 2 });
        expect(requestOf(cwd, name), name).toMatchObject({ attempt: 2, bead_id: name });
        expect(readJson(join(agentDir(cwd, name), 'attempts', '1', 'request.json')), name).toMatchObject({
          attempt: 1,
        });
      }
      expect(readJson(join(agentDir(cwd, HASHING), 'attempts', '1', 'done.json'))).toMatchObject({
        outcome: 'failed',
        attempt: 1,
        exit_code: 1,
      });
      expect(requestOf(cwd, ENDPOINT).waits).toEqual([HASHING]);
      expect(requestOf(cwd, EPIC).waits).toEqual([HASHING, ENDPOINT, DOCS]);

      const done = await beads(cwd);
      for (const id of [EPIC, ...PHASES]) expect(done[id]?.status, id).toBe('closed');
      // Both runs' phases landed, in Kahn order (the first run's base is where the second one started too).
      expect(commitSubjects(cwd, '--first-parent')).toEqual([
        ...[...PHASES].reverse().map((phase) => `Land ${phase}: ${TITLES[phase]}`),
        'init',
      ]);
      // The retried phase's worktree was reused: its first attempt's (failed) files stayed out of git.
      expect(commitSubjects(cwd, `sase/${HASHING}`, '--no-merges')[0]).toBe(`${HASHING}: ${TITLES[HASHING]}`);
      expect((await runCli(cwd, 'sdd', 'validate')).code).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'works a legend: %plan epic planners chained with %wait, their epics approved and linked, then the land agent',
    async () => {
      // A planner writes an epic plan and submits it for approval (its context says "Plan first"); the
      // land agent reads its prompt and does nothing.
      const planner = [
        'context=$(cat "$SASE_PROMPT_CONTEXT" 2>/dev/null)',
        'case "$context" in *"## Plan first"*)',
        '  printf -- "---\\ntitle: Epic of %s\\nphases:\\n  - {id: a, title: Step}\\n---\\n# Epic\\n" "$SASE_AGENT_NAME" > "$SASE_ARTIFACTS_DIR/epic.md"',
        `  node ${JSON.stringify(builtCli)} plan submit "$SASE_ARTIFACTS_DIR/epic.md" --tier epic --agent "$SASE_AGENT_NAME" --name "epic-$(echo "$SASE_AGENT_NAME" | tr . -)" >/dev/null;;`,
        '*) cat >/dev/null;;',
        'esac',
      ].join('\n');
      const cwd = await createWorkspace(['sh', '-c', planner]);
      const legend = JSON.parse(
        (await sase(cwd, 'bead', 'create', '-t', 'L', '--tier', 'legend', '--epic-count', '2', '--json'))
          .stdout,
      );
      expect(legend).toMatchObject({ id: 'bw-1', issue_type: 'plan', tier: 'legend' });
      const id = legend.id as string;

      const dryRun = await sase(cwd, 'bead', 'work', id, '--dry-run', '--json');
      expect(JSON.parse(dryRun.stdout)).toEqual({
        legend: id,
        planners: [
          { agent_name: `${id}.plan-1`, index: 1, waits_on: [] },
          { agent_name: `${id}.plan-2`, index: 2, waits_on: [`${id}.plan-1`] },
        ],
        land: { agent_name: id, waits_on: [`${id}.plan-1`, `${id}.plan-2`] },
        warnings: [],
      });

      await withSupervisorStopped(cwd, async () => {
        // With --json (and --wait) stdout is one document: the plan and the agents' states when it settled:
        // the first planner awaits approval of its epic, and what follows it waits.
        const run = await sase(cwd, 'bead', 'work', id, '--wait', '--json');
        const document = JSON.parse(run.stdout);
        expect(document).toMatchObject({ legend: id, land: { agent_name: id }, warnings: [] });
        expect(
          (document.agents as { name: string; state: string }[])
            .map((agent) => [agent.name, agent.state])
            .sort(),
        ).toEqual([
          [id, 'waiting'],
          [`${id}.plan-1`, 'plan'],
          [`${id}.plan-2`, 'waiting'],
        ]);
        expect(requestOf(cwd, `${id}.plan-1`)).toMatchObject({ waits: [], bead_id: id, approve: true });
        expect(requestOf(cwd, `${id}.plan-1`).directives).toEqual({
          name: `${id}.plan-1`,
          force_reuse: true,
          plan: true,
        });
        expect(requestOf(cwd, `${id}.plan-2`).prompt).toContain(
          `You are epic-planning agent 2 of legend ${id}.`,
        );
        expect(requestOf(cwd, id).prompt).toContain(`You are the land agent of legend ${id}.`);

        // A person approves each epic: the planner ends epic_approved, the epic is linked to the legend,
        // and the next planner (then the land agent) goes on.
        for (const index of [1, 2]) {
          const approved = JSON.parse(
            (await sase(cwd, 'plan', 'approve', `epic-${id}-plan-${index}`, '--json')).stdout,
          );
          expect(approved).toMatchObject({ agent: `${id}.plan-${index}`, outcome: 'epic_approved' });
          await sase(cwd, 'agent', 'wait', index === 1 ? `${id}.plan-2` : id);
        }
      });
      const states = statesOf(cwd);
      expect(states[`${id}.plan-1`]).toMatchObject({ state: 'epic_approved', attempt: 1 });
      expect(states[`${id}.plan-2`]).toMatchObject({ state: 'epic_approved', attempt: 1 });
      expect(states[id]).toMatchObject({ state: 'completed', attempt: 1 });
      const all = await beads(cwd);
      const epics = Object.values(all).filter((bead) => (bead as { parent_id?: string }).parent_id === id);
      expect(epics.map((bead) => bead.title).sort()).toEqual([
        `Epic of ${id}.plan-1`,
        `Epic of ${id}.plan-2`,
      ]);
      // The legend stays open until its epics land; `bead show` lists them with their progress.
      expect(all[id]).toMatchObject({ status: 'open', is_ready_to_work: true });
      expect((await sase(cwd, 'bead', 'show', id)).stdout).toMatch(
        /epic: +bw-2 \[open\] Epic of bw-1\.plan-1 \(\[-{10}\] 0\/1 phases\)/,
      );
    },
    TIMEOUT,
  );

  it(
    'refuses what it cannot work with a stable code: a phase bead, a plain plan, an open blocker outside the epic',
    async () => {
      const cwd = await createEpicWorkspace();
      await sase(cwd, 'bead', 'create', '-t', 'Outside the epic');
      const outside = 'bw-2';
      expect((await beads(cwd))[outside]).toMatchObject({ status: 'open' });

      const phase = await runCli(cwd, 'bead', 'work', SCHEMA);
      expect(phase.code).not.toBe(0);
      expect(phase.stderr).toMatch(/^sase: .*bw-1\.1.*\[NOT_AN_EPIC\]\n$/);
      const phaseJson = await runCli(cwd, 'bead', 'work', SCHEMA, '--dry-run', '--json');
      expect(phaseJson.code).not.toBe(0);
      expect(phaseJson.stderr).toContain('[NOT_AN_EPIC]');
      const plain = await runCli(cwd, 'bead', 'work', outside);
      expect(plain.code).not.toBe(0);
      expect(plain.stderr).toContain('[NOT_AN_EPIC]');

      await sase(cwd, 'bead', 'dep', 'add', HASHING, outside);
      const before = snapshotState(cwd);
      for (const argv of [['--wait'], ['--dry-run'], ['--dry-run', '--json']]) {
        const blocked = await runCli(cwd, 'bead', 'work', '1', ...argv);
        expect(blocked.code, argv.join(' ')).not.toBe(0);
        expect(blocked.stderr, argv.join(' ')).toContain('[OPEN_BLOCKER_OUTSIDE_EPIC]');
        expect(blocked.stderr, argv.join(' ')).toContain(`${HASHING} is blocked by ${outside}`);
        expect(blocked.stdout, argv.join(' ')).toBe('');
      }
      // Refused before anything changed: no bead, no agent, no supervisor.
      expect(snapshotState(cwd)).toEqual(before);
      expect(before.agents).toEqual({});
      expect(readSupervisorStatus(cwd).isRunning).toBe(false);
      expect((await beads(cwd))[EPIC]?.is_ready_to_work).not.toBe(true);

      // Once the outside blocker is closed, the epic can be worked again (no wait on it: it is done).
      await sase(cwd, 'bead', 'close', outside, '-r', 'done elsewhere');
      const plan = JSON.parse((await sase(cwd, 'bead', 'work', '1', '--dry-run', '--json')).stdout);
      expect(plan.phases[1]).toEqual({
        bead_id: HASHING,
        agent_name: HASHING,
        wave: 1,
        waits_on: [SCHEMA],
        model: null,
      });
    },
    TIMEOUT,
  );
});
