/** The stable codes a LauncherError carries. */
export type LauncherErrorCode =
  /** The agent executable could not be found (neither its override variable nor PATH gave one). */
  | 'EXECUTABLE_NOT_FOUND'
  /** A launch request is malformed (empty agent name, missing working directory, ...). */
  | 'INVALID_REQUEST'
  /** An adapter was given settings it cannot use (wrong type, unknown value). */
  | 'INVALID_SETTINGS'
  /** No launcher is installed under the requested id. */
  | 'LAUNCHER_NOT_FOUND'
  /** A launcher has no command to run (the shell launcher without `launcher.shell.command`). */
  | 'NO_COMMAND'
  /** A transcript file has a line that is not a transcript record. */
  | 'TRANSCRIPT_PARSE';

export interface LauncherErrorFields {
  /** The launcher the error is about, when known (`claude`, `shell`, ...). */
  launcherId?: string;
  /** The executable name or path that was looked for. */
  executable?: string;
  /** The environment variable that overrides the executable (`SASE_CLAUDE_BIN`). */
  overrideVariable?: string;
  /** The file the error is about (a transcript). */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error class of the launcher packages. `code` is stable and upper-case; the message says what failed,
 * where, and what a valid input looks like. `launch()` throws it only when nothing could be started; a run that
 * started and went wrong settles to a `failed` outcome instead.
 */
export class LauncherError extends Error {
  override name = 'LauncherError';
  readonly code: LauncherErrorCode;
  readonly launcherId?: string;
  readonly executable?: string;
  readonly overrideVariable?: string;
  readonly file?: string;
  readonly line?: number;

  constructor(code: LauncherErrorCode, message: string, fields: LauncherErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = code;
    if (fields.launcherId !== undefined) this.launcherId = fields.launcherId;
    if (fields.executable !== undefined) this.executable = fields.executable;
    if (fields.overrideVariable !== undefined) this.overrideVariable = fields.overrideVariable;
    if (fields.file !== undefined) this.file = fields.file;
    if (fields.line !== undefined) this.line = fields.line;
  }
}

/** True for a LauncherError, including one from another copy of this package (checked by shape). */
export function isLauncherError(error: unknown): error is LauncherError {
  return (
    error instanceof LauncherError ||
    (error instanceof Error &&
      error.name === 'LauncherError' &&
      typeof (error as { code?: unknown }).code === 'string')
  );
}
