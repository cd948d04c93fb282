import { isAbsolute, relative } from 'node:path';
import { type Diagnostic, formatDiagnostic } from '@sase/xprompt';
import type { CliIo } from '../../io.js';

/** Prints diagnostics on stderr as `file:line:column: reason [ruleId]`, absolute paths made relative to cwd. */
export function printDiagnostics(io: CliIo, diagnostics: readonly Diagnostic[], cwd: string): void {
  for (const diagnostic of diagnostics) {
    io.stderr(`${formatDiagnostic({ ...diagnostic, file: displayPath(diagnostic.file, cwd) })}\n`);
  }
}

/** An absolute path below cwd becomes relative (`.xprompts/review.md`); anything else is kept. */
export function displayPath(file: string, cwd: string): string {
  if (!isAbsolute(file)) return file;
  const path = relative(cwd, file);
  return path.startsWith('..') || isAbsolute(path) ? file : path;
}
