import type { Command } from '../../commander.js';
import type { CliRuntime } from '../../runtime.js';

/** `sase sdd init|list|validate|commit`: each command loads its module (and @sase/sdd) only when it runs. */
export function registerSdd(program: Command, runtime: CliRuntime): void {
  const sdd = program
    .command('sdd')
    .description('the Spec-Driven Development tree: tales, epics, legends, prompts');

  sdd
    .command('init')
    .description(
      'create the SDD tree, its READMEs and MAP.md (and its git repository by default); idempotent',
    )
    .option('--json', 'machine-readable output')
    .action(runtime.run(async ({ context }) => (await import('./init.js')).sddInit({ ...context })));

  sdd
    .command('list')
    .description('list plans or prompt snapshots')
    .option('-k, --kind <kind>', 'tales, epics, legends or prompts (default: all)')
    .option('--json', 'print an array of entries')
    .action(
      runtime.run(async ({ options, context }) =>
        (await import('./list.js')).sddList({ ...context, kind: options.kind }),
      ),
    );

  sdd
    .command('validate')
    .description('check the links between plans, prompt snapshots and beads; exit 1 on any error')
    .option('--json', 'print {"ok", "diagnostics"}')
    .action(runtime.run(async ({ context }) => (await import('./validate.js')).sddValidate({ ...context })));

  sdd
    .command('commit')
    .description('commit what is pending in the standalone SDD repository (bead edits, plans)')
    .option('-m, --message <message>', 'the commit message (default: "sdd: commit pending changes")')
    .option('--json', 'print {"root", "mode", "commit"}')
    .action(
      runtime.run(async ({ options, context }) =>
        (await import('./commit.js')).sddCommit({ ...context, message: options.message }),
      ),
    );
}
