import type { Command } from '../../commander.js';
import type { CliRuntime } from '../../runtime.js';

/** `sase init`: set up a workspace. */
export function registerInit(program: Command, runtime: CliRuntime): void {
  program
    .command('init')
    .description('set up SASE in this checkout: .sase/, its .gitignore entry and the bead store')
    .option('--prefix <prefix>', 'bead id prefix (default: sase.yml beads.prefix, else the directory name)')
    .option('--json', 'machine-readable output')
    .action(
      runtime.run(async ({ options, context }) =>
        (await import('./init.js')).init({ ...context, prefix: options.prefix }),
      ),
    );
}
