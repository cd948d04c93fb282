import type { Diagnostic } from '@sase/xprompt';

/**
 * One problem in one file: @sase/xprompt's diagnostic, shaped like a unified vfile message (what is wrong,
 * where, which stable rule found it, error or warning). Parsers and the validator collect these instead of
 * throwing.
 */
export type { Diagnostic };

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.fatal);
}

/** `file:line:column: error|warning reason [rule-id]`, one line per diagnostic, as compilers print them. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const severity = diagnostic.fatal ? 'error' : 'warning';
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${severity} ${diagnostic.reason} [${diagnostic.ruleId}]`;
}

/** Orders diagnostics by file, line, column, then rule id, so output is stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
}
