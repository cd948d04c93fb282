import { createRegistry } from '@sase/scheduler';
import { expect, it } from 'vitest';
import { listChanges } from './changes.js';
import { createTestWorkspace, gitIn, runToEnd } from './internal/test-workspace.js';
import { submitPrompt } from './submit.js';

const AGENTS = 8;
// Three runs in `npm test`; `SASE_STRESS_RUNS=20` (or more) for the long version, which took 80 s on 2 cores.
const RUNS = Number(process.env.SASE_STRESS_RUNS ?? 3);

// Eight agents of one wave, each writing a file and committing (half themselves, half left to SASE), several
// runs in a row: in one shared checkout they fought over .git/index.lock; in worktrees no commit is lost.
it(`${AGENTS} agents of one wave each commit in their own worktree, ${RUNS} runs in a row, with no lost commit`, async () => {
  const workspace = await createTestWorkspace({ config: 'agents:\n  workspace: worktree\n' });
  for (let run = 1; run <= RUNS; run++) {
    const segments = Array.from({ length: AGENTS }, (_, index) => {
      const name = `r${run}-a${index + 1}`;
      const commit = index % 2 === 0 ? `git add -A && git commit -q -m "${name} by itself"` : 'true';
      return `%name:${name}\necho "${name}" > "${name}.txt" && ${commit}`;
    });
    const { agents } = await submitPrompt({ workspace, text: segments.join('\n---\n') });
    const states = await runToEnd(
      workspace,
      agents.map((agent) => agent.name),
    );
    expect(
      states.filter((state) => state.state !== 'completed').map((state) => `${state.name}: ${state.error}`),
      `run ${run}`,
    ).toEqual([]);
    for (const agent of agents) {
      const files = gitIn(workspace.root, 'ls-tree', '--name-only', `sase/${agent.name}`).split('\n');
      expect(files, agent.name).toContain(`${agent.name}.txt`);
      const subjects = gitIn(workspace.root, 'log', '--format=%s', `sase/${agent.name}`, '^main').trim();
      expect(subjects, agent.name).toBe(
        Number(agent.name.split('-a')[1]) % 2 === 1
          ? `${agent.name} by itself`
          : `${agent.name}: echo "${agent.name}" > "${agent.name}.txt" && true`,
      );
    }
  }
  expect(createRegistry(workspace.root).names()).toHaveLength(AGENTS * RUNS);
  expect((await listChanges(workspace, { status: 'ready' })).length).toBe(AGENTS * RUNS);
  expect(gitIn(workspace.root, 'fsck', '--no-progress').trim()).toBe('');
}, 300_000);
