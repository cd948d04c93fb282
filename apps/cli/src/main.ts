import { commandIndex } from './argv.js';
import { registerAce } from './commands/ace/register.js';
import { registerAgent } from './commands/agent/register.js';
import { registerAxe } from './commands/axe/register.js';
import { registerBead } from './commands/bead/register.js';
import { registerChange } from './commands/change/register.js';
import { registerInit } from './commands/init/register.js';
import { registerLaunchers } from './commands/launchers/register.js';
import { registerPlan } from './commands/plan/register.js';
import { registerRun } from './commands/run/register.js';
import { registerSdd } from './commands/sdd/register.js';
import { registerWorker } from './commands/worker/register.js';
import { registerWorkspace } from './commands/workspace/register.js';
import { registerXprompt } from './commands/xprompt/register.js';
import { type MainOptions, type Register, runProgram } from './program.js';

export type { MainOptions } from './program.js';

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
  ['change', registerChange],
  ['workspace', registerWorkspace],
  ['ace', registerAce],
  ['worker', registerWorker],
]);

/**
 * Runs the `sase` command line and resolves to the exit code. It never calls process.exit, so tests call it
 * in-process. Each command's module (and so each heavy dependency) is imported only when that command runs.
 */
export function main(argv: string[], options: MainOptions = {}): Promise<number> {
  // Declaring ~50 commands costs a few milliseconds of every start-up; a command line that names a group
  // needs only that group. Help, a typo or no command at all declares every group (for listings and
  // "did you mean").
  const group = GROUPS.get(argv[commandIndex(argv)] ?? '');
  return runProgram(argv, options, (program, runtime) => {
    if (group) group(program, runtime);
    else for (const register of GROUPS.values()) register(program, runtime);
  });
}
