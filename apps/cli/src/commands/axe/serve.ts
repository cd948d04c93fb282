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
    // In the default storage mode the change is then committed in the SDD repository (if it exists).
    onSettled: async (agent) => {
      const beadId = agent.request.beadId;
      if (beadId === null) return;
      const { recordBeadOutcome } = await import('../bead/outcome.js');
      if (!recordBeadOutcome(workspace.beadsDir, beadId, agent.done)) return;
      const { commitBeadOutcome } = await import('../sdd/commit.js');
      const verb = agent.done.outcome === 'completed' ? 'closed' : 'reopened';
      await commitBeadOutcome(
        workspace,
        `beads: ${beadId} ${verb} (agent ${agent.done.name}, attempt ${agent.done.attempt}: ${agent.done.outcome})`,
        (text) => options.io.stdout(text),
      );
    },
  });
}
