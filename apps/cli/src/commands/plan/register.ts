import { type Command, Option } from '../../commander.js';
import type { CliRuntime } from '../../runtime.js';

/** `sase plan submit|approve|reject|show|list`: each command loads its module (and @sase/sdd) only when it runs. */
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
    .option(
      '--agent <name>',
      'submitted by this running %plan agent: its own prompt is the snapshot, and it stops awaiting approval',
    )
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
          agent: options.agent,
        }),
      ),
    );

  plan
    .command('approve')
    .description('promote a plan to beads and record the approval in it (idempotent)')
    .argument('<plan>', 'a plan name or path')
    .option('--by <name>', 'who approves (default: git user.name, else $USER)')
    .option('--json', 'print {"plan", "bead", "phases", "agent", "outcome", "next_attempt"}')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./approve.js')).planApprove({ ...context, plan: args[0] as string, by: options.by }),
      ),
    );

  plan
    .command('reject')
    .description('reject a plan with feedback: a new review round in it, and its agent plans again')
    .argument('<plan>', 'a plan name or path')
    .option('--feedback <text>', 'what the plan should change')
    .option('--feedback-file <file>', 'read the feedback from a file (- for stdin)')
    .option('--by <name>', 'who rejects (default: git user.name, else $USER)')
    .option('--json', 'print {"plan", "agent", "outcome", "next_attempt"}')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./review.js')).planReject({
          ...context,
          plan: args[0] as string,
          feedback: options.feedback,
          feedbackFile: options.feedbackFile,
          by: options.by,
        }),
      ),
    );

  plan
    .command('show')
    .description('one plan: its approval state, reviews and text')
    .argument('<plan>', 'a plan name or path')
    .option('--json', 'print the plan with its state and reviews')
    .action(
      runtime.run(async ({ args, context }) =>
        (await import('./review.js')).planShow({ ...context, plan: args[0] as string }),
      ),
    );

  plan
    .command('list')
    .description('every plan with its approval state, those awaiting approval first')
    .addOption(
      new Option('--status <state>', 'only plans in this state').choices([
        'awaiting',
        'approved',
        'rejected',
      ]),
    )
    .option('--json', 'print an array of plans')
    .action(
      runtime.run(async ({ options, context }) =>
        (await import('./review.js')).planList({ ...context, status: options.status }),
      ),
    );
}
