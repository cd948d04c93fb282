import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEFAULT_PREFIX, keysOf, queueNameOf, RETENTION_SECONDS } from './internal/keys.js';
import { createRedisClient } from './internal/redis.js';
import { formatWorkerInfo } from './internal/worker-info.js';
import { QueueError } from './queue-error.js';
import type { LaunchJob, WorkerIdentity, WorkerInfo } from './records.js';

/** A job as the worker's `run` gets it. */
export interface TakenJob<Payload = unknown> {
  /** `<workspace>/<agent>/<attempt>`. */
  id: string;
  job: LaunchJob<Payload>;
  /**
   * Aborted when the job is killed (`kill`), when the worker loses the job's lock (it was cut off from Redis
   * for longer than the lock lasts: the job is already reported lost), or when the worker is closed with
   * `close()`. The reason is a string. `run` must stop the agent and return (its result is reported).
   */
  signal: AbortSignal;
  worker: WorkerIdentity;
  /** Appends an entry to the job's stream (in order; what follows the job sees it at once). */
  emit(type: string, data: unknown): void;
}

export interface QueueWorkerOptions<Payload, Result> {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  prefix?: string;
  /** The launcher ids whose jobs it takes (`shell`, `claude`, ...): one BullMQ queue each. */
  launchers: readonly string[];
  /** How many jobs it runs at once, across its launchers. Default 1. */
  concurrency?: number;
  /** The name of its machine in listings and in `worker <host> lost`. Default os.hostname(). */
  host?: string;
  /** Runs one job; its result goes back to whoever follows the job. Throwing fails the job. */
  run(job: TakenJob<Payload>): Promise<Result>;
  /**
   * How long a job's lock lasts without renewal (renewed every half of it). A worker that stops renewing
   * (killed, frozen, cut off from Redis) has its job reported lost after about this long. Default 30 000 ms.
   */
  lockDurationMs?: number;
  /** How often it renews its heartbeat (which expires after three of these). Default 1000 ms. */
  heartbeatMs?: number;
  log?: (line: string) => void;
}

export interface QueueWorker {
  readonly identity: WorkerIdentity;
  /** Resolves once its first heartbeat is in Redis: from then on `workers()` lists it. */
  readonly ready: Promise<void>;
  /** The jobs it runs now. */
  readonly running: number;
  readonly capacity: number;
  /** What its heartbeat says now. */
  info(): WorkerInfo;
  /** Takes no more jobs and resolves when those it runs have ended. */
  drain(): Promise<void>;
  /** Takes no more jobs, aborts those it runs with `reason`, and resolves once they are reported. */
  close(reason?: string): Promise<void>;
}

interface RunningJob {
  controller: AbortController;
  isLockLost: boolean;
}

/**
 * A worker of the launch queue: takes the jobs of its launchers' queues (at most `concurrency` at once,
 * across them), marks each as run before running it (a job made again for an attempt that ran is refused),
 * streams what `run` emits, honours kill requests (a published message, and the stored request checked when
 * a job is taken and every heartbeat), and announces itself with a heartbeat key for `workers()`. BullMQ
 * runs its queues with `maxStalledCount: 0`: a job whose worker dies is failed, never run a second time.
 */
export function createQueueWorker<Payload, Result>(
  options: QueueWorkerOptions<Payload, Result>,
): QueueWorker {
  const launchers = [...new Set(options.launchers)];
  if (launchers.length === 0) {
    throw new QueueError('WORKER_OPTIONS_INVALID', 'a worker needs at least one launcher to serve', {
      exitCode: 2,
    });
  }
  const queueNames = launchers.map((launcher) => queueNameOf(launcher));
  const capacity = Math.max(1, Math.floor(options.concurrency ?? 1));
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const keys = keysOf(prefix);
  const log = options.log ?? (() => {});
  const lockDuration = options.lockDurationMs ?? 30_000;
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const identity: WorkerIdentity = {
    id: randomUUID(),
    host: options.host ?? hostname(),
    pid: process.pid,
  };
  const startedAt = new Date().toISOString();
  const running = new Map<string, RunningJob>();
  const connection: Redis = createRedisClient(options.url, 'worker', log);
  const subscriber: Redis = createRedisClient(options.url, 'worker-kill', log);
  let isClosing = false;
  let isPaused = false;

  const info = (): WorkerInfo => ({
    ...identity,
    launchers,
    running: running.size,
    capacity,
    jobs: [...running.keys()],
    startedAt,
    seenAt: new Date().toISOString(),
  });

  const beat = async () => {
    try {
      await connection.set(keys.worker(identity.id), formatWorkerInfo(info()), 'PX', heartbeatMs * 3);
    } catch (error) {
      log(`heartbeat: ${(error as Error).message}`);
    }
  };

  const abort = (jobId: string, reason: string) => {
    const entry = running.get(jobId);
    if (entry === undefined || entry.controller.signal.aborted) return;
    log(`${jobId}: killed: ${reason}`);
    entry.controller.abort(reason);
  };

  const killReasonOf = async (jobId: string): Promise<string | undefined> => {
    const value = await connection.get(keys.kill(jobId));
    if (value === null) return undefined;
    try {
      return String((JSON.parse(value) as { reason?: unknown }).reason ?? 'killed');
    } catch {
      return 'killed';
    }
  };

  /** Kill requests whose message was missed (the subscriber was reconnecting when it was published). */
  const sweepKills = async () => {
    const ids = [...running.keys()];
    if (ids.length === 0) return;
    try {
      const values = await connection.mget(...ids.map((id) => keys.kill(id)));
      ids.forEach((id, index) => {
        const value = values[index];
        if (value === null || value === undefined) return;
        let reason = 'killed';
        try {
          reason = String((JSON.parse(value) as { reason?: unknown }).reason ?? reason);
        } catch {
          // the default reason
        }
        abort(id, reason);
      });
    } catch (error) {
      log(`checking kill requests: ${(error as Error).message}`);
    }
  };

  void subscriber.subscribe(keys.killChannel).catch((error) => log(`kill channel: ${error.message}`));
  subscriber.on('message', (_channel: string, jobId: string) => {
    if (!running.has(jobId)) return;
    void killReasonOf(jobId).then((reason) => abort(jobId, reason ?? 'killed'));
  });

  // Several queues (one per launcher) share one capacity: when it is full every queue's worker pauses. A
  // job that a worker took at that very moment goes back to the queue (moved to delayed, due at once).
  const workers: Worker[] = [];
  const pauseAll = () => {
    if (isPaused || workers.length < 2) return;
    isPaused = true;
    for (const worker of workers) void worker.pause(true).catch(() => {});
  };
  const resumeAll = () => {
    if (!isPaused || isClosing) return;
    isPaused = false;
    for (const worker of workers) worker.resume();
  };

  const emitterOf = (jobId: string) => {
    let chain: Promise<unknown> = Promise.resolve();
    const emit = (type: string, data: unknown) => {
      const text = JSON.stringify(data ?? null);
      chain = chain
        .then(() => connection.xadd(keys.events(jobId), '*', 'type', type, 'data', text))
        .catch((error) => log(`${jobId}: cannot stream ${type}: ${(error as Error).message}`));
    };
    return { emit, flush: () => chain };
  };

  const processJob = async (
    job: Job,
    token?: string,
  ): Promise<{ worker: WorkerIdentity; result: Result }> => {
    const jobId = job.id as string;
    if (running.size >= capacity || isClosing) {
      await job.moveToDelayed(Date.now() + 20, token);
      throw new DelayedError();
    }
    const controller = new AbortController();
    const entry: RunningJob = { controller, isLockLost: false };
    running.set(jobId, entry);
    if (running.size >= capacity) pauseAll();
    const { emit, flush } = emitterOf(jobId);
    try {
      const marker = await connection.set(keys.ran(jobId), identity.id, 'EX', RETENTION_SECONDS, 'NX');
      if (marker === null) {
        const holder = await connection.get(keys.ran(jobId));
        throw new UnrecoverableError(
          `attempt ${jobId} already ran (worker ${holder ?? 'unknown'}); it never runs twice`,
        );
      }
      emit('taken', { worker: identity, at: new Date().toISOString() });
      void connection.expire(keys.events(jobId), RETENTION_SECONDS).catch(() => {});
      void beat();
      const reason = await killReasonOf(jobId);
      if (reason !== undefined) controller.abort(reason);
      const result = await options.run({
        id: jobId,
        job: job.data as LaunchJob<Payload>,
        signal: controller.signal,
        worker: identity,
        emit,
      });
      await flush();
      return { worker: identity, result };
    } finally {
      await flush();
      running.delete(jobId);
      void beat();
      if (running.size < capacity) resumeAll();
    }
  };

  for (const name of queueNames) {
    const worker = new Worker(name, processJob, {
      connection,
      prefix,
      concurrency: capacity,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: 0,
      name: `${identity.host} (pid ${identity.pid})`,
    });
    worker.on('error', (error) => log(`queue ${name}: ${error.message}`));
    worker.on('lockRenewalFailed', (jobIds: string[]) => {
      for (const jobId of jobIds) {
        const entry = running.get(jobId);
        if (entry === undefined) continue;
        entry.isLockLost = true;
        abort(
          jobId,
          `the worker lost the job's lock (cut off from Redis for longer than ${lockDuration} ms); its attempt is recorded lost`,
        );
      }
    });
    worker.on('failed', (job, error) => {
      if (job !== undefined) log(`${job.id}: failed: ${error.message}`);
    });
    workers.push(worker);
  }

  const ready = beat();
  const heartbeat = setInterval(() => {
    void beat();
    void sweepKills();
  }, heartbeatMs);

  const stop = async (abortReason: string | undefined) => {
    if (!isClosing) {
      isClosing = true;
      await Promise.all(workers.map((worker) => worker.pause(true).catch(() => {})));
    }
    if (abortReason !== undefined) for (const id of running.keys()) abort(id, abortReason);
    await Promise.all(workers.map((worker) => worker.close().catch(() => {})));
    clearInterval(heartbeat);
    await connection.del(keys.worker(identity.id)).catch(() => {});
    subscriber.disconnect();
    connection.disconnect();
  };
  let stopping: Promise<void> | undefined;

  return {
    identity,
    ready,
    get running() {
      return running.size;
    },
    capacity,
    info,
    drain() {
      stopping ??= stop(undefined);
      return stopping;
    },
    async close(reason = `worker ${identity.host} (pid ${identity.pid}) stopped`) {
      for (const id of running.keys()) abort(id, reason);
      stopping ??= stop(reason);
      return stopping;
    },
  };
}
