import { resolve } from 'node:path';
import type { WorkerInfo } from '@sase/queue';
import { BUILT_IN_LAUNCHERS, listLaunchers, runQueueWorker } from '@sase/workspace';
import { type CommandContext, printJson } from '../../io.js';

export interface WorkerRunOptions extends CommandContext {
  queue: string;
  concurrency?: number;
  launchers?: string[];
  dir?: string;
  host?: string;
  /** `--lock-ms` (hidden): how soon a dead worker's job is reported lost. */
  lockMs?: number;
  /** Stops the worker (tests); otherwise SIGTERM or SIGINT does. */
  signal?: AbortSignal;
}

/**
 * `sase worker --queue URL`: takes launch jobs until SIGTERM/SIGINT, then stops (the agents it runs are
 * killed and reported `killed`). One log line per job on stdout.
 */
export async function workerRun(options: WorkerRunOptions): Promise<number> {
  const { parseQueueUrl, describeQueueUrl } = await import('@sase/queue');
  parseQueueUrl(options.queue); // QUEUE_URL_INVALID (exit 2) before anything starts
  const launchers = options.launchers ?? (await installedLaunchers());
  const log = (line: string) => options.io.stdout(`${new Date().toISOString()} ${line}\n`);
  const worker = await runQueueWorker({
    queue: options.queue,
    launchers,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.dir === undefined ? {} : { dir: resolve(options.cwd, options.dir) }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.lockMs === undefined ? {} : { lockDurationMs: options.lockMs }),
    log,
  });
  await worker.ready; // listed by `sase worker status` and `axe status` from here on
  log(
    `worker ${worker.identity.host} (pid ${process.pid}) serving ${launchers.join(', ')} from ` +
      `${describeQueueUrl(options.queue)}, ${worker.capacity} at a time`,
  );
  const reason = await new Promise<string>((resolvePromise) => {
    const onSignal = (signal: NodeJS.Signals) => resolvePromise(`the worker received ${signal}`);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    options.signal?.addEventListener('abort', () => resolvePromise('stopped'), { once: true });
  });
  log(`stopping: ${reason}`);
  await worker.close(`worker ${worker.identity.host} (pid ${process.pid}) stopped: ${reason}`);
  return 0;
}

/**
 * Without `--launchers`: the shell launcher (its command comes with each job) and every agent CLI whose
 * executable is found here, so that a machine without Codex never takes a Codex agent.
 */
async function installedLaunchers(): Promise<string[]> {
  const listings = await listLaunchers();
  return listings
    .filter((listing) => listing.id === 'shell' || listing.isFound === true)
    .map((listing) => listing.id);
}

function formatWorker(worker: WorkerInfo): Record<string, unknown> {
  return {
    host: worker.host,
    pid: worker.pid,
    launchers: worker.launchers,
    running: worker.running,
    capacity: worker.capacity,
  };
}

/** `sase worker status --queue URL`: the connected workers (from their heartbeats). */
export async function workerStatus(options: CommandContext & { queue: string }): Promise<number> {
  const { createLaunchQueue, parseQueueUrl } = await import('@sase/queue');
  parseQueueUrl(options.queue);
  const queue = createLaunchQueue({ url: options.queue });
  try {
    const workers = await queue.workers();
    const launchers = [
      ...new Set([...Object.keys(BUILT_IN_LAUNCHERS), ...workers.flatMap((w) => w.launchers)]),
    ];
    const waiting = await queue.waiting(launchers);
    if (options.json) {
      printJson(options.io, { workers: workers.map(formatWorker), waiting });
      return 0;
    }
    options.io.stdout(`${workers.length} worker(s) connected\n`);
    for (const worker of workers) {
      options.io.stdout(
        `  ${worker.host} (pid ${worker.pid}): ${worker.running}/${worker.capacity} running, serves ${worker.launchers.join(', ')}\n`,
      );
    }
    for (const [launcher, count] of Object.entries(waiting)) {
      options.io.stdout(`${count} ${launcher} launch(es) waiting for a worker\n`);
    }
    return 0;
  } finally {
    await queue.close();
  }
}
