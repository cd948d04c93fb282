import type { Command } from '../../commander.js';
import type { CliRuntime } from '../../runtime.js';

/** `sase axe start|stop|status`: the workspace's supervisor. Each command's module loads only when it runs. */
export function registerAxe(program: Command, runtime: CliRuntime): void {
  const axe = program
    .command('axe')
    .description('the AXE supervisor: starts each agent the moment its %wait targets have completed');

  axe
    .command('start')
    .description('start the supervisor of this workspace in the background (idempotent)')
    .option('--json', 'print {"running": true, "pid": N, "started": bool, "log": PATH}')
    .action(runtime.run(async ({ context }) => (await import('./start.js')).axeStart(context)));

  axe
    .command('stop')
    .description('stop the supervisor; the agents it runs are killed and recorded as killed')
    .option('--json', 'print {"running": false, "pid": N|null, "was_running": bool}')
    .action(runtime.run(async ({ context }) => (await import('./stop.js')).axeStop(context)));

  axe
    .command('status')
    .description('whether the supervisor runs, and the running, waiting and finished agents')
    .option('--json', 'print {"running": bool, "pid": number|null, "agents": [...]}')
    .action(runtime.run(async ({ context }) => (await import('./status.js')).axeStatus(context)));

  axe
    .command('serve', { hidden: true })
    .description('run the supervisor in the foreground until SIGTERM (what `axe start` runs detached)')
    .option('--in-process', 'run agents inside the supervisor instead of in agent hosts')
    .option('--json', 'accepted for uniformity; the output is the log')
    .action(
      runtime.run(async ({ options, context }) =>
        (await import('./serve.js')).axeServe({ ...context, isInProcess: Boolean(options.inProcess) }),
      ),
    );

  axe
    .command('host', { hidden: true })
    .description('run one attempt of one agent for the supervisor (an agent host)')
    .argument('<root>', 'the workspace root')
    .argument('[name]', 'the agent (without it: a warm spare that reads {"name","attempt"} from stdin)')
    .argument('[attempt]', 'the attempt number')
    .option('--json', 'accepted for uniformity')
    .action(
      runtime.run(async ({ args, context }) =>
        (await import('./host.js')).axeHost({
          ...context,
          root: String(args[0]),
          ...(args[1] === undefined ? {} : { name: String(args[1]), attempt: Number(args[2]) }),
        }),
      ),
    );
}
