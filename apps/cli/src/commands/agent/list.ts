import { agentStates, formatAgentState } from '@sase/scheduler';
import type { CommandContext } from '../../io.js';
import { printJson } from '../../io.js';
import { formatStateTable, openAgentWorkspace } from '../axe/workspace-supervisor.js';

/**
 * `sase agent list [--all] [--json]`: every agent with its state (waiting, running, completed, failed,
 * killed), attempt, and what it waits on. `%hide` agents are left out unless `--all`.
 */
export async function agentList(options: CommandContext & { isAll?: boolean }): Promise<number> {
  const { registry } = await openAgentWorkspace(options.cwd);
  const states = agentStates(registry).filter((state) => options.isAll || !state.isHidden);
  if (options.json) printJson(options.io, states.map(formatAgentState));
  else options.io.stdout(formatStateTable(states));
  return 0;
}
