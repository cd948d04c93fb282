// `sase bead work` end to end (SPEC sections 7 and 9): real bead stores, real agent registries, the real
// detached supervisor (the built CLI: run `cd apps/cli && pnpm build` first), real git worktrees and real
// agent processes started by the shell launcher. Most tests use scripts/demo-agent.mjs: a phase agent reads
// its bead, writes src/<bead>.md in its worktree (odd phases commit it themselves) and closes its bead; the
// land agent runs `sase change land`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/run-cli.js';
import {
  agentDir,
  type BeadJson,
  beads,
  builtCli,
  commitSubjects,
  createEpicWorkspace,
  createWorkspace,
  DEMO_COMMAND,
  DIAMOND_WAITS,
  DOCS,
  ENDPOINT,
  EPIC,
  git,
  HASHING,
  PHASES,
  readJson,
  requestOf,
  SCHEMA,
  SESSIONS,
  sase,
  snapshotState,
  statesOf,
  TIMEOUT,
  TITLES,
  useBeadWorkEnvironment,
  withSupervisorStopped,
  writeConfig,
} from './__fixtures__/bead-work.js';

useBeadWorkEnvironment();

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
});
