import { type AgentState, agentStates, formatAgentState, waitForAgents } from '@sase/scheduler';
import type { CommandContext } from '../../io.js';
import { createRedrawer, printJson } from '../../io.js';
import { formatStateTable, isSucceeded, openAgentWorkspace } from '../axe/workspace-supervisor.js';

/**
 * `sase agent list [--all] [--json]`: every agent with its state (waiting, running, completed, failed,
 * killed), attempt, and what it waits on. `%hide` agents are left out unless `--all`.
 */
export async function agentList(
  options: CommandContext & { isAll?: boolean; isWatching?: boolean; signal?: AbortSignal },
): Promise<number> {
  const { registry, workspace } = await openAgentWorkspace(options.cwd);
  if (options.isWatching && !options.json) {
    // Redraws the table in place on a terminal; elsewhere prints it again on each change. Ends when every
    // agent is settled (an outcome, or parked behind a failed or killed agent).
    const redraw = createRedrawer(options.io);
    const draw = (current: readonly AgentState[]) =>
      redraw(formatStateTable(current.filter((state) => options.isAll || !state.isHidden)));
    const final = await waitForAgents(registry, {
      pollMs: workspace.config.axe.pollMs,
      onChange: draw,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return final.every(isSucceeded) ? 0 : 1;
  }
  const states = agentStates(registry).filter((state) => options.isAll || !state.isHidden);
  if (options.json) printJson(options.io, states.map(formatAgentState));
  else options.io.stdout(formatStateTable(states));
  return 0;
}
