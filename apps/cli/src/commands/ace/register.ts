import type { Command } from '../../commander.js';
import type { CliRuntime } from '../../runtime.js';

/** `sase ace`: the full-screen view of the workspace. Its module (and ink and react) load only when it runs. */
export function registerAce(program: Command, runtime: CliRuntime): void {
  program
    .command('ace')
    .description(
      'the full-screen view of the workspace: agents, beads, plans, changes; keys approve, reject, retry, kill',
    )
    .option(
      '--once',
      'print the Agents tab once as plain text and exit (also what happens without a terminal)',
    )
    .option('--width <columns>', 'the width of the --once frame (default $COLUMNS, else 80)')
    .option('--tab <name>', 'the tab to open on: agents, beads, plans or changes')
    .option('--all', 'include %hide agents')
    .option('--json', 'with --once: print the agents as JSON (group, name, state, attempt, waits_on, ...)')
    .action(
      runtime.run(async ({ options, context }) =>
        (await import('./ace.js')).ace({
          ...context,
          isOnce: Boolean(options.once),
          isAll: Boolean(options.all),
          ...(options.width === undefined ? {} : { width: options.width as string }),
          ...(options.tab === undefined ? {} : { tab: options.tab as string }),
        }),
      ),
    );
}
