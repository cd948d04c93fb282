import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEFAULT_PREFIX, jobIdOf, keysOf, queueNameOf, RETENTION_SECONDS } from './internal/keys.js';
import { createRedisClient, parseStreamFields } from './internal/redis.js';
import { parseWorkerInfo } from './internal/worker-info.js';
import type {
  FollowResult,
  JobEntry,
  KillResult,
  LaunchJob,
  LaunchJobRef,
  WorkerIdentity,
  WorkerInfo,
} from './records.js';

export interface LaunchQueueOptions {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  /** The prefix of every key (default `sase`): queues of different prefixes never see each other's jobs. */
  prefix?: string;
  /**
   * How often a followed job's state is read besides watching its streams (a safety net, and how soon a
   * worker whose lock expired is noticed). Default 500 ms.
   */
  pollMs?: number;
  log?: (line: string) => void;
}

export interface FollowOptions {
  /** Aborting stops following (resolves `detached`); the job goes on. */
  signal?: AbortSignal;
  /** The stream id after which entries are delivered (default: from the first). */
  after?: string;
  /** Each entry of the job's stream, in order, once. */
  onEntry?: (entry: JobEntry) => void;
}

export type JobState = 'waiting' | 'active' | 'completed' | 'failed' | 'missing';

/** The producer's side of the launch queue: what the workspace's supervisor uses. */
export interface LaunchQueue {
  readonly url: string;
  readonly prefix: string;
  /** The ref of an attempt's job (whether or not it was enqueued). */
  refOf(job: Pick<LaunchJob, 'workspace' | 'agent' | 'attempt' | 'launcher'>): LaunchJobRef;
  /**
   * Adds the attempt's job unless a job of that attempt exists (in any state): `isNew` says which. The same
   * attempt always has the same job id, so enqueueing it again (a supervisor restarted between enqueueing and
   * recording) is a no-op. Waits while Redis is unreachable.
   */
  enqueue<Payload>(job: LaunchJob<Payload>): Promise<{ ref: LaunchJobRef; isNew: boolean }>;
  /** Follows a job to its end: its stream's entries as they come, then how it ended. */
  follow<Result>(ref: LaunchJobRef, options?: FollowOptions): Promise<FollowResult<Result>>;
  /**
   * Kills a job: removes it if no worker took it yet (`removed`: it never runs), else tells the worker that
   * runs it (`signalled`: it kills the agent's process group and reports). The request stays in Redis, so a
   * worker that takes the job later, or was cut off when it was sent, still sees it.
   */
  kill(ref: LaunchJobRef, reason: string): Promise<KillResult>;
  /** Removes a finished job and its stream: call it once its outcome is recorded. */
  forget(ref: LaunchJobRef): Promise<void>;
  state(ref: LaunchJobRef): Promise<JobState>;
  /** How many jobs wait for a worker, per launcher queue that has any. */
  waiting(launchers: readonly string[]): Promise<Record<string, number>>;
  /** The workers whose heartbeat is current, by host and pid. */
  workers(): Promise<WorkerInfo[]>;
  close(): Promise<void>;
}

interface Follower {
  ref: LaunchJobRef;
  lastId: string;
  onEntry: ((entry: JobEntry) => void) | undefined;
  resolve: (result: FollowResult<unknown>) => void;
  worker: WorkerIdentity | null;
  /** When its job was first seen active without a lock (its worker stopped renewing it). */
  lockMissingSince: number | undefined;
  isChecking: boolean;
  isDone: boolean;
}

function isWorkerIdentity(value: unknown): value is WorkerIdentity {
  const record = value as Partial<WorkerIdentity> | null;
  return typeof record?.host === 'string' && typeof record.pid === 'number' && typeof record.id === 'string';
}

/** `worker <host> (pid <pid>) lost`: a job's worker stopped renewing its lock. */
export function lostWorkerError(worker: WorkerIdentity | null, processedBy?: string): string {
  if (worker !== null) return `worker ${worker.host} (pid ${worker.pid}) lost`;
  return `worker ${processedBy ?? '(unknown)'} lost`;
}

/** Whether Redis stream entry id `id` ("<ms>-<seq>", or "<ms>") comes after `than`. */
function isLaterStreamId(id: string, than: string): boolean {
  if (!/^\d+(-\d+)?$/.test(id) || !/^\d+(-\d+)?$/.test(than)) return true;
  const [ms = '0', seq = '0'] = id.split('-');
  const [thanMs = '0', thanSeq = '0'] = than.split('-');
  const a = BigInt(ms);
  const b = BigInt(thanMs);
  return a !== b ? a > b : BigInt(seq) > BigInt(thanSeq);
}

/**
 * The producer's side of the launch queue: one BullMQ queue per launcher (`launch.<launcher>`) in Redis at
 * `url`, jobs with one id per attempt (never enqueued twice), followed through the worker's event stream
 * until they end; a job whose worker stops renewing its lock is reported `lost` (never run again: workers run
 * with BullMQ's `maxStalledCount: 0`, and a stalled job is failed instead of retried).
 */
export function createLaunchQueue(options: LaunchQueueOptions): LaunchQueue {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const keys = keysOf(prefix);
  const log = options.log ?? (() => {});
  const pollMs = options.pollMs ?? 500;
  const client = createRedisClient(options.url, 'producer', log);
  let blocking: Redis | undefined;
  const queues = new Map<string, Queue>();
  const followers = new Set<Follower>();
  const wakeKey = `${prefix}:wake:${randomUUID()}`;
  let isClosed = false;
  let loop: Promise<void> | undefined;

  const queueOf = (name: string): Queue => {
    let queue = queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: client, prefix });
      queue.on('error', (error) => log(`queue ${name}: ${error.message}`));
      queues.set(name, queue);
    }
    return queue;
  };

  const refOf: LaunchQueue['refOf'] = (job) => ({
    queue: queueNameOf(job.launcher),
    id: jobIdOf(job.workspace, job.agent, job.attempt),
  });

  const stateOf = async (ref: LaunchJobRef): Promise<JobState> => {
    const state = await queueOf(ref.queue).getJobState(ref.id);
    switch (state) {
      case 'completed':
      case 'failed':
      case 'active':
        return state;
      case 'unknown':
        return 'missing';
      default:
        return 'waiting';
    }
  };

  const wake = () => {
    void client.xadd(wakeKey, 'MAXLEN', '~', '10', '*', 'type', 'wake').catch(() => {});
  };

  const deliver = (follower: Follower, id: string, fields: string[]) => {
    // The blocking read and a drain (when the job ends) can both return an entry: each is delivered once.
    if (!isLaterStreamId(id, follower.lastId)) return;
    follower.lastId = id;
    const { type, data } = parseStreamFields(fields);
    if (type === 'taken' && isWorkerIdentity((data as { worker?: unknown } | null)?.worker)) {
      follower.worker = (data as { worker: WorkerIdentity }).worker;
    }
    try {
      follower.onEntry?.({ id, type, data });
    } catch (error) {
      log(`following ${follower.ref.id}: ${(error as Error).message}`);
    }
  };

  /** Reads what is left of a follower's stream (without blocking), before it is resolved. */
  const drain = async (follower: Follower) => {
    for (;;) {
      const result = (await client.xread(
        'COUNT',
        1000,
        'STREAMS',
        keys.events(follower.ref.id),
        follower.lastId,
      )) as [string, [string, string[]][]][] | null;
      const entries = result?.[0]?.[1] ?? [];
      for (const [id, fields] of entries) deliver(follower, id, fields);
      if (entries.length < 1000) return;
    }
  };

  const finish = (follower: Follower, result: FollowResult<unknown>) => {
    if (follower.isDone) return;
    follower.isDone = true;
    followers.delete(follower);
    follower.resolve(result);
  };

  const check = async (follower: Follower) => {
    if (follower.isChecking || follower.isDone) return;
    follower.isChecking = true;
    try {
      const queue = queueOf(follower.ref.queue);
      const state = await queue.getJobState(follower.ref.id);
      if (state === 'unknown') {
        finish(follower, { status: 'missing' });
        return;
      }
      if (state === 'completed' || state === 'failed') {
        const job = await queue.getJob(follower.ref.id);
        await drain(follower);
        const value = job?.returnvalue as { worker?: unknown; result?: unknown } | undefined;
        const worker = isWorkerIdentity(value?.worker) ? value.worker : follower.worker;
        if (state === 'completed') {
          finish(follower, { status: 'completed', worker, result: value?.result });
        } else if (/stalled/.test(job?.failedReason ?? '')) {
          finish(follower, { status: 'lost', worker, error: lostWorkerError(worker, job?.processedBy) });
        } else {
          finish(follower, { status: 'failed', worker, error: job?.failedReason ?? 'the job failed' });
        }
        return;
      }
      if (state === 'active') {
        // BullMQ sets the lock when a worker takes the job and deletes it when the job ends, both atomically:
        // an active job without one is a job whose worker stopped renewing it.
        const hasLock = (await client.exists(keys.lock(follower.ref.queue, follower.ref.id))) === 1;
        if (hasLock) follower.lockMissingSince = undefined;
        else if (follower.lockMissingSince === undefined) follower.lockMissingSince = Date.now();
        else if (Date.now() - follower.lockMissingSince >= pollMs) {
          const job = await queue.getJob(follower.ref.id);
          await drain(follower);
          finish(follower, {
            status: 'lost',
            worker: follower.worker,
            error: lostWorkerError(follower.worker, job?.processedBy),
          });
        }
        return;
      }
      follower.lockMissingSince = undefined;
      // Waiting again after a stall: BullMQ fails it (unrun) when a worker takes it next.
      const job = await queue.getJob(follower.ref.id);
      if (job?.deferredFailure) {
        await drain(follower);
        finish(follower, {
          status: 'lost',
          worker: follower.worker,
          error: lostWorkerError(follower.worker, job.processedBy),
        });
      }
    } catch (error) {
      if (!isClosed) log(`checking ${follower.ref.id}: ${(error as Error).message}`);
    } finally {
      follower.isChecking = false;
    }
  };

  const run = async () => {
    blocking ??= createRedisClient(options.url, 'follower', log);
    const queueEventIds = new Map<string, string>();
    let wakeId = '$';
    let lastCheck = 0;
    while (!isClosed && followers.size > 0) {
      const current = [...followers];
      const queueNames = [...new Set(current.map((follower) => follower.ref.queue))];
      for (const name of queueNames) if (!queueEventIds.has(name)) queueEventIds.set(name, '$');
      const streams = [
        wakeKey,
        ...queueNames.map((name) => keys.queueEvents(name)),
        ...current.map((follower) => keys.events(follower.ref.id)),
      ];
      const ids = [
        wakeId,
        ...queueNames.map((name) => queueEventIds.get(name)!),
        ...current.map((follower) => follower.lastId),
      ];
      type XreadResult = [string, [string, string[]][]][] | null;
      let result: XreadResult = null;
      try {
        result = (await blocking.xread(
          'COUNT',
          500,
          'BLOCK',
          pollMs,
          'STREAMS',
          ...streams,
          ...ids,
        )) as XreadResult;
      } catch (error) {
        if (isClosed) return;
        log(`following jobs: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
      const toCheck = new Set<Follower>();
      for (const [key, entries] of result ?? []) {
        const last = entries.at(-1)?.[0];
        if (last === undefined) continue;
        if (key === wakeKey) {
          wakeId = last;
          continue;
        }
        const queueName = queueNames.find((name) => keys.queueEvents(name) === key);
        if (queueName !== undefined) {
          queueEventIds.set(queueName, last);
          for (const [, fields] of entries) {
            const jobIdIndex = fields.indexOf('jobId');
            const jobId = jobIdIndex >= 0 ? fields[jobIdIndex + 1] : undefined;
            for (const follower of current) if (follower.ref.id === jobId) toCheck.add(follower);
          }
          continue;
        }
        const follower = current.find((candidate) => keys.events(candidate.ref.id) === key);
        if (follower === undefined || follower.isDone) continue;
        for (const [id, fields] of entries) deliver(follower, id, fields);
      }
      if (Date.now() - lastCheck >= pollMs) {
        lastCheck = Date.now();
        for (const follower of followers) toCheck.add(follower);
      }
      await Promise.all([...toCheck].map((follower) => check(follower)));
    }
  };

  const ensureLoop = () => {
    if (loop !== undefined) {
      wake();
      return;
    }
    loop = run()
      .catch((error) => log(`following jobs stopped: ${(error as Error).stack ?? error}`))
      .finally(() => {
        loop = undefined;
        if (!isClosed && followers.size > 0) ensureLoop();
      });
  };

  return {
    url: options.url,
    prefix,
    refOf,

    async enqueue(job) {
      const ref = refOf(job);
      const queue = queueOf(ref.queue);
      if ((await queue.getJobState(ref.id)) !== 'unknown') return { ref, isNew: false };
      // BullMQ adds a job whose id exists as a no-op, atomically: of two producers racing, one adds it.
      await queue.add('launch', job, {
        jobId: ref.id,
        attempts: 1,
        removeOnComplete: false,
        removeOnFail: false,
      });
      return { ref, isNew: true };
    },

    follow(ref, followOptions = {}) {
      return new Promise((resolve) => {
        const follower: Follower = {
          ref,
          lastId: followOptions.after ?? '0',
          onEntry: followOptions.onEntry,
          resolve: resolve as (result: FollowResult<unknown>) => void,
          worker: null,
          lockMissingSince: undefined,
          isChecking: false,
          isDone: false,
        };
        const signal = followOptions.signal;
        if (signal?.aborted) {
          resolve({ status: 'detached' });
          return;
        }
        signal?.addEventListener('abort', () => finish(follower, { status: 'detached' }), { once: true });
        followers.add(follower);
        void check(follower);
        ensureLoop();
      });
    },

    async kill(ref, reason) {
      await client.set(
        keys.kill(ref.id),
        JSON.stringify({ reason, at: new Date().toISOString() }),
        'EX',
        RETENTION_SECONDS,
      );
      const queue = queueOf(ref.queue);
      const job = await queue.getJob(ref.id);
      if (job === undefined) return 'missing';
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') return 'finished';
      if (state !== 'active') {
        try {
          // Atomic: either no worker has it (removed, it never runs) or one locked it first (told below).
          await job.remove();
          return 'removed';
        } catch {
          // taken meanwhile
        }
      }
      await client.publish(keys.killChannel, ref.id);
      return 'signalled';
    },

    async forget(ref) {
      try {
        await queueOf(ref.queue).remove(ref.id);
      } catch {
        // locked by a worker that still runs it (it was lost and came back): its own stall ends it
      }
      await client.del(keys.events(ref.id), keys.kill(ref.id));
    },

    state: stateOf,

    async waiting(launchers) {
      const counts: Record<string, number> = {};
      for (const launcher of launchers) {
        const count = await queueOf(queueNameOf(launcher)).getWaitingCount();
        if (count > 0) counts[launcher] = count;
      }
      return counts;
    },

    workers: () => readWorkers(client, keys.workerPattern),

    async close() {
      if (isClosed) return;
      isClosed = true;
      for (const follower of [...followers]) finish(follower, { status: 'detached' });
      blocking?.disconnect();
      await loop?.catch(() => {});
      await Promise.all([...queues.values()].map((queue) => queue.close().catch(() => {})));
      await client.del(wakeKey).catch(() => {});
      client.disconnect();
    },
  };
}

/** The workers whose heartbeat key exists under `pattern`, sorted by host and pid. */
export async function readWorkers(client: Redis, pattern: string): Promise<WorkerInfo[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await client.mget(...keys);
  return values
    .flatMap((value) => {
      const info = value === null ? undefined : parseWorkerInfo(value);
      return info === undefined ? [] : [info];
    })
    .sort((left, right) => left.host.localeCompare(right.host) || left.pid - right.pid);
}
