import { writeSync } from 'node:fs';

/** Where a command writes. Tests pass their own to capture output; the binary uses the process streams. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is a terminal (live tables, colours); false in pipes and tests. */
  isTty: boolean;
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
 */
export function createRedrawer(io: CliIo): (text: string) => void {
  let drawn = 0;
  return (text) => {
    if (!io.isTty) {
      io.stdout(`${text}\n`);
      return;
    }
    io.stdout(`${drawn > 0 ? `\x1b[${drawn}A\x1b[J` : ''}${text}`);
    drawn = text.split('\n').length - 1;
  };
}
