import { expect, it } from 'vitest';

it('exports exactly the public API', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_PREFIX",
      "QueueError",
      "createLaunchQueue",
      "createQueueWorker",
      "describeQueueUrl",
      "isQueueError",
      "jobIdOf",
      "lostWorkerError",
      "parseQueueUrl",
      "queueNameOf",
    ]
  `);
});

it('exports the test helpers from @sase/queue/testing', async () => {
  expect(Object.keys(await import('./testing.js')).sort()).toMatchInlineSnapshot(`
    [
      "findRedisServer",
      "startRedisServer",
    ]
  `);
});
