import { QueueError } from '../queue-error.js';

/** The prefix of every key SASE's queue writes (BullMQ's own keys included): `sase:`. */
export const DEFAULT_PREFIX = 'sase';

const LAUNCHER_ID = /^[a-z][a-z0-9-]{0,63}$/;
const WORKSPACE_ID = /^[A-Za-z0-9_-]{1,64}$/;
// An agent name of the registry (`A-Za-z0-9._+-`), which never holds `:` (BullMQ refuses it in ids) or `/`.
const AGENT_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,99}$/;

/** The BullMQ queue of a launcher: `launch.<launcher>`. */
export function queueNameOf(launcher: string): string {
  if (!LAUNCHER_ID.test(launcher)) {
    throw new QueueError('JOB_INVALID', `"${launcher}" is not a launcher id (lower-case letters, digits, -)`);
  }
  return `launch.${launcher}`;
}

/** `<workspace>/<agent>/<attempt>`: one id per attempt, so an attempt can never be queued twice. */
export function jobIdOf(workspace: string, agent: string, attempt: number): string {
  if (!WORKSPACE_ID.test(workspace)) {
    throw new QueueError('JOB_INVALID', `"${workspace}" is not a workspace id (letters, digits, _ and -)`);
  }
  if (!AGENT_NAME.test(agent)) throw new QueueError('JOB_INVALID', `"${agent}" is not an agent name`);
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new QueueError('JOB_INVALID', `attempt ${attempt} of ${agent} is not a positive integer`);
  }
  return `${workspace}/${agent}/${attempt}`;
}

/** The keys of one prefix. */
export function keysOf(prefix: string) {
  return {
    /** A job's event stream (XADD by the worker, XREAD by whoever follows it). */
    events: (jobId: string) => `${prefix}:events:${jobId}`,
    /** A kill request for a job: `{reason, at}`. */
    kill: (jobId: string) => `${prefix}:kill:${jobId}`,
    /** The channel on which a job id is published when a kill request is written. */
    killChannel: `${prefix}:kill`,
    /** Set (NX) by the worker that runs a job: no attempt runs twice, even if its job were made again. */
    ran: (jobId: string) => `${prefix}:ran:${jobId}`,
    /** A worker's heartbeat: its WorkerInfo, expiring unless renewed. */
    worker: (workerId: string) => `${prefix}:worker:${workerId}`,
    workerPattern: `${prefix}:worker:*`,
    /** BullMQ's lock of an active job (present while its worker renews it). */
    lock: (queue: string, jobId: string) => `${prefix}:${queue}:${jobId}:lock`,
    /** BullMQ's event stream of a queue (`completed`, `failed`, ... as they happen). */
    queueEvents: (queue: string) => `${prefix}:${queue}:events`,
  };
}

export type QueueKeys = ReturnType<typeof keysOf>;

/** How long a job's stream, kill request and ran marker outlive a supervisor that never came back. */
export const RETENTION_SECONDS = 30 * 24 * 3600;
