import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { importBdFile } from '@sase/beads';
import { CliError } from '../../errors.js';
import type { CommandContext } from '../../io.js';
import { withStore } from './shared.js';

export interface BeadImportOptions extends CommandContext {
  /** The bd issues.jsonl file (relative to cwd). */
  file: string;
  dryRun?: boolean;
  /** Replace the bd prefix of every imported id with this one. */
  prefix?: string;
}

/** How many warnings the text output shows; --json lists all of them. */
const SHOWN_WARNINGS = 20;

/**
 * `sase bead import FILE [--dry-run] [--prefix P]`: imports a bd (steveyegge/beads) issues.jsonl into the
 * workspace's bead store, all or nothing. A dry run converts and checks for ids the store already has, and
 * exits 1 when the real import would be refused.
 */
export async function beadImport(options: BeadImportOptions): Promise<number> {
  const file = resolve(options.cwd, options.file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') {
      throw new CliError(
        'FILE_NOT_FOUND',
        `cannot read ${file}: no such file; pass a bd .beads/issues.jsonl`,
      );
    }
    throw error;
  }
  return withStore(options, (store) => {
    const result = importBdFile(store, text, {
      dryRun: Boolean(options.dryRun),
      ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
    });
    const io = options.io;
    if (options.json) {
      io.stdout(
        `${JSON.stringify(
          {
            file,
            store: store.jsonlPath,
            dry_run: result.dryRun,
            converted: result.records.length,
            imported: result.imported,
            skipped: result.skipped,
            skipped_by_reason: result.skippedByReason,
            conflicts: result.conflicts,
            warnings: result.warnings,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      const reasons = Object.entries(result.skippedByReason)
        .map(([reason, count]) => `${reason} ${count}`)
        .join(', ');
      const skipped = result.skipped > 0 ? ` (skipped ${result.skipped}: ${reasons})` : '';
      io.stdout(
        result.dryRun
          ? `dry run: would import ${result.records.length} beads from ${file} into ${store.jsonlPath}${skipped}; nothing written\n`
          : `imported ${result.imported} beads from ${file} into ${store.jsonlPath}${skipped}\n`,
      );
      if (result.conflicts.length > 0) {
        io.stdout(
          `${result.conflicts.length} id(s) already in the store, so the import would be refused: ${result.conflicts.slice(0, SHOWN_WARNINGS).join(', ')}${result.conflicts.length > SHOWN_WARNINGS ? `, … and ${result.conflicts.length - SHOWN_WARNINGS} more (--json lists all)` : ''}\n`,
        );
      }
      for (const warning of result.warnings.slice(0, SHOWN_WARNINGS)) io.stderr(`warning: ${warning}\n`);
      if (result.warnings.length > SHOWN_WARNINGS) {
        io.stderr(`warning: … and ${result.warnings.length - SHOWN_WARNINGS} more (--json lists all)\n`);
      }
      if (!result.dryRun && result.warnings.length > 0) {
        io.stdout('run `sase bead doctor` to see edges to beads that were not in the file\n');
      }
    }
    return result.conflicts.length > 0 ? 1 : 0;
  });
}
