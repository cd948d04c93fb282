// `sase bead work`: what it refuses and what --dry-run says, against real bead stores, agent registries and
// supervisors. The full runs (an epic to its land, a failed phase and the rerun, a legend) are in
// work.e2e.test.ts, in the end-to-end tier (`npm run test:e2e`).
import { join } from 'node:path';
import { readSupervisorStatus } from '@sase/scheduler';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/run-cli.js';
import {
  beads,
  createEpicWorkspace,
  DOCS,
  ENDPOINT,
  EPIC,
  HASHING,
  isAlive,
  PHASES,
  SCHEMA,
  SESSIONS,
  sase,
  snapshotState,
  statesOf,
  TIMEOUT,
  until,
  useBeadWorkEnvironment,
  withSupervisorStopped,
} from './__fixtures__/bead-work.js';

useBeadWorkEnvironment();

describe('sase bead work', () => {
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
