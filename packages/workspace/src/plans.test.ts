import { openBeadStore } from '@sase/beads';
import type { LauncherV1, LaunchOutcome, LaunchRequest, LaunchRun } from '@sase/launcher-core';
import { createRegistry, createSupervisor, deriveAgentStates } from '@sase/scheduler';
import { describe, expect, it } from 'vitest';
import { createWorkspaceLifecycle } from './agent-change.js';
import { startBeadWork } from './bead-work.js';
import { landEpic } from './changes.js';
import type { Workspace } from './config.js';
import { createTestWorkspace, gitIn } from './internal/test-workspace.js';
import { approvePlanFor, listPlans, rejectPlanFor, showPlan, submitAgentPlan } from './plans.js';
import { submitPrompt } from './submit.js';
import { settleAgent } from './supervisor.js';

/**
 * A model-like launcher, in-process: a planning attempt (its context says "Plan first") writes and submits
 * a plan as `sase plan submit --agent` does; any other attempt "implements" by writing a file into its
 * working directory. Every request it saw is kept (prompt as the model would read it: with its context).
 */
function createPlanner(
  workspace: Workspace,
  options: {
    tier?: 'tale' | 'epic';
    skipSubmit?: boolean;
    /** Called with the submitted plan's path while the agent still runs (a person deciding early). */
    onSubmitted?: (plan: string) => Promise<unknown>;
  } = {},
) {
  const seen: { agent: string; attempt: string; text: string }[] = [];
  const finish = (outcome: LaunchOutcome): LaunchRun => ({
    pid: undefined,
    events: (async function* () {})(),
    outcome: Promise.resolve(outcome),
    kill() {},
  });
  const launcher: LauncherV1 = {
    specificationVersion: 'launcher-v1',
    launcherId: 'planner',
    launch(request: LaunchRequest) {
      const text = [request.prompt, ...(request.context ?? []).map((s) => `## ${s.title}\n\n${s.text}`)].join(
        '\n\n',
      );
      seen.push({ agent: request.agentName, attempt: request.env?.SASE_AGENT_ATTEMPT ?? '?', text });
      const work = (async (): Promise<LaunchOutcome> => {
        if (text.includes('## Plan first')) {
          if (!options.skipSubmit) {
            const round = text.includes('## Feedback on it') ? 'with retries and backoff' : 'with retries';
            const phases =
              options.tier === 'epic'
                ? 'phases:\n  - {id: a, title: First, depends_on: []}\n  - {id: b, title: Second, depends_on: [a]}\n'
                : '';
            const submitted = await submitAgentPlan({
              workspace,
              agent: request.agentName,
              planText: `---\ntitle: Upload ${request.agentName}\n${phases}---\n# Upload\n\nRetry the upload ${round}.\n`,
              tier: options.tier ?? 'tale',
              name: `upload-${request.agentName.replace(/[^a-z0-9-]/g, '-')}`,
              env: { ...process.env, HOME: workspace.root },
            });
            await options.onSubmitted?.(submitted.plan);
          }
          return { outcome: 'completed', exitCode: 0 };
        }
        const { writeFileSync } = await import('node:fs');
        writeFileSync(`${request.cwd}/implemented-${request.agentName}.txt`, 'done\n');
        return { outcome: 'completed', exitCode: 0 };
      })();
      return { ...finish({ outcome: 'completed', exitCode: 0 }), outcome: work };
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
  return { seen, run };
}

const stateOf = (workspace: Workspace, name: string) =>
  deriveAgentStates(createRegistry(workspace.root).list()).find((state) => state.name === name);

describe('the plan-approval loop', () => {
  it('a %plan agent stops in `plan`; approving its tale starts the attempt that implements it', async () => {
    const workspace = await createTestWorkspace({ config: 'agents:\n  workspace: worktree\n' });
    const { seen, run } = createPlanner(workspace);
    await submitPrompt({
      workspace,
      text: '%name:uploader %plan\nMake the upload reliable.\n---\n%name:after %wait:uploader\necho after',
    });
    await run();
    expect(stateOf(workspace, 'uploader')).toMatchObject({ state: 'plan', attempt: 1 });
    // What waits on it keeps waiting: neither started nor parked.
    expect(stateOf(workspace, 'after')).toMatchObject({
      state: 'waiting',
      isParked: false,
      reason: 'uploader awaits plan approval',
    });
    expect(seen[0]!.text).toContain('Plan first: do not change any file yet.');
    expect(seen[0]!.text).toContain('sase plan submit <file> --tier tale --agent uploader');
    const [awaiting] = await listPlans(workspace, { state: 'awaiting' });
    expect(awaiting).toMatchObject({ agent: 'uploader', tier: 'tale', state: 'awaiting', round: 1 });

    const approved = await approvePlanFor({ workspace, plan: awaiting!.path, by: 'alice' });
    expect(approved).toMatchObject({ agent: 'uploader', outcome: 'plan_approved', nextAttempt: 2 });
    await run();
    // The implementation attempt read the approved plan, committed in its worktree: plan_committed.
    expect(seen[1]!.text).toContain('## Implement the approved plan');
    expect(seen[1]!.text).toContain('Retry the upload with retries.');
    expect(stateOf(workspace, 'uploader')).toMatchObject({
      error: null,
      state: 'plan_committed',
      attempt: 2,
    });
    expect(
      gitIn(workspace.root, 'log', '-1', '--format=%s%n%(trailers:key=Sase-Plan,valueonly)', 'sase/uploader'),
    ).toMatch(/^uploader: Make the upload reliable\.\n\.sase\/sdd\/tales\/\d{6}\/upload-uploader\.md\n/);
    expect(stateOf(workspace, 'after')?.state).not.toBe('waiting');
    const archived = JSON.parse(
      (await import('node:fs')).readFileSync(
        `${workspace.root}/.sase/agents/uploader/attempts/1/done.json`,
        'utf8',
      ),
    );
    expect(archived.outcome).toBe('plan_approved');
  });

  it('a decision taken while the agent still runs (after its submit) releases it when its run ends', async () => {
    const workspace = await createTestWorkspace({ config: 'agents:\n  workspace: worktree\n' });
    const early: unknown[] = [];
    const { seen, run } = createPlanner(workspace, {
      onSubmitted: async (plan) => early.push(await approvePlanFor({ workspace, plan, by: 'alice' })),
    });
    await submitPrompt({ workspace, text: '%name:uploader %plan\nMake the upload reliable.' });
    await run();
    await run();
    // While it ran the approval could only be recorded in the plan; the settle applied it.
    expect(early[0]).not.toHaveProperty('agent');
    expect(seen[1]!.text).toContain('## Implement the approved plan');
    expect(stateOf(workspace, 'uploader')).toMatchObject({ state: 'plan_committed', attempt: 2 });

    const rejecting = await createTestWorkspace();
    let rounds = 0;
    const planner = createPlanner(rejecting, {
      onSubmitted: async (plan) => {
        rounds += 1;
        if (rounds === 1)
          await rejectPlanFor({ workspace: rejecting, plan, feedback: 'Smaller steps.', by: 'bob' });
      },
    });
    await submitPrompt({ workspace: rejecting, text: '%name:uploader %plan\nMake the upload reliable.' });
    await planner.run();
    await planner.run();
    expect(planner.seen[1]!.text).toContain('## Feedback on it\n\nbob rejected it:\n\nSmaller steps.');
    expect(stateOf(rejecting, 'uploader')).toMatchObject({ state: 'plan', attempt: 2 });
  });

  it('rejecting with feedback plans again with the old plan and the feedback; plan_rejected parks dependants', async () => {
    const workspace = await createTestWorkspace();
    const { seen, run } = createPlanner(workspace);
    await submitPrompt({ workspace, text: '%name:uploader %plan\nMake the upload reliable.' });
    await run();
    const plan = (await listPlans(workspace))[0]!.path;
    const rejected = await rejectPlanFor({ workspace, plan, feedback: 'Back off exponentially.', by: 'bob' });
    expect(rejected).toMatchObject({ agent: 'uploader', outcome: 'plan_rejected', nextAttempt: 2 });
    const shown = await showPlan(workspace, plan);
    expect(shown.state).toBe('rejected');
    expect(shown.reviews).toEqual([
      expect.objectContaining({
        round: 1,
        by: 'bob',
        verdict: 'rejected',
        feedback: 'Back off exponentially.',
      }),
    ]);
    await run();
    expect(seen[1]!.text).toContain('## Your previous plan\n\n# Upload\n\nRetry the upload with retries.');
    expect(seen[1]!.text).toContain('## Feedback on it\n\nbob rejected it:\n\nBack off exponentially.');
    // The second round is awaiting again, and the first review stays in the plan.
    const again = await showPlan(workspace, plan);
    expect(again).toMatchObject({ state: 'awaiting', round: 2 });
    expect(again.body).toContain('Retry the upload with retries and backoff.');
    expect(again.reviews).toHaveLength(1);

    // plan_rejected never satisfies a wait: a dependant of an agent whose current outcome it is stays parked.
    const registry = createRegistry(workspace.root);
    const snapshots = registry.list();
    const [uploader] = snapshots;
    const states = deriveAgentStates([
      { ...uploader!, done: { ...uploader!.done!, outcome: 'plan_rejected' } },
      {
        ...uploader!,
        name: 'dependant',
        done: undefined,
        claim: undefined,
        request: { ...uploader!.request!, name: 'dependant', waits: ['uploader'] },
      },
    ]);
    expect(states.find((state) => state.name === 'dependant')).toMatchObject({ isParked: true });
  });

  it('an agent that ends without submitting is failed (no plan was submitted); %approve self-approves', async () => {
    const workspace = await createTestWorkspace();
    const quiet = createPlanner(workspace, { skipSubmit: true });
    await submitPrompt({ workspace, text: '%name:quiet %plan\nMake the upload reliable.' });
    await quiet.run();
    expect(stateOf(workspace, 'quiet')).toMatchObject({ state: 'failed', error: 'no plan was submitted' });

    const eager = createPlanner(workspace);
    await submitPrompt({ workspace, text: '%name:eager %plan %approve\nMake the upload reliable.' });
    await eager.run();
    await eager.run();
    expect(stateOf(workspace, 'eager')).toMatchObject({ state: 'completed', attempt: 2 });
    const [plan] = await listPlans(workspace, { state: 'approved' });
    expect(plan).toMatchObject({ agent: 'eager', approvedBy: 'eager (%approve)' });
  });

  it('a legend: planners submit epics; approved epics become beads linked to the legend, which closes with them', async () => {
    const workspace = await createTestWorkspace();
    const store = openBeadStore({ dir: workspace.beadsDir });
    const legend = store.create({ title: 'Legend', tier: 'legend', epicCount: 2 }).id;
    store.dispose();
    const { run } = createPlanner(workspace, { tier: 'epic' });
    await startBeadWork({ workspace, id: legend, launcher: 'shell' });
    // Planner 1 awaits approval; planner 2 waits on it; the land agent waits on both.
    await run();
    expect(stateOf(workspace, `${legend}.plan-1`)?.state).toBe('plan');
    expect(stateOf(workspace, `${legend}.plan-2`)?.state).toBe('waiting');
    for (const index of [1, 2]) {
      const [plan] = await listPlans(workspace, { state: 'awaiting' });
      const approved = await approvePlanFor({ workspace, plan: plan!.path, by: 'carol' });
      expect(approved).toMatchObject({ agent: `${legend}.plan-${index}`, outcome: 'epic_approved' });
      await run();
    }
    expect(stateOf(workspace, `${legend}.plan-2`)?.state).toBe('epic_approved');
    const beads = openBeadStore({ dir: workspace.beadsDir });
    const epics = beads.list({ parentId: legend }).filter((bead) => bead.tier === 'epic');
    expect(epics).toHaveLength(2);
    beads.dispose();
    // Each epic worked and landed: the legend closes with its last epic.
    for (const [index, epic] of epics.entries()) {
      await startBeadWork({ workspace, id: epic.id, launcher: 'shell' });
      await run();
      const landed = await landEpic(workspace, epic.id);
      expect(landed.isEpicClosed).toBe(true);
      expect(landed.closedLegend).toBe(index === 1 ? legend : undefined);
    }
    const after = openBeadStore({ dir: workspace.beadsDir });
    expect(after.get(legend)).toMatchObject({ status: 'closed', closeReason: 'all 2 epic(s) landed' });
    after.dispose();
    // Their plans are done.
    expect(
      (await listPlans(workspace)).filter((plan) => plan.tier === 'epic').map((plan) => plan.status),
    ).toEqual(['done', 'done']);
  });
});
