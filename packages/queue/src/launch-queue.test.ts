import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFixture } from './__fixtures__/bundle.js';
import {
  createLaunchQueue,
  createQueueWorker,
  type JobEntry,
  type LaunchQueue,
  type QueueWorker,
  type TakenJob,
} from './index.js';
import { findRedisServer, startRedisServer, type TestRedisServer } from './testing.js';

const hasRedis = findRedisServer() !== undefined;
if (!hasRedis) console.warn('@sase/queue: redis-server is not installed; the queue tests are skipped');

let redis: TestRedisServer;
const closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  if (hasRedis) redis = await startRedisServer();
});
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
  await redis?.stop();
});

/** A queue and a prefix of their own for each test. */
function openQueue(): { queue: LaunchQueue; prefix: string } {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const queue = createLaunchQueue({ url: redis.url, prefix, pollMs: 100 });
  closers.push(() => queue.close());
  return { queue, prefix };
}

function openWorker<Result>(
  prefix: string,
  launchers: string[],
  run: (job: TakenJob<{ text?: string; sleepMs?: number }>) => Promise<Result>,
  concurrency = 2,
  host = 'machine-a',
): QueueWorker {
  const worker = createQueueWorker({
    url: redis.url,
    prefix,
    launchers,
    concurrency,
    host,
    run,
    heartbeatMs: 100,
  });
  closers.push(() => worker.close());
  return worker;
}

const job = (agent: string, attempt = 1, launcher = 'shell', payload: object = {}) => ({
  workspace: 'ws1',
  agent,
  attempt,
  launcher,
  payload,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!hasRedis)('the launch queue against a real redis-server', () => {
  it('runs a job once, streams its entries in order, and returns its result', async () => {
    const { queue, prefix } = openQueue();
    const runs: string[] = [];
    openWorker(prefix, ['shell'], async (taken) => {
      runs.push(taken.id);
      taken.emit('started', { pid: 42 });
      taken.emit('event', { type: 'output', text: taken.job.payload.text });
      return { echoed: taken.job.payload.text };
    });
    const first = await queue.enqueue(job('a', 1, 'shell', { text: 'hello' }));
    expect(first).toEqual({ ref: { queue: 'launch.shell', id: 'ws1/a/1' }, isNew: true });
    expect((await queue.enqueue(job('a', 1, 'shell', { text: 'again' }))).isNew).toBe(false);
    const entries: JobEntry[] = [];
    const result = await queue.follow(first.ref, { onEntry: (entry) => entries.push(entry) });
    expect(result).toMatchObject({ status: 'completed', result: { echoed: 'hello' } });
    expect(result.status === 'completed' && result.worker?.host).toBe('machine-a');
    expect(entries.map((entry) => entry.type)).toEqual(['taken', 'started', 'event']);
    // Enqueued again after it ran (a supervisor restarted before recording it): nothing runs.
    expect((await queue.enqueue(job('a', 1, 'shell', { text: 'third' }))).isNew).toBe(false);
    await sleep(200);
    expect(runs).toEqual(['ws1/a/1']);
    // Followed again (after a restart), from where the first follower stopped: the same result, no entry twice.
    const again: JobEntry[] = [];
    const resumed = await queue.follow(first.ref, { after: entries[1]!.id, onEntry: (e) => again.push(e) });
    expect(resumed.status).toBe('completed');
    expect(again.map((entry) => entry.type)).toEqual(['event']);
    await queue.forget(first.ref);
    expect(await queue.state(first.ref)).toBe('missing');
  });

  it('gives a job only to workers of its launcher; it waits while none is connected', async () => {
    const { queue, prefix } = openQueue();
    const taken: string[] = [];
    openWorker(prefix, ['shell'], async (job) => {
      taken.push(job.id);
      return 'ok';
    });
    const codex = await queue.enqueue(job('c', 1, 'codex'));
    const shell = await queue.enqueue(job('s', 1, 'shell'));
    expect((await queue.follow(shell.ref)).status).toBe('completed');
    expect(taken).toEqual(['ws1/s/1']);
    expect(await queue.state(codex.ref)).toBe('waiting');
    expect(await queue.waiting(['codex', 'shell'])).toEqual({ codex: 1 });
    openWorker(prefix, ['codex', 'shell'], async (job) => {
      taken.push(job.id);
      return 'ok';
    });
    expect((await queue.follow(codex.ref)).status).toBe('completed');
    expect(taken).toEqual(['ws1/s/1', 'ws1/c/1']);
  });

  it('lists the connected workers from their heartbeats, and forgets a closed one', async () => {
    const { queue, prefix } = openQueue();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const worker = openWorker(prefix, ['shell', 'claude'], () => held.then(() => 'ok'), 3, 'machine-b');
    await worker.ready; // listed from its first heartbeat on
    expect((await queue.workers()).map((each) => [each.host, each.running])).toEqual([['machine-b', 0]]);
    const { ref } = await queue.enqueue(job('w'));
    while (worker.running === 0) await sleep(10);
    await sleep(150);
    const [listed] = await queue.workers();
    expect(listed).toMatchObject({
      host: 'machine-b',
      pid: process.pid,
      launchers: ['shell', 'claude'],
      running: 1,
      capacity: 3,
      jobs: ['ws1/w/1'],
    });
    release();
    await queue.follow(ref);
    await worker.close();
    expect(await queue.workers()).toEqual([]);
  });

  it('kills a job no worker took by removing it, and a running one within a second', async () => {
    const { queue, prefix } = openQueue();
    const waiting = await queue.enqueue(job('k1', 1, 'gemini'));
    expect(await queue.kill(waiting.ref, 'not needed')).toBe('removed');
    expect(await queue.follow(waiting.ref)).toEqual({ status: 'missing' });

    let startedAt = 0;
    openWorker(prefix, ['shell'], async (taken) => {
      startedAt = Date.now();
      return new Promise((resolve) => {
        taken.signal.addEventListener('abort', () =>
          resolve({ killed: taken.signal.reason, at: Date.now() }),
        );
      });
    });
    const running = await queue.enqueue(job('k2'));
    while (startedAt === 0) await sleep(10);
    const killedAt = Date.now();
    expect(await queue.kill(running.ref, 'sase agent kill')).toBe('signalled');
    const result = await queue.follow<{ killed: string; at: number }>(running.ref);
    expect(result.status === 'completed' && result.result.killed).toBe('sase agent kill');
    expect(result.status === 'completed' && result.result.at - killedAt).toBeLessThan(1000);
    expect(await queue.kill(running.ref, 'late')).toBe('finished');
  });

  it('runs at most `concurrency` jobs at once across its launchers', async () => {
    const { queue, prefix } = openQueue();
    let active = 0;
    let most = 0;
    openWorker(
      prefix,
      ['shell', 'claude', 'codex'],
      async () => {
        active++;
        most = Math.max(most, active);
        await sleep(60);
        active--;
        return 'ok';
      },
      2,
    );
    const refs = await Promise.all(
      Array.from({ length: 9 }, (_, index) =>
        queue.enqueue(job(`c${index}`, 1, ['shell', 'claude', 'codex'][index % 3]!)),
      ),
    );
    const results = await Promise.all(refs.map(({ ref }) => queue.follow(ref)));
    expect(results.every((result) => result.status === 'completed')).toBe(true);
    expect(most).toBe(2);
  });

  it('loses nothing when Redis restarts mid-run (append-only file on)', async () => {
    const { queue, prefix } = openQueue();
    const runs: string[] = [];
    openWorker(prefix, ['shell'], async (taken) => {
      runs.push(taken.id);
      await sleep(taken.job.payload.sleepMs ?? 0);
      taken.emit('event', { text: 'after the restart' });
      return taken.id;
    });
    const before = await queue.enqueue(job('r1', 1, 'shell', { sleepMs: 800 }));
    while (runs.length === 0) await sleep(10);
    const following = queue.follow(before.ref);
    await redis.restart({ downMs: 200 });
    const after = await queue.enqueue(job('r2', 1, 'shell', { sleepMs: 10 }));
    const [first, second] = await Promise.all([following, queue.follow(after.ref)]);
    expect(first).toMatchObject({ status: 'completed', result: 'ws1/r1/1' });
    expect(second).toMatchObject({ status: 'completed', result: 'ws1/r2/1' });
    expect(runs.sort()).toEqual(['ws1/r1/1', 'ws1/r2/1']);
  });

  it('reports a job whose worker was SIGKILLed as lost, and never runs it again', async () => {
    const { queue, prefix } = openQueue();
    const fixture = bundleFixture('./worker-process.ts');
    const children: ChildProcess[] = [];
    const startWorker = (host: string) => {
      const child = spawn(process.execPath, [fixture, redis.url, host, 'shell'], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, SASE_QUEUE_PREFIX: prefix },
      });
      children.push(child);
      closers.push(async () => child.kill('SIGKILL'));
      let output = '';
      child.stdout!.on('data', (chunk) => {
        output += chunk.toString();
      });
      return { child, output: () => output };
    };
    const doomed = startWorker('machine-doomed');
    const { ref } = await queue.enqueue(job('lost', 1, 'shell', { sleepMs: 60_000 }));
    while (!doomed.output().includes('taken ws1/lost/1')) await sleep(20);
    doomed.child.kill('SIGKILL');
    const result = await queue.follow(ref);
    expect(result).toMatchObject({
      status: 'lost',
      error: expect.stringMatching(/^worker machine-doomed \(pid \d+\) lost$/),
    });
    // Another worker comes: it never runs the lost attempt.
    const other = startWorker('machine-other');
    await sleep(2500);
    expect(other.output()).not.toContain('taken ws1/lost/1');
    expect(['failed', 'waiting', 'active']).toContain(await queue.state(ref));
  }, 30_000);
});
