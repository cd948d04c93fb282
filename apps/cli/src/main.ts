import { resolve } from 'node:path';
import { Command, CommanderError } from './commander.js';
import { registerAgent } from './commands/agent/register.js';
import { registerAxe } from './commands/axe/register.js';
import { registerBead } from './commands/bead/register.js';
import { registerInit } from './commands/init/register.js';
import { registerLaunchers } from './commands/launchers/register.js';
import { registerPlan } from './commands/plan/register.js';
import { registerRun } from './commands/run/register.js';
import { registerSdd } from './commands/sdd/register.js';
import { registerXprompt } from './commands/xprompt/register.js';
import { formatError } from './errors.js';
import { type CliIo, processIo } from './io.js';
import { CliRuntime } from './runtime.js';

declare const __SASE_VERSION__: string;

type Register = (program: Command, runtime: CliRuntime) => void;

/** Top-level command name → the function that declares it (and its subcommands). */
const GROUPS = new Map<string, Register>([
  ['init', registerInit],
  ['bead', registerBead],
  ['xprompt', registerXprompt],
  ['plan', registerPlan],
  ['sdd', registerSdd],
  ['run', registerRun],
  ['launchers', registerLaunchers],
  ['axe', registerAxe],
  ['agent', registerAgent],
]);

/** The first argument that is not an option (or the value of `-C DIR`). */
function commandName(argv: readonly string[]): string | undefined {
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '-C' || arg === '--cwd') index++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

export interface MainOptions {
  cwd?: string;
  io?: CliIo;
}

/**
 * Runs the `sase` command line and resolves to the exit code. It never calls process.exit, so tests call it
 * in-process. Each command's module (and so each heavy dependency) is imported only when that command runs.
 */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  const program = new Command('sase');
  const runtime = new CliRuntime(io, () => resolve(options.cwd ?? process.cwd(), program.opts().cwd ?? '.'));
  program
    .description('SASE: plans, beads, launchers and a supervisor for fleets of coding agents.')
    .version(typeof __SASE_VERSION__ === 'string' ? __SASE_VERSION__ : '0.0.0-dev', '-V, --version')
    .option('-C, --cwd <dir>', 'run as if sase was started in <dir>')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    })
    .exitOverride();

  // Declaring ~50 commands costs a few milliseconds of every start-up; a command line that names a group
  // needs only that group. Help, a typo or no command at all declares every group (for listings and
  // "did you mean").
  const group = GROUPS.get(commandName(argv) ?? '');
  if (group) group(program, runtime);
  else for (const register of GROUPS.values()) register(program, runtime);

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
