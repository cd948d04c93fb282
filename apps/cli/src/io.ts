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
