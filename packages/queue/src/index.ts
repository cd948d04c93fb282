export { DEFAULT_PREFIX, jobIdOf, queueNameOf } from './internal/keys.js';
export type { FollowOptions, JobState, LaunchQueue, LaunchQueueOptions } from './launch-queue.js';
export { createLaunchQueue, lostWorkerError } from './launch-queue.js';
export type { QueueErrorCode, QueueErrorDetails } from './queue-error.js';
export { isQueueError, QueueError } from './queue-error.js';
export type { QueueAddress } from './queue-url.js';
export { describeQueueUrl, parseQueueUrl } from './queue-url.js';
export type { QueueWorker, QueueWorkerOptions, TakenJob } from './queue-worker.js';
export { createQueueWorker } from './queue-worker.js';
export type {
  FollowResult,
  JobEntry,
  KillResult,
  LaunchJob,
  LaunchJobRef,
  WorkerIdentity,
  WorkerInfo,
} from './records.js';
