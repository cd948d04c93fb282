import { type Diagnostic, formatDiagnostic } from './diagnostic.js';

/**
 * The stable codes of {@link XPromptError}:
 * - `XPROMPT_INVALID`: a prompt or xprompt has fatal diagnostics (they are in `diagnostics`).
 * - `XPROMPT_NOT_FOUND`: no xprompt has the requested name.
 * - `XPROMPT_INVALID_NAME`: a catalog entry's name is not a valid xprompt name.
 * - `XPROMPT_READ_FAILED`: a catalog directory or file could not be read.
 */
export type XPromptErrorCode =
  | 'XPROMPT_INVALID'
  | 'XPROMPT_NOT_FOUND'
  | 'XPROMPT_INVALID_NAME'
  | 'XPROMPT_READ_FAILED';

export interface XPromptErrorOptions {
  diagnostics?: Diagnostic[];
  file?: string;
  line?: number;
  column?: number;
  name?: string;
  cause?: unknown;
}

/** The one error class of `@sase/xprompt`. User mistakes carry their diagnostics; nothing is a bare stack. */
export class XPromptError extends Error {
  override name = 'XPromptError';
  readonly code: XPromptErrorCode;
  /** Every problem found (for `XPROMPT_INVALID`), errors and warnings, in document order. */
  readonly diagnostics: Diagnostic[];
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The xprompt name concerned, when there is one. */
  readonly xpromptName: string | undefined;

  constructor(code: XPromptErrorCode, message: string, options: XPromptErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.diagnostics = options.diagnostics ?? [];
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
    this.xpromptName = options.name;
  }

  /**
   * An `XPROMPT_INVALID` error whose message is the first fatal diagnostic, formatted
   * (`file:line:column: reason [ruleId]`), plus how many more there are.
   */
  static fromDiagnostics(diagnostics: readonly Diagnostic[]): XPromptError {
    const fatal = diagnostics.filter((diagnostic) => diagnostic.fatal);
    const first = fatal[0] ?? diagnostics[0];
    const more =
      fatal.length > 1 ? ` (and ${fatal.length - 1} more error${fatal.length > 2 ? 's' : ''})` : '';
    const message = first ? `${formatDiagnostic(first)}${more}` : 'invalid prompt';
    return new XPromptError('XPROMPT_INVALID', message, {
      diagnostics: [...diagnostics],
      file: first?.file,
      line: first?.line,
      column: first?.column,
    });
  }
}
