/** Where a command writes. Tests pass their own to capture output; the binary uses the process streams. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is a terminal (live tables, colours); false in pipes and tests. */
  isTty: boolean;
}

export const processIo: CliIo = {
  stdout: (text) => {
    process.stdout.write(text);
  },
  stderr: (text) => {
    process.stderr.write(text);
  },
  isTty: Boolean(process.stdout.isTTY),
};

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
