import { createSupervisor } from '@sase/scheduler';
import { expect, it } from 'vitest';
import {
  createWorkspaceLifecycle,
  findWorkspace,
  landEpic,
  launcherResolverOf,
  settleAgent,
  startBeadWork,
} from './index.js';
import {
  createEpic,
  createTestWorkspace,
  gitIn,
  PHASE_SCRIPT,
  QUIET_LAND,
} from './internal/test-workspace.js';

it('runs the README example: an epic worked in worktrees, checked, and landed, in-process', async () => {
  const { root: projectRoot } = await createTestWorkspace({
    config: 'changes:\n  hooks:\n    - {name: test, command: [sh, -c, "test -d src"]}\n',
    xprompts: { 'bead/work_phase': PHASE_SCRIPT, 'bead/land_epic': QUIET_LAND },
  });
  createEpic(await findWorkspace(projectRoot), { schema: [], api: ['schema'] });

  // --- README example start ---
  const workspace = await findWorkspace(projectRoot); // sase.yml: launcher.default, changes.hooks, ...
  const { plan } = await startBeadWork({ workspace, id: 'p-1' }); // each phase agent gets its own worktree

  // The workspace's supervisor in this process (`sase axe start` runs it detached: serveWorkspaceSupervisor).
  const supervisor = createSupervisor({
    workspaceRoot: workspace.root,
    resolveLauncher: launcherResolverOf(workspace),
    lifecycle: createWorkspaceLifecycle(workspace), // worktrees, uniform commits, checks, ChangeSpecs
    onSettled: (agent) => settleAgent(workspace, agent), // each bead kept in step with its agent
  });
  const states = await supervisor.runUntilSettled();
  console.log(states.map((agent) => `${agent.name}: ${agent.state}`)); // [ 'p-1: completed', 'p-1.1: ...' ]

  const landed = await landEpic(workspace, 'p-1'); // the phase branches merged in dependency order
  console.log(landed.landed.map((phase) => phase.bead)); // [ 'p-1.1', 'p-1.2' ]
  // --- README example end ---

  expect(plan.kind).toBe('epic');
  expect(states.map((agent) => `${agent.name}: ${agent.state}`)).toEqual([
    'p-1: completed',
    'p-1.1: completed',
    'p-1.2: completed',
  ]);
  expect(landed).toMatchObject({ isEpicClosed: true, branch: 'main' });
  expect(gitIn(projectRoot, 'log', '--first-parent', '--format=%s', '-2').trim().split('\n')).toEqual([
    'Land p-1.2: api',
    'Land p-1.1: schema',
  ]);
});
