import type { Command } from '../../commander.js';
import type { CliRuntime } from '../../runtime.js';

/** `sase agent list|show|logs|kill|retry|wait`: inspect and steer agents. Modules load only when run. */
export function registerAgent(program: Command, runtime: CliRuntime): void {
  const agent = program.command('agent').description('inspect and steer agents (.sase/agents/<name>/)');

  agent
    .command('list')
    .description(
      'every agent: state (waiting, running, completed, failed, killed), attempt, what it waits on',
    )
    .option('--all', 'include %hide agents')
    .option('--watch', 'keep the table up to date until every agent is settled; exit 0 only if all completed')
    .option('--json', 'print an array of {name, state, attempt, waits_on, reason}')
    .action(
      runtime.run(async ({ options, context }) =>
        (await import('./list.js')).agentList({
          ...context,
          isAll: Boolean(options.all),
          isWatching: Boolean(options.watch),
        }),
      ),
    );

  agent
    .command('show')
    .description('one agent in detail')
    .argument('<name>', 'the agent')
    .option('--json', 'print the state, request, outcome and attempts')
    .action(
      runtime.run(async ({ args, context }) =>
        (await import('./show.js')).agentShow({ ...context, name: String(args[0]) }),
      ),
    );

  agent
    .command('logs')
    .description("the agent's transcript: output on stdout, tools and outcome on stderr")
    .argument('<name>', 'the agent')
    .option('--attempt <n>', 'an earlier attempt')
    .option('-f, --follow', 'keep printing until the agent has an outcome')
    .option('--json', 'print the transcript records')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./logs.js')).agentLogs({
          ...context,
          name: String(args[0]),
          ...(options.attempt === undefined ? {} : { attempt: options.attempt as string }),
          isFollowing: Boolean(options.follow),
        }),
      ),
    );

  agent
    .command('kill')
    .description('stop a running agent or cancel a waiting one (recorded as killed)')
    .argument('<name>', 'the agent')
    .option('--reason <text>', 'recorded as the error of the killed outcome')
    .option('--json', 'print {name, previous_state, state}')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./kill.js')).agentKill({
          ...context,
          name: String(args[0]),
          ...(options.reason === undefined ? {} : { reason: options.reason as string }),
        }),
      ),
    );

  agent
    .command('retry')
    .description(
      'start a new attempt of a failed or killed agent; what waited on it proceeds when it completes',
    )
    .argument('<name>', 'the agent')
    .option('--no-start', 'do not start the supervisor')
    .option('--json', 'print {name, attempt, previous_state, supervisor_pid}')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./retry.js')).agentRetry({
          ...context,
          name: String(args[0]),
          isSupervisorStarted: options.start !== false,
        }),
      ),
    );

  agent
    .command('wait')
    .description('block until the agent has an outcome; exit 0 only if it completed')
    .argument('<name>', 'the agent')
    .option('--timeout <seconds>', 'give up after this long (exit 124)')
    .option('--json', 'print its final state')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./wait.js')).agentWait({
          ...context,
          name: String(args[0]),
          ...(options.timeout === undefined ? {} : { timeoutSeconds: options.timeout as string }),
        }),
      ),
    );
}
