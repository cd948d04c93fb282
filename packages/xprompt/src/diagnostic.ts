/**
 * One problem found in a prompt or an xprompt file, in the style of unified's vfile messages: what is wrong
 * (`reason`), where (`file`, 1-based `line` and `column`), which rule found it (`ruleId`, kebab-case and
 * stable), and whether it stops the prompt from being used (`fatal`; false means a warning).
 */
export interface Diagnostic {
  reason: string;
  file: string;
  line: number;
  column: number;
  ruleId: string;
  fatal: boolean;
}

/** A diagnostic as JSON (snake_case keys), e.g. in `sase xprompt expand --json`. */
export interface DiagnosticJson {
  reason: string;
  file: string;
  line: number;
  column: number;
  rule_id: string;
  fatal: boolean;
}

/**
 * `file:line:column: reason [ruleId]` for errors and `file:line:column: warning: reason [ruleId]` for
 * warnings: the shape editors and terminals turn into links.
 */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}`;
  const severity = diagnostic.fatal ? '' : 'warning: ';
  return `${where}: ${severity}${diagnostic.reason} [${diagnostic.ruleId}]`;
}

/** True when at least one diagnostic is an error (not a warning). */
export function hasFatalDiagnostic(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.fatal);
}

export function diagnosticToJson(diagnostic: Diagnostic): DiagnosticJson {
  return {
    reason: diagnostic.reason,
    file: diagnostic.file,
    line: diagnostic.line,
    column: diagnostic.column,
    rule_id: diagnostic.ruleId,
    fatal: diagnostic.fatal,
  };
}
