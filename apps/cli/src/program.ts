import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError } from './commander.js';
import { CliError, formatError } from './errors.js';
import { type CliIo, processIo } from './io.js';
import { CliRuntime } from './runtime.js';

declare const __SASE_VERSION__: string;

/** Declares one command group (and its subcommands) on the program. */
export type Register = (program: Command, runtime: CliRuntime) => void;

export interface MainOptions {
  cwd?: string;
  io?: CliIo;
}

/**
 * Builds the `sase` program with the given command groups, runs `argv` through it and resolves to the exit
 * code. It never calls process.exit, so tests call it in-process. Shared by the full CLI (main.ts) and the
 * CommonJS bundle of the bead commands (bead-main.ts).
 */
export async function runProgram(
  argv: string[],
  options: MainOptions,
  declare: (program: Command, runtime: CliRuntime) => void,
): Promise<number> {
  const io = options.io ?? processIo;
  const program = new Command('sase');
  const runtime = new CliRuntime(io, () => resolve(options.cwd ?? process.cwd(), program.opts().cwd ?? '.'));
  program
    .description('SASE: plans, beads, launchers and a supervisor for fleets of coding agents.')
    .version(typeof __SASE_VERSION__ === 'string' ? __SASE_VERSION__ : '0.0.0-dev', '-V, --version')
    .option('-C, --cwd <dir>', 'run as if sase was started in <dir>')
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      // A mistake on the command line reads like every other error: `sase: <what> [USAGE]`, exit 2.
      outputError: (text, write) =>
        write(`sase: ${text.trim().replace(/^error: /, '')} (see --help) [USAGE]\n`),
    })
    .exitOverride()
    .hook('preAction', () => {
      const directory = program.opts().cwd as string | undefined;
      if (directory === undefined) return;
      const path = resolve(options.cwd ?? process.cwd(), directory);
      if (!existsSync(path) || !statSync(path).isDirectory()) {
        throw new CliError(
          'USAGE',
          `-C ${directory}: ${existsSync(path) ? 'is not a directory' : 'no such directory'} (${path})`,
          2,
        );
      }
    });
  declare(program, runtime);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return runtime.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; usage mistakes have already been printed.
      return error.exitCode === 0 ? 0 : 2;
    }
    const { text, exitCode } = formatError(error);
    io.stderr(text);
    return exitCode;
  }
}
