/**
 * Errors a user can fix carry a stable upper-case `code` (BEAD_NOT_FOUND, JSONL_PARSE, ...). Every package
 * throws its own error class with such a code; the CLI maps any of them to one line on stderr and the exit
 * code of its kind (EXIT_CODES). Anything else is a bug in SASE and is printed with its stack (exit 70,
 * EX_SOFTWARE).
 */

/** One exit code per kind of error (documented in the CLI README, "Errors and exit codes"). */
export const EXIT_CODES = {
  /** The command could not do it: not found, conflict, a bad file, an agent that failed. */
  failure: 1,
  /** What was typed cannot be a valid command: an unknown option, a bad value, a missing argument. */
  usage: 2,
  /** Nothing to do: no bead is ready (`bead claim --next`). */
  nothingReady: 3,
  /** A bug in SASE (EX_SOFTWARE). */
  internal: 70,
  /** `--timeout` ran out (as timeout(1)). */
  timeout: 124,
  /** Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

/**
 * Codes whose errors are usage errors wherever they come from: the value itself is invalid, whatever the
 * state of the workspace (codes ending in `_USAGE` too).
 */
const USAGE_CODES = new Set([
  'USAGE',
  'INVALID_INPUT',
  'INVALID_TIER',
  'TIME_INVALID',
  'MODEL_INVALID',
  'MODEL_ALIAS_UNKNOWN',
  'AGENT_NAME_INVALID',
  'CHANGE_NAME_INVALID',
  'INVALID_PLAN_NAME',
  'XPROMPT_INVALID_NAME',
  'LAUNCHER_UNKNOWN',
  'NOTHING_TO_UPDATE',
  'SELF_DEPENDENCY',
  'PROMPT_REQUIRED',
  'RUN_EMPTY_PROMPT',
  'RUN_LAUNCHER_CONFLICT',
]);

const KIND_OF_CODE = new Map<string, number>([
  ['NOTHING_READY', EXIT_CODES.nothingReady],
  ['WAIT_TIMEOUT', EXIT_CODES.timeout],
  ['INTERRUPTED', EXIT_CODES.interrupted],
]);

/** The exit code of an error's code, when the error does not carry one. */
export function exitCodeOf(code: string): number {
  if (USAGE_CODES.has(code) || code.endsWith('_USAGE')) return EXIT_CODES.usage;
  return KIND_OF_CODE.get(code) ?? EXIT_CODES.failure;
}

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = exitCodeOf(code),
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
    const exitCode = typeof error.exitCode === 'number' ? error.exitCode : exitCodeOf(error.code);
    return { text: `sase: ${error.message} [${error.code}]\n`, exitCode };
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { text: `sase: internal error (please report it):\n${text}\n`, exitCode: EXIT_CODES.internal };
}
