import { serveSupervisor } from '@sase/scheduler';
import type { CommandContext } from '../../io.js';
import { axeCommand, launcherResolverOf, openAgentWorkspace } from './workspace-supervisor.js';

/**
 * `sase axe serve` (hidden): runs the supervisor in the foreground until SIGTERM/SIGINT. `sase axe start`
 * runs it detached with its output appended to `.sase/axe/log`. Agents run in agent hosts
 * (`sase axe host`), so they survive the supervisor being killed.
 */
export async function axeServe(options: CommandContext & { isInProcess?: boolean }): Promise<number> {
  const { workspace, root } = await openAgentWorkspace(options.cwd);
  return serveSupervisor({
    workspaceRoot: root,
    resolveLauncher: launcherResolverOf(workspace),
    pollMs: workspace.config.axe.pollMs,
    ...(options.isInProcess ? {} : { agentHost: { command: axeCommand('host') } }),
    write: (text) => options.io.stdout(text),
    // Keep each agent's bead in step with its outcome (close on completed, reopen on failed or killed).
    onSettled: async (agent) => {
      if (agent.request.beadId === null) return;
      const { recordBeadOutcome } = await import('../bead/outcome.js');
      recordBeadOutcome(workspace.beadsDir, agent.request.beadId, agent.done);
    },
  });
}
