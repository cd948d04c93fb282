import { type Command, Option } from '../../commander.js';
import type { CliRuntime } from '../../runtime.js';

const STATUSES = ['wip', 'draft', 'ready', 'mailed', 'submitted', 'reverted', 'archived'];

/** `sase change list|show|diff|status|comment|land`: the ChangeSpecs of agents' changes. */
export function registerChange(program: Command, runtime: CliRuntime): void {
  const change = program
    .command('change')
    .description("agents' changes: their ChangeSpecs (commits, checks, status) and landing them");

  change
    .command('list')
    .description('every ChangeSpec: name, status, commits, checks')
    .addOption(new Option('-s, --status <status>', 'only changes with this status').choices(STATUSES))
    .option('--json', 'print an array of ChangeSpecs (frontmatter keys, commits, hooks)')
    .action(
      runtime.run(async ({ options, context }) =>
        (await import('./change.js')).changeList({ ...context, status: options.status }),
      ),
    );

  change
    .command('show')
    .description('one ChangeSpec: its commits with their drawers, its checks, comments and history')
    .argument('<name>', 'the change (its agent name, e.g. a phase id)')
    .option('--json', 'print the ChangeSpec (frontmatter keys, commits, hooks, comments, timestamps)')
    .action(
      runtime.run(async ({ args, context }) =>
        (await import('./change.js')).changeShow({ ...context, name: String(args[0]) }),
      ),
    );

  change
    .command('diff')
    .description("the change's own commits as patches (its blockers' work left out)")
    .argument('<name>', 'the change')
    .option('--json', 'print {name, diff}')
    .action(
      runtime.run(async ({ args, context }) =>
        (await import('./change.js')).changeDiffCommand({ ...context, name: String(args[0]) }),
      ),
    );

  change
    .command('status')
    .description('move a change along its lifecycle (wip → draft|ready → mailed → submitted; any → archived)')
    .argument('<name>', 'the change')
    .argument('<status>', STATUSES.join(', '))
    .option('--json', 'print the ChangeSpec')
    .action(
      runtime.run(async ({ args, context }) =>
        (await import('./change.js')).changeStatus({
          ...context,
          name: String(args[0]),
          status: String(args[1]),
        }),
      ),
    );

  change
    .command('comment')
    .description('add a comment to a change')
    .argument('<name>', 'the change')
    .argument('<text...>', 'the comment')
    .option('--json', 'print the ChangeSpec')
    .action(
      runtime.run(async ({ args, context }) =>
        (await import('./change.js')).changeComment({
          ...context,
          name: String(args[0]),
          text: (args[1] as string[]).join(' '),
        }),
      ),
    );

  change
    .command('review')
    .description("a mentor's verdict on a change: --approve or --request-changes, with what it found")
    .argument('<name>', 'the change')
    .requiredOption(
      '--mentor <name>',
      'the mentor (sase.yml changes.mentors[].name; a mentor agent has $SASE_MENTOR)',
    )
    .option('--approve', 'the change is right')
    .option('--request-changes', 'the change must change: the reviewed agent is retried with your text')
    .requiredOption('-m, --message <text>', 'what you found')
    .option('--json', 'print the ChangeSpec')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./change.js')).changeReview({
          ...context,
          name: String(args[0]),
          mentor: options.mentor,
          isApproved: Boolean(options.approve),
          isChangeRequested: Boolean(options.requestChanges),
          message: options.message,
        }),
      ),
    );

  change
    .command('land')
    .description(
      "merge an epic's phase branches into the branch `sase bead work` ran on, in dependency order",
    )
    .argument('<epic>', 'the epic bead')
    .option('--json', 'print {epic, branch, landed, skipped, removed, deleted_branches, epic_closed}')
    .action(
      runtime.run(async ({ args, context }) =>
        (await import('./change.js')).changeLand({ ...context, epic: String(args[0]) }),
      ),
    );
}
