/** Every stable error code `@sase/scheduler` throws. */
export type SchedulerErrorCode =
  | 'DEPENDENCY_CYCLE'
  | 'DUPLICATE_NODE'
  | 'UNKNOWN_NODE'
  | 'AGENT_NAME_INVALID'
  | 'AGENT_EXISTS'
  | 'AGENT_NOT_FOUND'
  | 'AGENT_RUNNING'
  | 'AGENT_NOT_RETRYABLE'
  | 'WAIT_TARGET_UNKNOWN'
  | 'TIME_INVALID'
  | 'SEGMENT_INVALID'
  | 'REGISTRY_CORRUPT'
  | 'SUPERVISOR_RUNNING'
  | 'SUPERVISOR_START_FAILED'
  | 'SUPERVISOR_STOP_FAILED'
  | 'WAIT_TIMEOUT'
  // Used by bead-work.ts (planning `sase bead work`).
  | 'NOT_AN_EPIC'
  | 'NOT_A_LEGEND'
  | 'OPEN_BLOCKER_OUTSIDE_EPIC';

export interface SchedulerErrorDetails {
  /** The agent the error is about, when there is one. */
  agentName?: string;
  /** The file the error is about (an artifact file, the lock, ...). */
  file?: string;
  /** For DEPENDENCY_CYCLE: the cycle, first node repeated at the end (`['a', 'b', 'a']`). */
  cycle?: string[];
  /** For SUPERVISOR_RUNNING: the running supervisor's pid. */
  pid?: number;
  /** Overrides the CLI's exit code (1 by default). */
  exitCode?: number;
  cause?: unknown;
}

/**
 * The one error class of `@sase/scheduler`. `code` is stable and upper-case; the message says what failed,
 * where, and what a valid input looks like.
 */
export class SchedulerError extends Error {
  override name = 'SchedulerError';
  readonly code: SchedulerErrorCode;
  readonly agentName: string | undefined;
  readonly file: string | undefined;
  readonly cycle: string[] | undefined;
  readonly pid: number | undefined;
  readonly exitCode: number | undefined;

  constructor(code: SchedulerErrorCode, message: string, details: SchedulerErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.agentName = details.agentName;
    this.file = details.file;
    this.cycle = details.cycle;
    this.pid = details.pid;
    this.exitCode = details.exitCode;
  }
}

export function isSchedulerError(error: unknown, code?: SchedulerErrorCode): error is SchedulerError {
  return error instanceof SchedulerError && (code === undefined || error.code === code);
}
