import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry } from '@sase/scheduler';
import { describe, expect, it } from 'vitest';
import { startBeadWork } from './bead-work.js';
import { createEpic, createTestWorkspace, QUIET_LAND, runToEnd } from './internal/test-workspace.js';
import { settleAgent } from './supervisor.js';

const PHASE = `---
input:
  - {name: bead, type: word}
---
case "{{ bead }}" in p-1.2) echo "b broke" >&2; exit 5;; esac
echo "{{ bead }}" > "{{ bead }}.txt"
`;

async function until(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('notifications', () => {
  it('tells notifiers each event once, with the documented JSON, also when a supervisor settles again', async () => {
    const probe = await createTestWorkspace();
    const log = join(probe.root, 'notes.jsonl');
    const workspace = await createTestWorkspace({
      config: [
        'notify:',
        `  - {on: [agent_failed, change_ready, run_settled], command: [sh, -c, "cat >> ${log}"]}`,
        '  - {on: [agent_failed], command: [sh, -c, "exit 3"]}',
        '',
      ].join('\n'),
      xprompts: { 'bead/work_phase': PHASE, 'bead/land_epic': QUIET_LAND },
    });
    const { epic, ids } = createEpic(workspace, { a: [], b: [] });
    await startBeadWork({ workspace, id: epic });
    await runToEnd(workspace);
    const read = () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as Record<string, unknown>)
        : [];
    await until('three notifications', () => read().length >= 3);
    // A restarted supervisor settles the same attempts again: nothing is sent twice.
    const registry = createRegistry(workspace.root);
    for (const name of [ids.a!, ids.b!, epic]) {
      const snapshot = registry.get(name);
      if (snapshot.done)
        await settleAgent(workspace, { ...snapshot, request: snapshot.request!, done: snapshot.done });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const notes = read();
    expect(notes.map((note) => `${note.event} ${note.agent ?? note.bead}`).sort()).toEqual(
      [`agent_failed ${ids.b}`, `change_ready ${ids.a}`, `run_settled ${epic}`].sort(),
    );
    expect(notes.find((note) => note.event === 'agent_failed')).toEqual({
      event: 'agent_failed',
      agent: ids.b,
      attempt: 1,
      bead: ids.b,
      outcome: 'failed',
      error: 'the agent exited with code 5: b broke',
      workspace: workspace.root,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
    expect(notes.find((note) => note.event === 'run_settled')).toMatchObject({
      bead: epic,
      outcome: 'unfinished',
      agents: [
        { name: ids.a, state: 'completed' },
        { name: ids.b, state: 'failed' },
        { name: epic, state: 'waiting' },
      ],
    });
    // The failing notifier is logged, and failed nothing.
    await until('the log line', () =>
      readFileSync(join(workspace.root, '.sase/axe/log'), 'utf8').includes(
        'for agent_failed failed (exit 3)',
      ),
    );
  });

  it('a hanging notifier delays nothing', async () => {
    const workspace = await createTestWorkspace({
      config: 'notify:\n  - {on: [agent_failed], command: [sleep, "12"]}\n',
    });
    const { submitPrompt } = await import('./submit.js');
    await submitPrompt({ workspace, text: '%name:breaks\nexit 1\n---\n%name:next\ntrue' });
    const started = Date.now();
    const states = await runToEnd(workspace);
    expect(states.map((state) => state.state).sort()).toEqual(['completed', 'failed']);
    expect(Date.now() - started).toBeLessThan(8000);
  });
});
