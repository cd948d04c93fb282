/**
 * A worker in a process of its own, for the tests that kill one: `node worker-process.mjs URL HOST LAUNCHER`.
 * Each job's payload `{sleepMs}` says how long it runs; it prints `taken <id>` when it takes one and
 * `done <id>` when it ends, and a kill ends it at once with the result `{killed: reason}`.
 */
import { createQueueWorker } from '@sase/queue';

const [url, host, launcher] = process.argv.slice(2);
const worker = createQueueWorker<{ sleepMs: number }, { slept?: number; killed?: string }>({
  url: url!,
  host: host!,
  ...(process.env.SASE_QUEUE_PREFIX ? { prefix: process.env.SASE_QUEUE_PREFIX } : {}),
  launchers: [launcher ?? 'shell'],
  concurrency: 2,
  lockDurationMs: 1000,
  heartbeatMs: 200,
  async run(taken) {
    process.stdout.write(`taken ${taken.id}\n`);
    taken.emit('started', { pid: process.pid });
    const result = await new Promise<{ slept?: number; killed?: string }>((resolve) => {
      const timer = setTimeout(() => resolve({ slept: taken.job.payload.sleepMs }), taken.job.payload.sleepMs);
      taken.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve({ killed: String(taken.signal.reason) });
      });
    });
    process.stdout.write(`done ${taken.id}\n`);
    return result;
  },
});
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
