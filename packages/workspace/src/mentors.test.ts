import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LauncherV1, LaunchOutcome, LaunchRequest, LaunchRun } from '@sase/launcher-core';
import { createRegistry, createSupervisor, retryAgent } from '@sase/scheduler';
import { describe, expect, it } from 'vitest';
import { createWorkspaceLifecycle } from './agent-change.js';
import { startBeadWork } from './bead-work.js';
import { landEpic, readChange } from './changes.js';
import type { Workspace } from './config.js';
import { createEpic, createTestWorkspace, gitIn } from './internal/test-workspace.js';
import { reviewChange } from './mentors.js';
import { settleAgent } from './supervisor.js';

type Verdict = 'approve' | 'request_changes' | 'none';

/**
 * An in-process launcher: a mentor (SASE_MENTOR in its environment) records the next verdict of `verdicts`
 * (and scribbles in its own worktree); any other agent writes a file named after its bead and attempt.
 */
function createFleet(workspace: Workspace, verdicts: Verdict[]) {
  const prompts: { agent: string; text: string }[] = [];
  const finish = (outcome: Promise<LaunchOutcome>): LaunchRun => ({
    pid: undefined,
    events: (async function* () {})(),
    outcome,
    kill() {},
  });
  const launcher: LauncherV1 = {
    specificationVersion: 'launcher-v1',
    launcherId: 'fleet',
    launch(request: LaunchRequest) {
      prompts.push({
        agent: request.agentName,
        text: [request.prompt, ...(request.context ?? []).map((s) => `## ${s.title}\n\n${s.text}`)].join(
          '\n\n',
        ),
      });
      const env = request.env ?? {};
      return finish(
        (async (): Promise<LaunchOutcome> => {
          if (env.SASE_MENTOR !== undefined) {
            writeFileSync(join(request.cwd, 'mentor-was-here.txt'), 'scribble\n');
            const verdict = verdicts.shift() ?? 'none';
            if (verdict !== 'none') {
              await reviewChange({
                workspace,
                change: env.SASE_REVIEWED_CHANGE!,
                mentor: env.SASE_MENTOR,
                verdict,
                text: verdict === 'approve' ? 'Looks right.' : 'Name the file after the bead only.',
              });
            }
            return { outcome: 'completed', exitCode: 0 };
          }
          writeFileSync(
            join(request.cwd, `${request.beadId ?? request.agentName}.txt`),
            `attempt ${env.SASE_AGENT_ATTEMPT}\n`,
          );
          return { outcome: 'completed', exitCode: 0 };
        })(),
      );
    },
  };
  const run = () =>
    createSupervisor({
      workspaceRoot: workspace.root,
      resolveLauncher: () => launcher,
      lifecycle: createWorkspaceLifecycle(workspace),
      onSettled: (agent) => settleAgent(workspace, agent),
      pollMs: 100,
    }).runUntilSettled();
  return { prompts, run };
}

const QUIET_LAND = '---\ninput:\n  - {name: epic, type: word}\n---\ntrue\n';
const MENTOR = (when = '') => `changes:\n  mentors:\n    - {name: security${when}}\n`;

describe('mentors', () => {
  it("approves: the change is ready only then, lands, and the mentor's edits never reach it", async () => {
    const workspace = await createTestWorkspace({
      config: MENTOR(),
      xprompts: { 'bead/land_epic': QUIET_LAND },
    });
    const { epic, ids } = createEpic(workspace, { a: [] });
    const { run, prompts } = createFleet(workspace, ['approve']);
    await startBeadWork({ workspace, id: epic });
    const states = await run();
    const byName = Object.fromEntries(states.map((state) => [state.name, state.state]));
    expect(byName).toEqual({
      [epic]: 'completed',
      [ids.a!]: 'completed',
      [`${ids.a}.mentor.security`]: 'completed',
    });
    expect(prompts.find((prompt) => prompt.agent === `${ids.a}.mentor.security`)?.text).toContain(
      `You are a mentor: review change ${ids.a}`,
    );
    const { change } = await readChange(workspace, ids.a!);
    expect(change.status).toBe('ready');
    expect(change.mentors).toEqual([
      expect.objectContaining({
        mentor: 'security',
        verdict: 'approve',
        attempt: 1,
        commit: change.commits[0]!.sha,
      }),
    ]);
    const landed = await landEpic(workspace, epic);
    expect(landed.landed.map((phase) => phase.bead)).toEqual([ids.a]);
    expect(gitIn(workspace.root, 'ls-tree', '--name-only', 'main')).not.toContain('mentor-was-here.txt');
    expect(gitIn(workspace.root, 'ls-tree', '--name-only', 'main')).toContain(`${ids.a}.txt`);
  });

  it('requests changes: the agent fails, the land waits, the retry reads the review and a fresh review follows', async () => {
    const probe = await createTestWorkspace();
    const log = join(probe.root, 'events.jsonl');
    const workspace = await createTestWorkspace({
      config: `${MENTOR()}notify:\n  - {on: [mentor_requested_changes, change_ready], command: [sh, -c, "cat >> ${log}"]}\n`,
      xprompts: { 'bead/land_epic': QUIET_LAND },
    });
    const { epic, ids } = createEpic(workspace, { a: [] });
    const { run, prompts } = createFleet(workspace, ['request_changes', 'approve']);
    await startBeadWork({ workspace, id: epic });
    let states = await run();
    expect(states.find((state) => state.name === ids.a)).toMatchObject({
      state: 'failed',
      error: 'mentor security requested changes',
    });
    expect(states.find((state) => state.name === epic)).toMatchObject({ state: 'waiting', isParked: true });
    let { change } = await readChange(workspace, ids.a!);
    expect(change.status).toBe('wip');
    expect(change.mentors?.[0]).toMatchObject({
      verdict: 'request_changes',
      text: 'Name the file after the bead only.',
    });

    retryAgent(createRegistry(workspace.root), ids.a!);
    states = await run();
    expect(Object.fromEntries(states.map((state) => [state.name, state.state]))).toMatchObject({
      [ids.a!]: 'completed',
      [epic]: 'completed',
    });
    const retry = prompts.filter((prompt) => prompt.agent === ids.a).at(-1)!;
    expect(retry.text).toContain(
      '## Mentor security requested changes\n\nName the file after the bead only.',
    );
    ({ change } = await readChange(workspace, ids.a!));
    // The second round reviewed the new commit.
    expect(change.commits).toHaveLength(2);
    expect(change.mentors?.map((review) => [review.verdict, review.attempt, review.commit])).toEqual([
      ['request_changes', 1, change.commits[0]!.sha],
      ['approve', 2, change.commits[1]!.sha],
    ]);
    expect(change.status).toBe('ready');
    // People heard of both: the requested changes, then the change ready.
    const { readFileSync, existsSync } = await import('node:fs');
    const deadline = Date.now() + 5000;
    while (
      (!existsSync(log) || readFileSync(log, 'utf8').trim().split('\n').length < 2) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const events = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events).toEqual([
      expect.objectContaining({
        event: 'mentor_requested_changes',
        change: ids.a,
        attempt: 1,
        error: 'mentor security requested changes: Name the file after the bead only.',
      }),
      expect.objectContaining({ event: 'change_ready', change: ids.a, attempt: 2, outcome: 'completed' }),
    ]);
  });

  it('a mentor without a verdict fails (no verdict) and the change is not ready; `when` skips unrelated changes', async () => {
    const workspace = await createTestWorkspace({
      config: MENTOR(),
      xprompts: { 'bead/land_epic': QUIET_LAND },
    });
    const { epic, ids } = createEpic(workspace, { a: [] });
    const { run } = createFleet(workspace, ['none']);
    await startBeadWork({ workspace, id: epic });
    await run();
    const registry = createRegistry(workspace.root);
    expect(registry.read(`${ids.a}.mentor.security`)?.done).toMatchObject({
      outcome: 'failed',
      error: 'no verdict',
    });
    expect(registry.read(ids.a!)?.done).toMatchObject({
      outcome: 'failed',
      error: 'mentor security ended without a verdict; retry the mentor or this agent',
    });
    expect((await readChange(workspace, ids.a!)).change.status).toBe('wip');

    const docsOnly = await createTestWorkspace({
      config: MENTOR(', when: ["docs/**"]'),
      xprompts: { 'bead/land_epic': QUIET_LAND },
    });
    const other = createEpic(docsOnly, { a: [] });
    await startBeadWork({ workspace: docsOnly, id: other.epic });
    const states = await createFleet(docsOnly, []).run();
    expect(states.map((state) => state.name).sort()).toEqual([other.epic, other.ids.a].sort());
    expect((await readChange(docsOnly, other.ids.a!)).change.status).toBe('ready');
  });
});
