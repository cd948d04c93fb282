import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBeadStore } from '@sase/beads';
import { createRegistry, retryAgent } from '@sase/scheduler';
import { describe, expect, it } from 'vitest';
import { startBeadWork } from './bead-work.js';
import { readChange } from './changes.js';
import { createEpic, createTestWorkspace, gitIn, QUIET_LAND, runToEnd } from './internal/test-workspace.js';
import { worktreePathOf } from './worktrees.js';

const statesOf = (states: { name: string; state: string }[]) =>
  Object.fromEntries(states.map((state) => [state.name, state.state]));

describe('agents in worktrees (sase bead work)', () => {
  it('starts a phase from its blockers merged branches, commits uniformly, and records the change', async () => {
    const workspace = await createTestWorkspace({
      xprompts: {
        'bead/work_phase': `---
input:
  - {name: bead, type: word}
---
case "{{ bead }}" in p-1.3) for blocker in p-1.1 p-1.2; do test -f "src/$blocker.txt" || { echo "missing $blocker" >&2; exit 1; }; done;; esac
mkdir -p src && echo "work of {{ bead }}" > "src/{{ bead }}.txt"
`,
        'bead/land_epic': QUIET_LAND,
      },
    });
    const { epic, ids } = createEpic(workspace, { a: [], b: [], c: ['a', 'b'] });
    // c (p-1.3) fails unless a's and b's work is in its worktree.
    const reloaded = workspace;
    const work = await startBeadWork({ workspace: reloaded, id: epic });
    expect(work.run).toMatchObject({ id: epic, branch: 'main' });
    const states = await runToEnd(reloaded);
    expect(statesOf(states)).toEqual({
      [ids.a!]: 'completed',
      [ids.b!]: 'completed',
      [ids.c!]: 'completed',
      [epic]: 'completed',
    });

    // c's branch has a's and b's work merged in, and its own commit with the uniform message.
    const c = worktreePathOf(workspace.root, ids.c!);
    expect(readFileSync(join(c, 'src', `${ids.a}.txt`), 'utf8')).toBe(`work of ${ids.a}\n`);
    const message = gitIn(workspace.root, 'log', '-1', '--format=%B', `sase/${ids.c}`);
    expect(message).toBe(
      `${ids.c}: c\n\nSase-Agent: ${ids.c}#1\nSase-Bead: ${ids.c}\nSase-Chat: .sase/agents/${ids.c}/change/chat-1.jsonl\n\n`,
    );
    expect(gitIn(workspace.root, 'log', '--format=%s', `sase/${ids.c}`).split('\n')).toEqual(
      expect.arrayContaining([
        `Merge sase/${ids.a} into sase/${ids.c}`,
        `Merge sase/${ids.b} into sase/${ids.c}`,
      ]),
    );
    // The main checkout is untouched: the work is on the branches.
    expect(existsSync(join(workspace.root, 'src'))).toBe(false);

    const { change, path } = await readChange(reloaded, ids.c!);
    expect(path).toMatch(new RegExp(`^changes/\\d{6}/${ids.c!.replace('.', '\\.')}\\.md$`));
    expect(change).toMatchObject({
      name: ids.c,
      description: 'c',
      bead: ids.c,
      parent: [ids.a, ids.b],
      branch: `sase/${ids.c}`,
      base: gitIn(workspace.root, 'rev-parse', 'HEAD').trim(),
      status: 'ready',
    });
    expect(change.commits).toHaveLength(1);
    const [commit] = change.commits;
    expect(commit!.subject).toBe(`${ids.c}: c`);
    expect(readFileSync(join(workspace.root, commit!.diff!), 'utf8')).toContain(`+work of ${ids.c}`);
    expect(existsSync(join(workspace.root, commit!.chat!))).toBe(true);
    expect(change.timestamps.map((stamp) => stamp.status)).toEqual(['wip', 'ready']);
    // The beads were closed by the supervisor.
    const store = openBeadStore({ dir: workspace.beadsDir });
    expect(store.get(ids.c!).status).toBe('closed');
    store.dispose();
  });

  it('fails a phase before launch when its blockers branches conflict, naming files and branches', async () => {
    const workspace = await createTestWorkspace({
      xprompts: {
        'bead/work_phase': `---
input:
  - {name: bead, type: word}
---
echo "{{ bead }} was here" > shared.txt
`,
        'bead/land_epic': QUIET_LAND,
      },
    });
    const { epic, ids } = createEpic(workspace, { a: [], b: [], c: ['a', 'b'] });
    await startBeadWork({ workspace, id: epic });
    const states = await runToEnd(workspace);
    const byName = new Map(states.map((state) => [state.name, state]));
    expect(byName.get(ids.c!)).toMatchObject({ state: 'failed', startedAt: null });
    expect(byName.get(ids.c!)!.error).toBe(
      `merging the blockers' branches conflicts: sase/${ids.b} conflicts with sase/${ids.a} in shared.txt; ` +
        `resolve it (for example by retrying a blocker on top of the other) and retry ${ids.c}`,
    );
    expect(byName.get(epic)).toMatchObject({ state: 'waiting', isParked: true });
    // Nothing was launched, and the worktree is clean (the merge was aborted).
    expect(existsSync(join(workspace.root, '.sase', 'agents', ids.c!, 'transcript.jsonl'))).toBe(false);
    expect(gitIn(worktreePathOf(workspace.root, ids.c!), 'status', '--porcelain')).toBe('');
  });

  it('records noop for an agent that changes nothing: the bead closes with "no change", waits are satisfied', async () => {
    const workspace = await createTestWorkspace({
      xprompts: {
        'bead/work_phase': '---\ninput:\n  - {name: bead, type: word}\n---\ntrue\n',
        'bead/land_epic': QUIET_LAND,
      },
    });
    const { epic, ids } = createEpic(workspace, { a: [] });
    await startBeadWork({ workspace, id: epic });
    const states = await runToEnd(workspace);
    expect(statesOf(states)).toEqual({ [ids.a!]: 'noop', [epic]: 'completed' });
    const store = openBeadStore({ dir: workspace.beadsDir });
    expect(store.get(ids.a!)).toMatchObject({ status: 'closed', closeReason: 'no change' });
    store.dispose();
    const { change } = await readChange(workspace, ids.a!);
    expect(change.status).toBe('archived');
    expect(change.comments.at(-1)?.text).toBe('no change: attempt 1 completed without changing anything');
  });

  it('fails the agent on a failing check, parks what waits on it, and hands the log tail to the retry', async () => {
    const workspace = await createTestWorkspace({
      config:
        'changes:\n  hooks:\n    - {name: check, command: [sh, -c, "test ! -f src/bad || { echo found src/bad; exit 3; }"]}\n',
      xprompts: {
        'bead/work_phase': `---
input:
  - {name: bead, type: word}
---
mkdir -p src
if [ "$SASE_AGENT_ATTEMPT" = 1 ]; then echo oops > src/bad; else cp "$SASE_PROMPT_CONTEXT" src/context.md; rm -f src/bad; fi
echo "{{ bead }}" > "src/{{ bead }}.txt"
`,
        'bead/land_epic': QUIET_LAND,
      },
    });
    const { epic, ids } = createEpic(workspace, { a: [] });
    await startBeadWork({ workspace, id: epic });
    let states = await runToEnd(workspace);
    const failed = states.find((state) => state.name === ids.a);
    expect(failed).toMatchObject({ state: 'failed' });
    expect(failed!.error).toBe(
      `hook check failed (exit 3); log: .sase/agents/${ids.a}/change/hooks/1-check.log`,
    );
    expect(states.find((state) => state.name === epic)).toMatchObject({ state: 'waiting', isParked: true });
    let { change } = await readChange(workspace, ids.a!);
    expect(change.status).toBe('wip');
    expect(change.hooks).toEqual([
      {
        name: 'check',
        runs: [expect.objectContaining({ number: 1, status: 'FAILED', exitCode: 3, attempt: 1 })],
      },
    ]);

    retryAgent(createRegistry(workspace.root), ids.a!);
    states = await runToEnd(workspace);
    expect(statesOf(states)).toEqual({ [ids.a!]: 'completed', [epic]: 'completed' });
    const context = readFileSync(join(worktreePathOf(workspace.root, ids.a!), 'src', 'context.md'), 'utf8');
    expect(context).toContain('## Check "check" failed on the previous attempt');
    expect(context).toContain('found src/bad');
    ({ change } = await readChange(workspace, ids.a!));
    expect(change.status).toBe('ready');
    expect(change.hooks[0]!.runs.map((run) => `${run.number} ${run.status} ${run.attempt}`)).toEqual([
      '1 FAILED 1',
      '2 PASSED 2',
    ]);
    // Both attempts' commits are on the branch, the first attempt's work kept by the retry.
    expect(change.commits).toHaveLength(2);
  });
});
