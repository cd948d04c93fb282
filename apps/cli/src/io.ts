import { writeSync } from 'node:fs';
import { displayWidth, truncateToWidth } from './internal/terminal-text.js';

/** Where a command writes. Tests pass their own to capture output; the binary uses the process streams. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is a terminal (live tables, colours); false in pipes and tests. */
  isTty: boolean;
  /** The terminal's width in columns when stdout is a terminal that reports it; undefined otherwise. */
  columns?: number | undefined;
  /** The terminal's height in rows, likewise. */
  rows?: number | undefined;
}

/**
 * The process's own output. Text goes to the descriptor with writeSync: no stream object is built (a pipe's
 * would load `net`, a few milliseconds of every start-up), and output is complete when a command returns.
 * A non-blocking descriptor that fills up (EAGAIN) hands the rest, and everything after, to the Node stream;
 * a reader that went away (EPIPE, `sase ... | head`) ends the output quietly.
 */
export const processIo: CliIo = {
  stdout: (text) => writeOut(1, text),
  stderr: (text) => writeOut(2, text),
  get isTty() {
    return Boolean(process.stdout.isTTY);
  },
  get columns() {
    return (process.stdout.isTTY && process.stdout.columns) || undefined;
  },
  get rows() {
    return (process.stdout.isTTY && process.stdout.rows) || undefined;
  },
};

const streamed = new Set<number>();
const closed = new Set<number>();

function writeOut(fd: 1 | 2, text: string): void {
  if (closed.has(fd)) return;
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (streamed.has(fd)) {
    stream.write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') {
      closed.add(fd);
      return;
    }
    if (code !== 'EAGAIN') throw error;
    streamed.add(fd);
    stream.write(bytes.subarray(offset));
  }
}

/** Options every command receives. */
export interface CommandContext {
  cwd: string;
  io: CliIo;
  json: boolean;
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A block of text that is drawn again on each change: on a terminal it replaces the previous drawing in
 * place (cursor up, clear to the end); elsewhere each version is printed after the last, a blank line apart.
 *
 * On a terminal every line is cut (with an ellipsis) to the terminal's width, so that each takes exactly one
 * screen row, and the cursor goes back up by the screen rows drawn, not by the text lines: a line that
 * wrapped used to be counted as one row, and each redraw left stale copies of the table above it. A table
 * taller than the terminal shows its first rows and how many more there are (rows that scrolled off the top
 * cannot be redrawn). When the terminal got narrower since the last drawing, the old lines are counted as
 * the terminal shows them now, rewrapped to the new width (what most terminals do on a resize).
 */
export function createRedrawer(io: CliIo): (text: string) => void {
  /** The display widths of the lines of the last drawing, and the width it was drawn at. */
  let drawn: number[] = [];
  let drawnAt: number | undefined;
  return (text) => {
    if (!io.isTty) {
      io.stdout(`${text}\n`);
      return;
    }
    const columns = io.columns;
    const rows = io.rows;
    let lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
    if (rows !== undefined && rows > 2 && lines.length > rows - 1) {
      const hidden = lines.length - (rows - 2);
      lines = [
        ...lines.slice(0, rows - 2),
        `… ${hidden} more line${hidden === 1 ? '' : 's'} (a taller terminal shows them)`,
      ];
    }
    if (columns !== undefined) lines = lines.map((line) => truncateToWidth(line, columns));
    const up = rowsOf(drawn, drawnAt, columns);
    io.stdout(`${up > 0 ? `\r\x1b[${up}A\x1b[J` : ''}${lines.join('\n')}\n`);
    drawn = lines.map(displayWidth);
    drawnAt = columns;
  };
}

/** The screen rows that lines of these widths take at `columns` (one each when they were cut to fit). */
function rowsOf(widths: readonly number[], drawnAt: number | undefined, columns: number | undefined): number {
  if (columns === undefined || drawnAt === undefined || columns >= drawnAt) return widths.length;
  return widths.reduce((total, width) => total + Math.max(1, Math.ceil(width / columns)), 0);
}
