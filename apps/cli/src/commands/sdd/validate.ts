import { formatDiagnostic, validateSdd } from '@sase/sdd';
import type { CommandContext } from '../../io.js';
import { openSdd } from './open-sdd.js';

export interface SddValidateOptions extends CommandContext {
  env?: NodeJS.ProcessEnv;
}

/**
 * `sase sdd validate`: checks the link graph of the SDD tree (plans <-> prompt snapshots <-> beads, phase
 * ids and dependencies) and prints every problem as `file:line:column: error|warning reason [rule-id]`.
 * Exit 1 when any error was found.
 */
export async function sddValidate(options: SddValidateOptions): Promise<number> {
  const { store } = await openSdd(options.cwd, options.env ?? process.env);
  const result = await validateSdd(store);
  if (options.json) {
    options.io.stdout(`${JSON.stringify({ ok: result.ok, diagnostics: result.diagnostics }, null, 2)}\n`);
    return result.ok ? 0 : 1;
  }
  for (const diagnostic of result.diagnostics) options.io.stdout(`${formatDiagnostic(diagnostic)}\n`);
  const errors = result.diagnostics.filter((diagnostic) => diagnostic.fatal).length;
  const warnings = result.diagnostics.length - errors;
  const summary = `${errors} error(s), ${warnings} warning(s)`;
  if (result.ok) {
    const files = store.list().length + store.list('changes').length;
    options.io.stdout(`${store.workspacePath('.')}/: ${files} file(s) checked, ${summary}\n`);
  } else {
    options.io.stderr(`sase: SDD validation failed: ${summary}\n`);
  }
  return result.ok ? 0 : 1;
}
