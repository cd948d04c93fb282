import { commandIndex } from '../../argv.js';
import { type Command, InvalidArgumentError, Option } from '../../commander.js';
import { type CliRuntime, collect } from '../../runtime.js';

const STATUSES = ['open', 'in_progress', 'closed'];

/** A whole number ≥ 0, or a usage error that says so (not NaN). */
function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number ≥ 0, like 3.');
  return Number(value.trim());
}

/**
 * `sase bead ...`: every command loads its module (and @sase/beads) only when it runs. With `only`, just
 * that command is declared (the CommonJS lane does so for a command it can see in argv: declaring all of
 * them costs milliseconds of every start-up); without it, all of them, as help needs.
 */
export function registerBead(program: Command, runtime: CliRuntime, only?: string): void {
  const bead = program.command('bead').description('issue-shaped work units with dependency order');
  for (const [name, declare] of Object.entries(COMMANDS))
    if (only === undefined || name === only) declare(bead, runtime);
}

/**
 * The bead command that `argv` runs, when declaring only it changes nothing: a known command, and no help
 * asked for (help lists every command; an unknown one gets suggestions from all of them).
 */
export function beadCommandOf(argv: readonly string[]): string | undefined {
  if (argv.some((arg) => arg === '-h' || arg === '--help')) return undefined;
  const group = commandIndex(argv);
  if (group === -1 || argv[group] !== 'bead') return undefined;
  const name = argv[commandIndex(argv, group + 1)];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}

/** Each command's declaration, in the order help lists them. */
const COMMANDS: Record<string, (bead: Command, runtime: CliRuntime) => void> = {
  init: (bead, runtime) => {
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
  },
  create: (bead, runtime) => {
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
      .option('--epic-count <n>', 'legends: how many epics to plan', wholeNumber)
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
  },
  show: (bead, runtime) => {
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
  },
  list: (bead, runtime) => {
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
  },
  update: (bead, runtime) => {
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
      .option('--force', 'hand a bead someone else holds (in progress) to another assignee')
      .option('--json', 'print the changed records')
      .action(
        runtime.run(async ({ args, options, context }) =>
          (await import('./update.js')).beadUpdate({ ...context, ...options, ids: args[0] as string[] }),
        ),
      );
  },
  claim: (bead, runtime) => {
    bead
      .command('claim')
      .description(
        'take a bead (or, with --next, the first ready one): open → in_progress for you, unless someone holds it',
      )
      .argument('[id]', 'the bead to claim')
      .option('--next', 'claim the first ready bead (exit 3 when none is ready)')
      .option(
        '-a, --assignee <name>',
        'who claims (default: $SASE_AGENT_NAME, else git config user.name, else $USER)',
      )
      .option('--json', 'print the claimed record')
      .action(
        runtime.run(async ({ args, options, context }) =>
          (await import('./claim.js')).beadClaim({
            ...context,
            id: args[0] as string | undefined,
            next: Boolean(options.next),
            assignee: options.assignee,
          }),
        ),
      );
  },
  close: (bead, runtime) => {
    bead
      .command('close')
      .description('close beads (a closed bead stays closed; -r replaces its reason)')
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
  },
  reopen: (bead, runtime) => {
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
  },
  dep: (bead, runtime) => {
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
  },
  ready: (bead, runtime) => {
    bead
      .command('ready')
      .description('open beads whose blockers are all closed')
      .option('--json', 'print an array of records')
      .action(runtime.run(async ({ context }) => (await import('./ready.js')).beadReady(context)));
  },
  blocked: (bead, runtime) => {
    bead
      .command('blocked')
      .description('open beads waiting on a blocker, with their blockers')
      .option('--json', 'print an array of records with blocked_by')
      .action(runtime.run(async ({ context }) => (await import('./blocked.js')).beadBlocked(context)));
  },
  doctor: (bead, runtime) => {
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
  },
  merge: (bead, runtime) => {
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
  },
  work: (bead, runtime) => {
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
  },
  graph: (bead, runtime) => {
    bead
      .command('graph')
      .description(
        'the dependency picture of a bead (and what is below it) or of the whole store; arrows point the way work flows (A → B: B waits for A; a thick grey arrow: parent → phase)',
      )
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
  },
  import: (bead, runtime) => {
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
  },
  stats: (bead, runtime) => {
    bead
      .command('stats')
      .description('counts by status, type and tier')
      .option('--json', 'machine-readable output')
      .action(runtime.run(async ({ context }) => (await import('./stats.js')).beadStats(context)));
  },
};
