/** Every stable error code `@sase/queue` throws. */
export type QueueErrorCode =
  /** `--queue` / `axe.queue` is not `redis://HOST:PORT[/DB]`. */
  | 'QUEUE_URL_INVALID'
  /** An agent name, workspace id, attempt or launcher id that cannot make a job id. */
  | 'JOB_INVALID'
  /** A worker was started without any launcher to serve. */
  | 'WORKER_OPTIONS_INVALID';

export interface QueueErrorDetails {
  /** The job the error is about. */
  jobId?: string;
  /** Overrides the CLI's exit code (1 by default; 2 for usage errors). */
  exitCode?: number;
  cause?: unknown;
}

/**
 * The one error class of `@sase/queue`. `code` is stable and upper-case; the message says what failed and
 * what a valid input looks like.
 */
export class QueueError extends Error {
  override name = 'QueueError';
  readonly code: QueueErrorCode;
  readonly jobId: string | undefined;
  readonly exitCode: number | undefined;

  constructor(code: QueueErrorCode, message: string, details: QueueErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.jobId = details.jobId;
    this.exitCode = details.exitCode;
  }
}

export function isQueueError(error: unknown, code?: QueueErrorCode): error is QueueError {
  return error instanceof QueueError && (code === undefined || error.code === code);
}
