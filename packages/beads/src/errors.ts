/** Stable codes of every error the bead store throws. Scripts may rely on them. */
export type BeadErrorCode =
  | 'STORE_NOT_FOUND'
  | 'STORE_EXISTS'
  | 'ALREADY_CLAIMED'
  | 'BEAD_NOT_FOUND'
  | 'AMBIGUOUS_ID'
  | 'DEPENDENCY_CYCLE'
  | 'DEPENDENCY_NOT_FOUND'
  | 'DEPENDENCY_EXISTS'
  | 'JSONL_PARSE'
  | 'JSONL_CONFLICT'
  | 'JSONL_CHANGED'
  | 'DUPLICATE_ID'
  | 'CONFIG_INVALID'
  | 'CONFIG_CONFLICT'
  | 'INVALID_INPUT'
  | 'INVALID_TRANSITION'
  | 'LOCK_TIMEOUT';

export interface BeadErrorDetails {
  beadId?: string;
  file?: string;
  line?: number;
  /** The cycle, first id repeated at the end, for DEPENDENCY_CYCLE. */
  cycle?: string[];
  /** Who holds the bead, for ALREADY_CLAIMED. */
  holder?: string;
  cause?: unknown;
}

/** The one error class of @sase/beads. `code` is stable; `message` says what, where, and what is valid. */
export class BeadError extends Error {
  override name = 'BeadError';
  readonly code: BeadErrorCode;
  readonly beadId?: string;
  readonly file?: string;
  readonly line?: number;
  readonly cycle?: string[];
  readonly holder?: string;

  constructor(code: BeadErrorCode, message: string, details: BeadErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.beadId !== undefined) this.beadId = details.beadId;
    if (details.file !== undefined) this.file = details.file;
    if (details.line !== undefined) this.line = details.line;
    if (details.cycle !== undefined) this.cycle = details.cycle;
    if (details.holder !== undefined) this.holder = details.holder;
  }
}
