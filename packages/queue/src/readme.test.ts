import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLaunchQueue, createQueueWorker } from './index.js';
import { findRedisServer, startRedisServer, type TestRedisServer } from './testing.js';

const hasRedis = findRedisServer() !== undefined;
let redis: TestRedisServer;
beforeAll(async () => {
  if (hasRedis) redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

describe.skipIf(!hasRedis)('the README example', () => {
  it('runs against a real redis-server', async () => {
    const lines: string[] = [];
    const console = {
      log: (...values: unknown[]) => lines.push(values.map((v) => JSON.stringify(v)).join(' ')),
    };
    const url = redis.url;

    const worker = createQueueWorker({
      url,
      launchers: ['shell'],
      concurrency: 2,
      async run(taken) {
        taken.emit('started', { pid: process.pid });
        taken.emit('event', { type: 'output', text: `hello from ${taken.worker.host}` });
        return { outcome: 'completed' };
      },
    });

    const queue = createLaunchQueue({ url });
    const { ref, isNew } = await queue.enqueue({
      workspace: 'ws1',
      agent: 'fix-login',
      attempt: 1,
      launcher: 'shell',
      payload: { prompt: 'echo hi' },
    });
    const result = await queue.follow(ref, { onEntry: (entry) => console.log(entry.type, entry.data) });
    console.log(isNew, result.status, (result as { result?: unknown }).result);
    await queue.forget(ref);
    await Promise.all([queue.close(), worker.close()]);

    expect(lines.map((line) => line.split(' ')[0])).toEqual(['"taken"', '"started"', '"event"', 'true']);
    expect(lines.at(-1)).toBe('true "completed" {"outcome":"completed"}');
  }, 30_000);
});
