import { type Command, InvalidArgumentError, Option } from '../../commander.js';
import { CliError } from '../../errors.js';
import type { CliRuntime } from '../../runtime.js';

function positiveInteger(value: string): number {
  if (!/^[1-9]\d{0,6}$/.test(value.trim()))
    throw new InvalidArgumentError('expected a whole number ≥ 1, like 4.');
  return Number(value);
}

function launcherList(value: string): string[] {
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length === 0 || ids.some((id) => !/^[a-z][a-z0-9-]*$/.test(id))) {
    throw new InvalidArgumentError('expected launcher ids separated by commas, like shell,claude.');
  }
  return ids;
}

function requiredQueue(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new CliError(
      'USAGE',
      "required option '--queue <url>' not specified: give redis://HOST:PORT[/DB]",
      2,
    );
  }
  return value;
}

/** `sase worker`: runs agents that workspaces dispatch through a Redis queue (sase.yml `axe.queue`). */
export function registerWorker(program: Command, runtime: CliRuntime): void {
  const worker = program
    .command('worker')
    .description('run agents dispatched through a Redis queue (sase.yml axe.queue), on this machine')
    .option('--queue <url>', 'the queue: redis://HOST:PORT[/DB] (required)')
    .option('--concurrency <n>', 'agents run at once (default 1)', positiveInteger)
    .option(
      '--launchers <ids>',
      'the launchers whose agents it takes (default: shell and every agent CLI found on this machine)',
      launcherList,
    )
    .option('--dir <dir>', 'where it keeps its clones of the projects (default ~/.sase/worker)')
    .option('--host <name>', 'its name in listings and in "worker <host> lost" (default: the host name)')
    .addOption(
      new Option('--lock-ms <ms>', 'how long a job stays locked without renewal (tests)')
        .argParser(positiveInteger)
        .hideHelp(),
    )
    .action(
      runtime.run(async ({ options, context }) =>
        (await import('./worker.js')).workerRun({
          ...context,
          queue: requiredQueue(options.queue),
          concurrency: options.concurrency,
          launchers: options.launchers,
          dir: options.dir,
          host: options.host,
          lockMs: options.lockMs,
        }),
      ),
    );

  // `sase worker status --queue URL`: the option is the parent's (commander reads it on either side).
  worker
    .command('status')
    .description('the workers connected to the queue (--queue URL), and the launches waiting for one')
    .option('--json', 'print {workers: [{host, pid, launchers, running, capacity}], waiting}')
    .action(
      runtime.run(async ({ context }) =>
        (await import('./worker.js')).workerStatus({ ...context, queue: requiredQueue(worker.opts().queue) }),
      ),
    );
}
