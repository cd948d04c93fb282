import { type Command, Option } from '../../commander.js';
import type { CliRuntime } from '../../runtime.js';

/** `sase plan submit|approve`: each command loads its module (and @sase/sdd) only when it runs. */
export function registerPlan(program: Command, runtime: CliRuntime): void {
  const plan = program
    .command('plan')
    .description('submit plans (tales, epics, legends) and promote them to beads');

  plan
    .command('submit')
    .description(
      'write a plan and its expanded prompt snapshot, cross-linked (resubmitting a name adds a round)',
    )
    .argument('<plan>', 'the plan Markdown file, or - for stdin')
    .addOption(
      new Option('--tier <tier>', 'tale, epic or legend')
        .choices(['tale', 'epic', 'legend'])
        .makeOptionMandatory(),
    )
    .option('--prompt <file>', 'the prompt the plan was made from (- for stdin), expanded into the snapshot')
    .option('--name <name>', 'the plan name, a slug (default: from the title, else the file name)')
    .option('--qa <file>', 'Q: / A: pairs from planning, merged into "### Questions and Answers"')
    .option('-m, --model <model>', "the model annotation (default: the prompt's %model)")
    .option('--json', 'print {"plan", "prompt", ...} paths')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./submit.js')).planSubmit({
          ...context,
          file: args[0] as string,
          tier: options.tier,
          prompt: options.prompt,
          name: options.name,
          qa: options.qa,
          model: options.model,
        }),
      ),
    );

  plan
    .command('approve')
    .description('promote a plan to beads and record the approval in it (idempotent)')
    .argument('<plan>', 'a plan name or path')
    .option('--by <name>', 'who approves (default: git user.name, else $USER)')
    .option('--json', 'print {"plan", "bead", "phases"}')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./approve.js')).planApprove({ ...context, plan: args[0] as string, by: options.by }),
      ),
    );
}
