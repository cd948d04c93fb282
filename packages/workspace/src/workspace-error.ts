/** The stable codes of WorkspaceError. */
export type WorkspaceErrorCode =
  | 'NOT_IN_WORKSPACE'
  | 'CONFIG_INVALID'
  | 'NO_LAUNCHER'
  | 'LAUNCHER_UNKNOWN'
  | 'PROMPT_USAGE'
  | 'RUN_MULTI_PROMPT'
  | 'RUN_NEEDS_SUPERVISOR'
  | 'RUN_EMPTY_PROMPT'
  | 'RUN_LAUNCHER_CONFLICT'
  | 'RUN_LOST'
  | 'AGENT_NAME_COLLISION'
  | 'NOT_A_GIT_REPOSITORY'
  | 'GIT_FAILED'
  | 'WORKSPACE_NOT_FOUND'
  | 'WORKSPACE_UNMERGED'
  | 'WORKSPACE_BUSY'
  | 'MERGE_CONFLICT'
  | 'CHANGE_NOT_READY'
  | 'LAND_CONFLICT'
  | 'LAND_WRONG_BRANCH'
  | 'LAND_DIRTY_CHECKOUT'
  | 'NO_RUN'
  | 'MODEL_ALIAS_UNKNOWN'
  | 'MODEL_INVALID'
  | 'AGENT_NOT_PLANNING'
  | 'PLAN_APPROVED'
  | 'EPIC_CLOSED'
  | 'MENTOR_UNKNOWN';

export interface WorkspaceErrorDetails {
  file?: string;
  line?: number;
  agentName?: string;
  beadId?: string;
  branch?: string;
  files?: string[];
  cause?: unknown;
  /** The exit code the CLI uses for it (default 1; 2 for usage errors). */
  exitCode?: number;
}

/**
 * Errors a user can fix, with a stable upper-case `code` and the structured fields that locate the problem.
 * The message says what failed, where, and what would be valid.
 */
export class WorkspaceError extends Error {
  override name = 'WorkspaceError';
  readonly code: WorkspaceErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly agentName?: string;
  readonly beadId?: string;
  readonly branch?: string;
  readonly files?: string[];
  readonly exitCode: number;

  constructor(code: WorkspaceErrorCode, message: string, details: WorkspaceErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.exitCode = details.exitCode ?? 1;
    if (details.file !== undefined) this.file = details.file;
    if (details.line !== undefined) this.line = details.line;
    if (details.agentName !== undefined) this.agentName = details.agentName;
    if (details.beadId !== undefined) this.beadId = details.beadId;
    if (details.branch !== undefined) this.branch = details.branch;
    if (details.files !== undefined) this.files = details.files;
  }
}

/** True for a WorkspaceError (of `code`, when given). Test codes rather than instanceof across packages. */
export function isWorkspaceError(error: unknown, code?: WorkspaceErrorCode): error is WorkspaceError {
  return (
    error instanceof Error &&
    (error as { name?: unknown }).name === 'WorkspaceError' &&
    (code === undefined || (error as { code?: unknown }).code === code)
  );
}
