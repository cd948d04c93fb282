import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openBeadStore } from '@sase/beads';
import { describe, expect, it } from 'vitest';
import { startBeadWork } from './bead-work.js';
import { landEpic, listChanges, readChange } from './changes.js';
import {
  createEpic,
  createTestWorkspace,
  gitIn,
  PHASE_SCRIPT,
  QUIET_LAND,
  runToEnd,
} from './internal/test-workspace.js';
import { listAgentWorkspaces, removeAgentWorkspace, worktreePathOf } from './worktrees.js';

describe('sase change land', () => {
  it('merges the phase branches in Kahn order, submits the changes, closes the epic, removes the worktrees', async () => {
    const workspace = await createTestWorkspace({
      xprompts: { 'bead/work_phase': PHASE_SCRIPT, 'bead/land_epic': QUIET_LAND },
    });
    // Created in an order that is not the dependency order: docs first, then what it needs.
    const { epic, ids } = createEpic(workspace, { docs: ['api'], schema: [], api: ['schema'] });
    await startBeadWork({ workspace, id: epic });
    await runToEnd(workspace);
    const result = await landEpic(workspace, epic);
    expect(result.landed.map((phase) => phase.bead)).toEqual([ids.schema, ids.api, ids.docs]);
    expect(result).toMatchObject({
      epic,
      branch: 'main',
      isEpicClosed: true,
      skipped: [],
      deletedBranches: [],
    });

    // What git itself shows: one merge commit per phase on main, in that order, and every file.
    const firstParent = gitIn(workspace.root, 'log', '--first-parent', '--format=%s', 'main')
      .trim()
      .split('\n');
    expect(firstParent.slice(0, 3)).toEqual([
      `Land ${ids.docs}: docs`,
      `Land ${ids.api}: api`,
      `Land ${ids.schema}: schema`,
    ]);
    // Three lands, and the merges that started api (from schema) and docs (from api) on their branches.
    expect(gitIn(workspace.root, 'rev-list', '--merges', '--count', 'main').trim()).toBe('5');
    expect(gitIn(workspace.root, 'ls-tree', '-r', '--name-only', 'main').split('\n')).toEqual(
      expect.arrayContaining([`src/${ids.schema}.txt`, `src/${ids.api}.txt`, `src/${ids.docs}.txt`]),
    );
    expect(gitIn(workspace.root, 'status', '--porcelain')).toBe('');
    expect(gitIn(workspace.root, 'fsck', '--no-progress').trim()).toBe('');

    for (const { change } of await listChanges(workspace)) {
      expect(change.status).toBe('submitted');
      expect(change.timestamps.map((stamp) => stamp.status)).toEqual(['wip', 'ready', 'mailed', 'submitted']);
    }
    const store = openBeadStore({ dir: workspace.beadsDir });
    expect(store.get(epic).status).toBe('closed');
    store.dispose();
    // Worktrees are gone, branches kept (changes.delete_merged_branches is false).
    expect(existsSync(worktreePathOf(workspace.root, ids.api!))).toBe(false);
    expect(gitIn(workspace.root, 'branch', '--list', 'sase/*').trim().split('\n')).toHaveLength(3);
    expect(await listAgentWorkspaces(workspace.root)).toEqual([]);
    // Working a closed epic again is refused, saying why and what to do.
    await expect(startBeadWork({ workspace, id: epic })).rejects.toMatchObject({
      code: 'EPIC_CLOSED',
      message: `${epic} is closed (landed 3 phase(s) on main): there is nothing to work; to work it again, reopen it first (sase bead reopen ${epic})`,
    });
    // Landing again changes nothing.
    const again = await landEpic(workspace, epic);
    expect(again.landed).toEqual([]);
    expect(again.skipped.map((phase) => phase.reason)).toEqual([
      'submitted before',
      'submitted before',
      'submitted before',
    ]);
  });

  it('refuses before merging anything when a change is not ready', async () => {
    const workspace = await createTestWorkspace({
      config: 'changes:\n  hooks:\n    - {name: check, command: [sh, -c, "test ! -f src/p-1.2.txt"]}\n',
      xprompts: { 'bead/work_phase': PHASE_SCRIPT, 'bead/land_epic': QUIET_LAND },
    });
    const { epic, ids } = createEpic(workspace, { a: [], b: [] });
    await startBeadWork({ workspace, id: epic });
    await runToEnd(workspace);
    const head = gitIn(workspace.root, 'rev-parse', 'HEAD');
    await expect(landEpic(workspace, epic)).rejects.toMatchObject({
      code: 'CHANGE_NOT_READY',
      message:
        `cannot land ${epic}: this change is not ready: ${ids.b} (wip: check check failed); see \`sase change show NAME\`, ` +
        'fix and retry the agent (sase agent retry NAME)',
    });
    expect(gitIn(workspace.root, 'rev-parse', 'HEAD')).toBe(head);
    expect((await readChange(workspace, ids.a!)).change.status).toBe('ready');
  });

  it('stops at the first conflict with the merge aborted and the checkout clean', async () => {
    const workspace = await createTestWorkspace({
      files: { 'shared.txt': 'base\n' },
      xprompts: {
        'bead/work_phase': '---\ninput:\n  - {name: bead, type: word}\n---\necho "{{ bead }}" > shared.txt\n',
        'bead/land_epic': QUIET_LAND,
      },
    });
    const { epic, ids } = createEpic(workspace, { a: [], b: [] });
    await startBeadWork({ workspace, id: epic });
    await runToEnd(workspace);
    const error = await landEpic(workspace, epic).then(
      () => undefined,
      (caught: Error & { files?: string[]; branch?: string }) => caught,
    );
    expect(error).toMatchObject({ code: 'LAND_CONFLICT', branch: `sase/${ids.b}`, files: ['shared.txt'] });
    expect(error!.message).toContain(
      `merging sase/${ids.b} into main conflicts in shared.txt; the merge was aborted`,
    );
    expect(gitIn(workspace.root, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(workspace.root, '.git', 'MERGE_HEAD'))).toBe(false);
    expect(gitIn(workspace.root, 'log', '-1', '--format=%s').trim()).toBe(`Land ${ids.a}: a`);
    expect((await readChange(workspace, ids.a!)).change.status).toBe('submitted');
    expect((await readChange(workspace, ids.b!)).change.status).toBe('ready');
    const store = openBeadStore({ dir: workspace.beadsDir });
    expect(store.get(epic).status).not.toBe('closed');
    store.dispose();
  });
});

describe('agent workspaces', () => {
  it('lists worktrees, and never deletes unmerged work without force', async () => {
    const workspace = await createTestWorkspace({
      xprompts: { 'bead/work_phase': PHASE_SCRIPT, 'bead/land_epic': QUIET_LAND },
    });
    const { epic, ids } = createEpic(workspace, { a: [] });
    await startBeadWork({ workspace, id: epic });
    await runToEnd(workspace);
    const [info] = await listAgentWorkspaces(workspace.root);
    expect(info).toMatchObject({
      agentName: ids.a,
      branch: `sase/${ids.a}`,
      isMerged: false,
      isDirty: false,
      isRegistered: true,
    });
    await expect(removeAgentWorkspace({ root: workspace.root, agentName: ids.a! })).rejects.toMatchObject({
      code: 'WORKSPACE_UNMERGED',
    });
    expect(existsSync(worktreePathOf(workspace.root, ids.a!))).toBe(true);
    const removed = await removeAgentWorkspace({ root: workspace.root, agentName: ids.a!, isForced: true });
    expect(removed).toMatchObject({ isBranchDeleted: true });
    expect(existsSync(worktreePathOf(workspace.root, ids.a!))).toBe(false);
    expect(gitIn(workspace.root, 'branch', '--list', `sase/${ids.a}`)).toBe('');
  });
});
