/**
 * Errors a user can fix carry a stable upper-case `code` (BEAD_NOT_FOUND, JSONL_PARSE, ...). Every package
 * throws its own error class with such a code; the CLI maps any of them to one line on stderr and exit 1.
 * Anything else is a bug in SASE and is printed with its stack (exit 70, EX_SOFTWARE).
 */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface CodedError {
  code: string;
  message: string;
  exitCode?: number;
}

export function isCodedError(error: unknown): error is Error & CodedError {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code);
}

export function formatError(error: unknown): { text: string; exitCode: number } {
  if (isCodedError(error)) {
    const exitCode = typeof error.exitCode === 'number' ? error.exitCode : 1;
    return { text: `sase: ${error.message} [${error.code}]\n`, exitCode };
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { text: `sase: internal error (please report it):\n${text}\n`, exitCode: 70 };
}
