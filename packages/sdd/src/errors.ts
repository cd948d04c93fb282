import type { Diagnostic } from './diagnostic.js';

/** Stable codes of every error @sase/sdd throws. Scripts may rely on them. */
export type SddErrorCode =
  | 'INVALID_PLAN_NAME'
  | 'INVALID_PLAN'
  | 'INVALID_PROMPT_SNAPSHOT'
  | 'INVALID_QUESTIONS_AND_ANSWERS'
  | 'INVALID_TIER'
  | 'PLAN_NOT_FOUND'
  | 'AMBIGUOUS_PLAN'
  | 'PATH_OUTSIDE_SDD_ROOT'
  | 'PLAN_TIER_MISMATCH'
  | 'PLAN_ALREADY_APPROVED'
  | 'PROMPT_REQUIRED'
  | 'BEAD_STORE_MISMATCH'
  | 'SDD_GIT_FAILED'
  | 'CHANGE_NAME_INVALID'
  | 'CHANGE_NOT_FOUND'
  | 'CHANGE_SPEC_INVALID'
  | 'CHANGE_STATUS_INVALID'
  | 'CHANGE_LOCK_FAILED';

export interface SddErrorDetails {
  file?: string;
  line?: number;
  column?: number;
  /** The plan name or path the error is about. */
  plan?: string;
  /** The ChangeSpec (agent) name the error is about. */
  change?: string;
  /**
   * Every problem found, for INVALID_PLAN, INVALID_PROMPT_SNAPSHOT, INVALID_QUESTIONS_AND_ANSWERS and
   * CHANGE_SPEC_INVALID.
   */
  diagnostics?: Diagnostic[];
  cause?: unknown;
}

/** The one error class of @sase/sdd. `code` is stable; `message` says what failed, where, and what is valid. */
export class SddError extends Error {
  override name = 'SddError';
  readonly code: SddErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly plan?: string;
  readonly change?: string;
  readonly diagnostics: Diagnostic[];

  constructor(code: SddErrorCode, message: string, details: SddErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.file !== undefined) this.file = details.file;
    if (details.line !== undefined) this.line = details.line;
    if (details.column !== undefined) this.column = details.column;
    if (details.plan !== undefined) this.plan = details.plan;
    if (details.change !== undefined) this.change = details.change;
    this.diagnostics = details.diagnostics ?? [];
  }
}
