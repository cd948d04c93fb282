import { type Bead, type BeadStore, openBeadStore, stringifyRecord, toRecord } from '@sase/beads';
import { findWorkspace, type Workspace } from '@sase/workspace/config';
import type { CliIo, CommandContext } from '../../io.js';

/** Opens the bead store of the workspace around `cwd` (STORE_NOT_FOUND says how to create one). */
export async function openWorkspaceStore(cwd: string): Promise<{ workspace: Workspace; store: BeadStore }> {
  const workspace = await findWorkspace(cwd);
  return { workspace, store: openBeadStore({ dir: workspace.beadsDir }) };
}

/** Runs `fn` with the workspace's store open, and releases it afterwards. */
export async function withStore<T>(
  context: CommandContext,
  fn: (store: BeadStore, workspace: Workspace) => T,
): Promise<T> {
  const { workspace, store } = await openWorkspaceStore(context.cwd);
  try {
    return fn(store, workspace);
  } finally {
    store.dispose();
  }
}

/** Prints canonical JSONL lines as one JSON array, a record per line (cheap: no re-serialisation). */
export function printRecordLines(io: CliIo, lines: readonly string[]): void {
  io.stdout(lines.length === 0 ? '[]\n' : `[\n${lines.join(',\n')}\n]\n`);
}

/** The canonical record line (snake_case JSON, SPEC key order) of a bead. */
export function recordLine(bead: Bead): string {
  return stringifyRecord(toRecord(bead));
}

/** Prints beads as a JSON array of snake_case records. */
export function printBeadsJson(io: CliIo, beads: readonly Bead[]): void {
  printRecordLines(io, beads.map(recordLine));
}

const STATUS_WIDTH = 'in_progress'.length;

/** One line per bead: id, status, kind, title — aligned for reading in a terminal. */
export function formatBeadTable(beads: readonly Bead[], extra?: (bead: Bead) => string): string {
  if (beads.length === 0) return '';
  const idWidth = Math.max(...beads.map((bead) => bead.id.length));
  return beads
    .map((bead) => {
      const kind = bead.issueType === 'phase' ? 'phase' : (bead.tier ?? 'plan');
      const who = bead.assignee ? `  @${bead.assignee}` : '';
      const more = extra ? extra(bead) : '';
      return `${bead.id.padEnd(idWidth)}  ${bead.status.padEnd(STATUS_WIDTH)}  ${kind.padEnd(6)}  ${bead.title}${who}${more}\n`;
    })
    .join('');
}

/** Splits `a,b c` style id lists given as variadic arguments. */
export function idList(values: unknown): string[] {
  const list = Array.isArray(values) ? values : [values];
  return list
    .flatMap((value) => String(value).split(','))
    .map((value) => value.trim())
    .filter(Boolean);
}
