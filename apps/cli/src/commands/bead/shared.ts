import { fstatSync, statSync, writevSync } from 'node:fs';
import { type Bead, type BeadStore, openBeadStore, stringifyRecord, toRecord } from '@sase/beads';
import { findWorkspace, type Workspace } from '@sase/workspace/config';
import { type CliIo, type CommandContext, processIo } from '../../io.js';

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
  createByteOutput(io)([Buffer.from(lines.length === 0 ? '[]\n' : `[\n${lines.join(',\n')}\n]\n`)]);
}

/**
 * Prints the JSON array a store writes in chunks (`writeListJson`, `writeReadyJson`): the same text as
 * printRecordLines, made from the bytes of issues.jsonl without decoding a line. Returns the count.
 */
export function printJsonChunks(io: CliIo, produce: (write: (chunk: Buffer) => void) => number): number {
  const out = createByteOutput(io);
  return produce((chunk) => out([chunk]));
}

/**
 * Where the bytes of a JSON listing go. To the process's own stdout when it is not a terminal (a pipe or a
 * file: what scripts and agents read), straight to descriptor 1 with writev: no decoding into a string and
 * encoding back, and no stream object (building process.stdout costs milliseconds, more for a pipe).
 * Elsewhere (tests, a terminal) as text through `io`. A full non-blocking pipe hands the rest to `io`, which
 * waits for it; a reader that went away (EPIPE) ends the output quietly, as io does.
 */
function createByteOutput(io: CliIo): (pieces: readonly Buffer[]) => void {
  let isDirect = io === processIo && !isTerminal(1);
  let isClosed = false;
  return (pieces) => {
    if (isClosed) return;
    if (!isDirect) {
      io.stdout(Buffer.concat(pieces).toString());
      return;
    }
    const pending = pieces.filter((piece) => piece.length > 0);
    let start = 0;
    while (start < pending.length) {
      let written: number;
      try {
        // writev takes at most 1024 pieces at a time.
        written = writevSync(1, pending.slice(start, start + 1024));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          isClosed = true;
          return;
        }
        if (code !== 'EAGAIN') throw error;
        isDirect = false;
        io.stdout(Buffer.concat(pending.slice(start)).toString());
        return;
      }
      while (start < pending.length && written >= pending[start]!.length) written -= pending[start++]!.length;
      if (written > 0) pending[start] = pending[start]!.subarray(written);
    }
  };
}

/**
 * Whether a descriptor may be a terminal: a character device other than /dev/null. (`tty.isatty` would load
 * the `tty` and `net` modules, tens of milliseconds of a start-up on a slow machine.)
 */
function isTerminal(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isCharacterDevice() && stat.rdev !== statSync('/dev/null').rdev;
  } catch {
    return true;
  }
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
