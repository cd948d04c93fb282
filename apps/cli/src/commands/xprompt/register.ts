import type { Command } from '../../commander.js';
import type { CliRuntime } from '../../runtime.js';

/** `sase xprompt ...`: each command loads its module (and @sase/xprompt) only when it runs. */
export function registerXprompt(program: Command, runtime: CliRuntime): void {
  const xprompt = program
    .command('xprompt')
    .description('reusable prompt fragments: #references, %directives and --- multi-prompts');

  xprompt
    .command('list')
    .description(
      'list the xprompts of this workspace, your home and the built-ins, and where each comes from',
    )
    .option('--json', 'print an array of {name, description, source, inputs, tags}')
    .action(runtime.run(async ({ context }) => (await import('./list.js')).xpromptList({ ...context })));

  xprompt
    .command('expand')
    .description('print the snapshot of a prompt: every #xprompt resolved, every %directive stripped')
    .argument('[file]', 'the prompt file; - or nothing reads stdin')
    .option('--trace', 'print every expansion (what, from where) on stderr')
    .option('--json', 'print {text, segments: [{text, directives}], diagnostics}')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./expand.js')).xpromptExpand({
          ...context,
          file: args[0] as string | undefined,
          trace: Boolean(options.trace),
        }),
      ),
    );

  xprompt
    .command('explain')
    .description('show an xprompt: its source, description, inputs (types, defaults) and body')
    .argument('<name>', 'the xprompt name, e.g. review or bead/work_phase (a leading # is allowed)')
    .option('--json', 'print the xprompt as JSON')
    .action(
      runtime.run(async ({ args, context }) =>
        (await import('./explain.js')).xpromptExplain({ ...context, name: args[0] as string }),
      ),
    );
}
