// A real pseudo-terminal for tests, without a native addon: util-linux `script` allocates the pty (its size
// set with stty before the program starts), our pipe is the keyboard, and @xterm/headless (the terminal
// emulator of VS Code, run headless) turns what the program prints into a screen whose rows a test reads.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Terminal as TerminalType } from '@xterm/headless';

const { Terminal } = createRequire(import.meta.url)('@xterm/headless') as typeof import('@xterm/headless');

export interface PtyOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  columns?: number;
  rows?: number;
}

export interface PtySession {
  /** The screen's rows as text, trailing spaces removed. */
  screen(): string[];
  /** Rows whose text wrapped onto the next one (a line longer than the terminal). */
  wrappedRows(): number[];
  /** Everything the program printed, escape sequences included. */
  output(): string;
  /** Types keys (`\r` is enter, `\x1b[A` up, `\x1b` escape...). */
  type(keys: string): void;
  /** Resolves with the screen once `test` holds for it; rejects after `timeoutMs` showing the screen. */
  waitFor(test: RegExp | ((screen: string[]) => boolean), timeoutMs?: number): Promise<string[]>;
  /** Resolves with the exit code once the program ended. */
  exited(): Promise<number | null>;
  /** Ends the program (SIGTERM to `script`, which passes it on) if it still runs. */
  close(): Promise<void>;
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Starts `argv` in a pseudo-terminal of `columns` × `rows` (default 80 × 24). */
export function startInPty(argv: readonly string[], options: PtyOptions): PtySession {
  const columns = options.columns ?? 80;
  const rows = options.rows ?? 24;
  const command = `stty cols ${columns} rows ${rows}; exec ${argv.map(shellQuote).join(' ')}`;
  const child: ChildProcessWithoutNullStreams = spawn(
    'script',
    ['-q', '-f', '-e', '-c', command, '/dev/null'],
    {
      cwd: options.cwd,
      // What @xterm/headless emulates, whatever terminal (or none) the tests run in.
      env: { ...(options.env ?? process.env), TERM: 'xterm-256color' },
    },
  );
  const terminal: TerminalType = new Terminal({
    cols: columns,
    rows,
    allowProposedApi: true,
    scrollback: 200,
  });
  let output = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    terminal.write(text, () => {
      for (const waiter of [...waiters]) waiter();
    });
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  let isExited = false;
  const exit = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      isExited = true;
      for (const waiter of [...waiters]) waiter();
      resolve(code);
    });
  });

  const screen = (): string[] => {
    const buffer = terminal.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < rows; row++) {
      lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    }
    return lines;
  };

  return {
    screen,
    wrappedRows() {
      const buffer = terminal.buffer.active;
      const wrapped: number[] = [];
      for (let row = 0; row < rows; row++)
        if (buffer.getLine(buffer.viewportY + row)?.isWrapped) wrapped.push(row);
      return wrapped;
    },
    output: () => output,
    type(keys) {
      child.stdin.write(keys);
    },
    waitFor(test, timeoutMs = 15_000) {
      const holds = () => {
        const current = screen();
        return typeof test === 'function' ? test(current) : test.test(current.join('\n'));
      };
      return new Promise((resolve, reject) => {
        const check = () => {
          if (holds()) {
            finish();
            resolve(screen());
          } else if (isExited) {
            finish();
            reject(
              new Error(
                `the program ended before the screen matched ${test}:\n${screen().join('\n')}\n${stderr}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `the screen did not match ${test} within ${timeoutMs} ms:\n${screen().join('\n')}\n${stderr}`,
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited: () => exit,
    async close() {
      if (!isExited) {
        child.kill('SIGTERM');
        await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (!isExited) child.kill('SIGKILL');
      }
      terminal.dispose();
    },
  };
}
