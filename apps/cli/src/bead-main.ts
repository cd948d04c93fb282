import { beadCommandOf, registerBead } from './commands/bead/register.js';
import { type MainOptions, runProgram } from './program.js';

/**
 * `sase bead ...` on its own: built as a CommonJS bundle (dist/bead-main.cjs) that bin.cjs loads with
 * require(), so that the commands agents run in tight loops never start Node's ESM loader. `bead work`
 * (scheduler, launchers, xprompts) is not part of it: bin.cjs sends it to the full CLI.
 */
export function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const only = beadCommandOf(argv);
  return runProgram(argv, options, (program, runtime) => registerBead(program, runtime, only));
}
