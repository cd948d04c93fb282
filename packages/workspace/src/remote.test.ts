// Scale-out (issue 16): a workspace whose supervisor dispatches launches through a real redis-server to
// `sase worker`s, each with its own clone of a shared bare git remote (two "machines" in this process).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueWorker } from '@sase/queue';
import { findRedisServer, startRedisServer, type TestRedisServer } from '@sase/queue/testing';
import { createRegistry, killAgent } from '@sase/scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWorkspace } from './config.js';
import { createTestWorkspace, gitIn, runToEnd } from './internal/test-workspace.js';
import { runQueueWorker, workerOf } from './remote.js';
import { submitPrompt } from './submit.js';

const hasRedis = findRedisServer() !== undefined;
let redis: TestRedisServer;
const temporary: string[] = [];
const workers: QueueWorker[] = [];
beforeAll(async () => {
  if (hasRedis) redis = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  await redis?.stop();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A workspace with `axe.queue`, its repository pushed to a bare remote, and two workers on their own clones. */
async function setUp(prefix: string, config = '') {
  const remote = mkdtempSync(join(tmpdir(), 'sase-remote-'));
  temporary.push(remote);
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  const created = await createTestWorkspace({
    config: `  queue: ${redis.url}\nagents:\n  workspace: worktree\n${config}`,
  });
  gitIn(created.root, 'remote', 'add', 'origin', remote);
  gitIn(created.root, 'push', '-q', 'origin', 'main');
  const workspace = await findWorkspace(created.root);
  // Both workers keep their clones in one directory (as two `sase worker`s on one machine with the default
  // --dir do): one clone, its fetches and worktrees serialised by a file lock.
  const dir = mkdtempSync(join(tmpdir(), 'sase-worker-'));
  temporary.push(dir);
  for (const host of [`${prefix}-a`, `${prefix}-b`]) {
    workers.push(await runQueueWorker({ queue: redis.url, launchers: ['shell'], concurrency: 2, dir, host }));
  }
  return { workspace, remote };
}

describe.skipIf(!hasRedis)('agents dispatched through the queue to workers', () => {
  it('runs a diamond on the workers, each agent once, in dependency order, their branches pushed and fetched back', async () => {
    const { workspace, remote } = await setUp('diamond');
    const step = (name: string, commit: boolean) =>
      `%name:${name}\necho "${name} on $SASE_WORKER" > ${name}.txt && ls *.txt | sort | tr '\\n' ' ' > ${name}.saw` +
      (commit ? ` && git add -A && git commit -q -m "${name} by itself"` : '');
    const text = [
      step('a', true),
      `%wait:a\n${step('b', false)}`,
      `%wait:a\n${step('c', true)}`,
      `%wait:b,c\n${step('d', false)}`,
    ].join('\n---\n');
    const { agents } = await submitPrompt({ workspace, text });
    const states = await runToEnd(
      workspace,
      agents.map((agent) => agent.name),
    );
    expect(states.map((state) => [state.name, state.state, state.error ?? null])).toEqual([
      ['a', 'completed', null],
      ['b', 'completed', null],
      ['c', 'completed', null],
      ['d', 'completed', null],
    ]);
    for (const name of ['a', 'b', 'c', 'd']) {
      // Ran on a worker, and its branch (pushed by the worker) is in the workspace's repository and the remote.
      expect(workerOf(workspace, name)?.host).toMatch(/^diamond-[ab]$/);
      const file = gitIn(workspace.root, 'show', `sase/${name}:${name}.txt`).trim();
      expect(file).toMatch(new RegExp(`^${name} on diamond-[ab]$`));
      expect(gitIn(remote, 'rev-parse', `sase/${name}`)).toBe(
        gitIn(workspace.root, 'rev-parse', `sase/${name}`),
      );
      // Its transcript streamed back into the registry.
      expect(existsSync(createRegistry(workspace.root).agentFile(name, 'transcript.jsonl'))).toBe(true);
    }
    // d started from its blockers' work merged in.
    expect(gitIn(workspace.root, 'show', 'sase/d:d.saw')).toBe('a.txt b.txt c.txt d.txt ');
    // Leftovers are committed by the worker with the uniform message; an agent's own commits are kept.
    expect(gitIn(workspace.root, 'log', '-1', '--format=%s', 'sase/b')).toBe(
      `b: echo "b on $SASE_WORKER" > b.txt && ls *.txt | sort | tr '\\n' ' ' > b.saw\n`,
    );
    expect(gitIn(workspace.root, 'log', '--no-merges', '--format=%s', 'sase/c', '^sase/a').trim()).toBe(
      'c by itself',
    );
    expect(
      gitIn(workspace.root, 'log', '-1', '--format=%(trailers:key=Sase-Agent,valueonly)', 'sase/b').trim(),
    ).toBe('b#1');
  }, 120_000);

  it('kills a remote agent on request: killed, its process group stopped on the worker', async () => {
    const { workspace } = await setUp('kill');
    const marker = join(workspace.root, 'still-running');
    const { agents } = await submitPrompt({
      workspace,
      text: `%name:sleeper\nsleep 30; touch "${marker}"`,
    });
    const running = runToEnd(workspace, [agents[0]!.name]);
    const registry = createRegistry(workspace.root);
    for (const deadline = Date.now() + 20_000; !existsSync(registry.agentFile('sleeper', 'worker.json')); ) {
      if (Date.now() > deadline) throw new Error('the sleeper never reached a worker');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    // running.json names the machine that runs it.
    const worker = workerOf(workspace, 'sleeper');
    expect(worker?.host).toMatch(/^(kill|diamond)-[ab]$/);
    expect(registry.read('sleeper')?.running?.worker).toEqual({ host: worker?.host, pid: worker?.pid });
    const killedAt = Date.now();
    await killAgent(registry, 'sleeper', { reason: 'stop it' });
    const [state] = await running;
    expect(state).toMatchObject({ name: 'sleeper', state: 'killed' });
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(JSON.parse(readFileSync(registry.agentFile('sleeper', 'done.json'), 'utf8'))).toMatchObject({
      outcome: 'killed',
    });
  }, 60_000);

  it('runs the checks on the worker: their logs come back, and a failing one fails the attempt', async () => {
    const { workspace } = await setUp(
      'checks',
      "changes:\n  hooks:\n    - {name: check, command: [sh, -c, 'pwd; test ! -f bad.txt']}\n",
    );
    const { agents } = await submitPrompt({
      workspace,
      text: '%name:good\necho good > good.txt\n---\n%name:bad\necho bad > bad.txt',
    });
    const states = await runToEnd(
      workspace,
      agents.map((agent) => agent.name),
    );
    expect(states.map((state) => [state.name, state.state, state.error])).toEqual([
      ['bad', 'failed', expect.stringMatching(/^hook check failed \(exit 1\); log: /)],
      ['good', 'completed', null],
    ]);
    for (const name of ['good', 'bad']) {
      // It ran in the worker's worktree of the agent, not in the workspace's.
      const log = readFileSync(
        join(workspace.root, '.sase', 'agents', name, 'change', 'hooks', '1-check.log'),
        'utf8',
      );
      expect(log).toContain(`/.sase-worker/worktrees/${name}\n`);
      expect(log).not.toContain(workspace.root);
    }
  }, 120_000);
});
