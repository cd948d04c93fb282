import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry, waitForAgents } from '@sase/scheduler';
import { describe, expect, it } from 'vitest';
import { captureIo, useSupervisedWorkspaces } from '../axe/__fixtures__/cli-workspace.js';
import { submit } from '../run/submit.js';
import { agentKill } from './kill.js';
import { agentList } from './list.js';
import { agentLogs } from './logs.js';
import { agentRetry } from './retry.js';
import { agentShow } from './show.js';
import { agentWait } from './wait.js';

const { workspace } = useSupervisedWorkspaces();

async function submitText(root: string, text: string): Promise<void> {
  const io = captureIo();
  expect(await submit({ cwd: root, io, json: false, text })).toBe(0);
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('sase agent', () => {
  it('list, logs and show a failure; retry after the fix lets the parked agent run; wait reports outcomes', async () => {
    const root = workspace();
    const fixed = join(root, 'fixed');
    await submitText(
      root,
      [
        '%name:a\necho building a\n',
        `%name:b %wait:a\necho checking b\ntest -f "${fixed}" || { echo "b: not fixed yet" >&2; exit 4; }\n`,
        '%name:c %wait:a\necho c ok\n',
        '%name:d %wait:b,c\necho d ran\n',
      ].join('---\n'),
    );
    const registry = createRegistry(root);
    await waitForAgents(registry, { pollMs: 200 });

    const waitB = captureIo();
    expect(await agentWait({ cwd: root, io: waitB, json: false, name: 'b' })).toBe(1);
    expect(waitB.out).toBe('b failed (the agent exited with code 4: b: not fixed yet)\n');

    const list = captureIo();
    expect(await agentList({ cwd: root, io: list, json: true })).toBe(0);
    expect(JSON.parse(list.out)).toEqual([
      { name: 'a', state: 'completed', attempt: 1, waits_on: [], reason: null },
      { name: 'b', state: 'failed', attempt: 1, waits_on: [], reason: null },
      { name: 'c', state: 'completed', attempt: 1, waits_on: [], reason: null },
      { name: 'd', state: 'waiting', attempt: 1, waits_on: ['b'], reason: 'b failed (exit 4)' },
    ]);
    const table = captureIo();
    await agentList({ cwd: root, io: table, json: false });
    expect(table.out).toMatch(/^d +waiting +1 +parked: b failed \(exit 4\)$/m);

    const logs = captureIo();
    expect(await agentLogs({ cwd: root, io: logs, json: false, name: 'b' })).toBe(0);
    expect(logs.out).toBe('checking b\n');
    expect(logs.err).toContain('b: not fixed yet');

    writeFileSync(fixed, '');
    const retry = captureIo();
    expect(await agentRetry({ cwd: root, io: retry, json: true, name: 'b' })).toBe(0);
    expect(JSON.parse(retry.out)).toMatchObject({ name: 'b', attempt: 2, previous_state: 'failed' });

    const waitD = captureIo();
    expect(await agentWait({ cwd: root, io: waitD, json: true, name: 'd', timeoutSeconds: 60 })).toBe(0);
    expect(JSON.parse(waitD.out)).toMatchObject({ name: 'd', state: 'completed', exit_code: 0 });

    const show = captureIo();
    expect(await agentShow({ cwd: root, io: show, json: true, name: 'b' })).toBe(0);
    const shown = JSON.parse(show.out);
    expect(shown).toMatchObject({ name: 'b', state: 'completed', attempt: 2, attempts: [1, 2] });
    expect(shown.request).toMatchObject({ waits: ['a'], launcher: 'shell', attempt: 2 });
    expect(shown.done).toMatchObject({ outcome: 'completed', exit_code: 0, attempt: 2 });

    const oldLogs = captureIo();
    await agentLogs({ cwd: root, io: oldLogs, json: true, name: 'b', attempt: '1' });
    const records = JSON.parse(oldLogs.out) as { type: string; outcome?: string }[];
    expect(records.at(-1)).toMatchObject({ type: 'outcome', outcome: 'failed', exit_code: 4 });

    const text = captureIo();
    await agentShow({ cwd: root, io: text, json: false, name: 'd' });
    expect(text.out).toMatch(/^state: +completed$/m);
    expect(text.out).toMatch(/^waits: +b, c$/m);

    expect(await codeOf(agentRetry({ cwd: root, io: captureIo(), json: false, name: 'd' }))).toBe(
      'AGENT_NOT_RETRYABLE',
    );
    expect(await codeOf(agentShow({ cwd: root, io: captureIo(), json: false, name: 'ghost' }))).toBe(
      'AGENT_NOT_FOUND',
    );
  }, 120_000);

  it('kill stops a running agent and cancels a waiting one; wait then exits 1', async () => {
    const root = workspace();
    const started = join(root, 'started');
    await submitText(
      root,
      `%name:sleeper\ntouch "${started}"\nsleep 30\n---\n%name:after %wait\necho never\n`,
    );
    const registry = createRegistry(root);
    const deadline = Date.now() + 30_000;
    while (registry.get('sleeper').running?.pid == null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const kill = captureIo();
    expect(await agentKill({ cwd: root, io: kill, json: false, name: 'sleeper' })).toBe(0);
    expect(kill.out).toBe('sleeper: running -> killed\n');
    const wait = captureIo();
    expect(await agentWait({ cwd: root, io: wait, json: false, name: 'sleeper' })).toBe(1);
    expect(wait.out).toBe('sleeper killed (killed with sase agent kill)\n');

    const cancel = captureIo();
    expect(await agentKill({ cwd: root, io: cancel, json: true, name: 'after' })).toBe(0);
    expect(JSON.parse(cancel.out)).toEqual({ name: 'after', previous_state: 'waiting', state: 'killed' });
    const again = captureIo();
    await agentKill({ cwd: root, io: again, json: false, name: 'after' });
    expect(again.out).toBe('after had already finished (killed); nothing to kill\n');
  }, 120_000);

  it('logs --follow prints output as it comes until the agent has an outcome; axe status lists it', async () => {
    const root = workspace();
    await submitText(root, '%name:talker\necho one\nsleep 0.5\necho two\n');
    const logs = captureIo();
    expect(
      await agentLogs({ cwd: root, io: logs, json: false, name: 'talker', isFollowing: true, pollMs: 50 }),
    ).toBe(0);
    expect(logs.out).toBe('one\ntwo\n');
    expect(logs.err).toContain('[completed (exit 0)]');
    const { axeStatus } = await import('../axe/status.js');
    const status = captureIo();
    await axeStatus({ cwd: root, io: status, json: false });
    expect(status.out).toMatch(/^supervisor: running \(pid \d+\)$/m);
    expect(status.out).toMatch(
      /^finished \(1\):\n {2}NAME +STATE +TRY +DETAIL\n {2}talker +completed +1 +exit 0$/m,
    );
  }, 60_000);

  it('wait --timeout gives up with exit code 124 and says why nothing starts', async () => {
    const root = workspace();
    const io = captureIo();
    expect(
      await submit({ cwd: root, io, json: false, text: '%name:idle\ntrue\n', isSupervisorStarted: false }),
    ).toBe(0);
    const wait = captureIo();
    let error: unknown;
    try {
      await agentWait({ cwd: root, io: wait, json: false, name: 'idle', timeoutSeconds: 0.5 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'WAIT_TIMEOUT', exitCode: 124 });
    expect(wait.err).toContain('no supervisor runs');
    expect(
      await codeOf(
        agentWait({ cwd: root, io: captureIo(), json: false, name: 'idle', timeoutSeconds: 'soon' }),
      ),
    ).toBe('INVALID_INPUT');
  }, 60_000);
});
