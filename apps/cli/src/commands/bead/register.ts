import { type Command, Option } from '../../commander.js';
import { type CliRuntime, collect } from '../../runtime.js';

const STATUSES = ['open', 'in_progress', 'closed'];

/** `sase bead ...`: every command loads its module (and @sase/beads) only when it runs. */
export function registerBead(program: Command, runtime: CliRuntime): void {
  const bead = program.command('bead').description('issue-shaped work units with dependency order');

  bead
    .command('init')
    .description('create the bead store of this workspace (idempotent)')
    .option('--prefix <prefix>', 'id prefix (default: sase.yml beads.prefix, else the directory name)')
    .option('--json', 'machine-readable output')
    .action(
      runtime.run(async ({ options, context }) =>
        (await import('./init.js')).beadInit({ ...context, prefix: options.prefix }),
      ),
    );

  bead
    .command('create')
    .description('create a bead and print it')
    .argument('[title]', 'the title (or -t)')
    .option('-t, --title <title>', 'the title')
    .option('-d, --description <text>', 'the description')
    .addOption(
      new Option('--type <type>', 'plan or phase (default: phase under an epic, else plan)').choices([
        'plan',
        'phase',
      ]),
    )
    .addOption(
      new Option('--tier <tier>', 'plan beads: plan, epic or legend').choices(['plan', 'epic', 'legend']),
    )
    .option('--parent <id>', 'the parent plan bead (phases: the epic)')
    .option('--design <path>', 'the plan file this bead carries out')
    .option('-m, --model <model>', 'the model annotation')
    .option('-a, --assignee <name>', 'who works on it')
    .option('--notes <text>', 'notes')
    .option('--epic-count <n>', 'legends: how many epics to plan', (value) => Number.parseInt(value, 10))
    .option('--deps <ids>', 'comma-separated ids this bead depends on (blocks)', collect)
    .option('--json', 'print the record')
    .action(
      runtime.run(async ({ args, options, context }) => {
        const title = options.title ?? args[0];
        if (typeof title !== 'string' || title.trim() === '') {
          const { CliError } = await import('../../errors.js');
          throw new CliError('INVALID_INPUT', 'a title is required: sase bead create -t "Add login page"');
        }
        return (await import('./create.js')).beadCreate({ ...context, ...options, title });
      }),
    );

  bead
    .command('show')
    .description('show beads in detail')
    .argument('<ids...>', 'bead ids (prefix optional)')
    .option('--json', 'print an array of records')
    .action(
      runtime.run(async ({ args, context }) =>
        (await import('./show.js')).beadShow({ ...context, ids: args[0] as string[] }),
      ),
    );

  bead
    .command('list')
    .description('list beads in natural id order')
    .addOption(
      new Option('-s, --status <status>', 'only this status (repeatable)')
        .choices(STATUSES)
        .argParser(collect),
    )
    .addOption(new Option('--type <type>', 'plan or phase').choices(['plan', 'phase']))
    .addOption(new Option('--tier <tier>', 'plan, epic or legend').choices(['plan', 'epic', 'legend']))
    .option('--parent <id>', 'children of this bead')
    .option('--json', 'print an array of records')
    .action(
      runtime.run(async ({ options, context }) =>
        (await import('./list.js')).beadList({ ...context, ...options }),
      ),
    );

  bead
    .command('update')
    .description('change fields of beads (an empty value clears a field)')
    .argument('<ids...>', 'bead ids')
    .addOption(new Option('-s, --status <status>', 'new status').choices(STATUSES))
    .option('-t, --title <title>', 'new title')
    .option('-d, --description <text>', 'new description')
    .option('-a, --assignee <name>', 'new assignee')
    .option('-m, --model <model>', 'new model annotation')
    .option('--design <path>', 'new plan path')
    .option('--notes <text>', 'new notes')
    .option('--json', 'print the changed records')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./update.js')).beadUpdate({ ...context, ...options, ids: args[0] as string[] }),
      ),
    );

  bead
    .command('close')
    .description('close beads')
    .argument('<ids...>', 'bead ids')
    .option('-r, --reason <reason>', 'why')
    .option('--json', 'print the closed records')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./close.js')).beadClose({
          ...context,
          ids: args[0] as string[],
          reason: options.reason,
        }),
      ),
    );

  bead
    .command('reopen')
    .description('move a closed bead back to open')
    .argument('<id>', 'bead id')
    .option('--json', 'print the record')
    .action(
      runtime.run(async ({ args, context }) =>
        (await import('./close.js')).beadReopen({ ...context, id: args[0] as string }),
      ),
    );

  const dep = bead.command('dep').description('dependency edges: A depends on B');
  dep
    .command('add')
    .description('A depends on B (refused if it would close a cycle)')
    .argument('<a>', 'the bead that waits')
    .argument('<b>', 'the bead it waits for')
    .addOption(
      new Option('--type <type>', 'blocks (orders work) or related')
        .choices(['blocks', 'related'])
        .default('blocks'),
    )
    .option('--json', 'print the changed record')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./dep.js')).beadDepAdd({
          ...context,
          bead: args[0] as string,
          dependsOn: args[1] as string,
          type: options.type,
        }),
      ),
    );
  dep
    .command('rm')
    .description('remove the dependency of A on B')
    .argument('<a>', 'the bead that waits')
    .argument('<b>', 'the bead it waits for')
    .option('--json', 'machine-readable output')
    .action(
      runtime.run(async ({ args, context }) =>
        (await import('./dep.js')).beadDepRemove({
          ...context,
          bead: args[0] as string,
          dependsOn: args[1] as string,
        }),
      ),
    );
  dep
    .command('tree')
    .description('what a bead depends on, recursively')
    .argument('<id>', 'bead id')
    .option('--up', 'show what depends on it instead')
    .option('--json', 'print the tree as JSON')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./dep.js')).beadDepTree({ ...context, id: args[0] as string, up: options.up }),
      ),
    );

  bead
    .command('ready')
    .description('open beads whose blockers are all closed')
    .option('--json', 'print an array of records')
    .action(runtime.run(async ({ context }) => (await import('./ready.js')).beadReady(context)));

  bead
    .command('blocked')
    .description('open beads waiting on a blocker, with their blockers')
    .option('--json', 'print an array of records with blocked_by')
    .action(runtime.run(async ({ context }) => (await import('./blocked.js')).beadBlocked(context)));

  bead
    .command('doctor')
    .description('check the store for missing beads, cycles and drift')
    .option('--fix', 'repair what is safe to repair')
    .option('--json', 'print the report')
    .action(
      runtime.run(async ({ options, context }) =>
        (await import('./doctor.js')).beadDoctor({ ...context, fix: options.fix }),
      ),
    );

  bead
    .command('merge')
    .description("git's merge driver for the bead store (%O %A %B %P), or --install to set it up")
    .argument('[base]', "the common ancestor's version (git's %O)")
    .argument('[ours]', 'our version, replaced by the merge (%A)')
    .argument('[theirs]', 'their version (%B)')
    .argument('[path]', 'the path in the repository (%P)')
    .option('--install', 'configure git in the repository that holds the store to use this driver')
    .option('--command <command>', 'with --install: the command git runs (default: sase bead merge)')
    .option('--json', 'print what was merged (or installed)')
    .action(
      runtime.run(async ({ args, options, context }) => {
        const merge = await import('./merge.js');
        if (options.install) return merge.beadMergeInstall({ ...context, command: options.command });
        const [base, ours, theirs, path] = args as (string | undefined)[];
        return merge.beadMerge({ ...context, base, ours, theirs, path });
      }),
    );

  bead
    .command('work')
    .description(
      'run an epic: one agent per open phase in dependency order, then a land agent (a legend: epic planners)',
    )
    .argument('<id>', 'the epic (or legend) plan bead')
    .option('-n, --dry-run', 'print the wave table and the multi-prompt; change nothing')
    .option('-l, --launcher <id>', 'the launcher of the agents (default: sase.yml launcher.default)')
    .option('--wait', 'follow the run until every agent is settled; exit 0 only if all completed')
    .option('--json', 'print the plan as JSON')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./work.js')).beadWork({
          ...context,
          id: args[0] as string,
          dryRun: Boolean(options.dryRun),
          launcher: options.launcher,
          wait: Boolean(options.wait),
        }),
      ),
    );

  bead
    .command('graph')
    .description('the dependency picture of a bead (and what is below it) or of the whole store')
    .argument('[id]', 'an epic, legend or any bead (default: the whole store)')
    .addOption(
      new Option('--format <format>', 'mermaid or dot').choices(['mermaid', 'dot']).default('mermaid'),
    )
    .option('--json', 'print {format, graph}')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./graph.js')).beadGraph({
          ...context,
          id: args[0] as string | undefined,
          format: options.format,
        }),
      ),
    );

  bead
    .command('import')
    .description('import a bd (steveyegge/beads) issues.jsonl into the store, all or nothing')
    .argument('<file>', 'the bd .beads/issues.jsonl file')
    .option('-n, --dry-run', 'convert and check, print counts and warnings; write nothing')
    .option('--prefix <prefix>', 'replace the bd prefix of every imported id (default: keep the ids)')
    .option('--json', 'print the import report')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./import.js')).beadImport({
          ...context,
          file: args[0] as string,
          dryRun: options.dryRun,
          prefix: options.prefix,
        }),
      ),
    );

  bead
    .command('stats')
    .description('counts by status, type and tier')
    .option('--json', 'machine-readable output')
    .action(runtime.run(async ({ context }) => (await import('./stats.js')).beadStats(context)));
}
