import { retryAgent } from '@sase/scheduler';
import type { CommandContext } from '../../io.js';
import { printJson } from '../../io.js';
import { ensureSupervisor, openAgentWorkspace } from '../axe/workspace-supervisor.js';

/**
 * `sase agent retry NAME [--json]`: a new attempt of a failed or killed agent (the old one is kept under
 * attempts/<n>/). Starts the supervisor if none runs; the agents waiting on NAME proceed once it completes.
 */
export async function agentRetry(
  options: CommandContext & { name: string; isSupervisorStarted?: boolean },
): Promise<number> {
  const { registry, root } = await openAgentWorkspace(options.cwd);
  const result = retryAgent(registry, options.name);
  const supervisor = options.isSupervisorStarted === false ? undefined : await ensureSupervisor(root);
  if (options.json) {
    printJson(options.io, {
      name: result.name,
      attempt: result.attempt,
      previous_state: result.previousState,
      supervisor_pid: supervisor?.pid ?? null,
    });
  } else {
    options.io.stdout(
      `${result.name}: attempt ${result.attempt} submitted (attempt ${result.attempt - 1} ${result.previousState})` +
        (supervisor === undefined ? '\n' : `; supervisor pid ${supervisor.pid}\n`),
    );
  }
  return 0;
}
