import { killAgent } from '@sase/scheduler';
import type { CommandContext } from '../../io.js';
import { printJson } from '../../io.js';
import { openAgentWorkspace } from '../axe/workspace-supervisor.js';

/**
 * `sase agent kill NAME [--reason TEXT] [--json]`: stops a running agent (its whole process group) or cancels
 * a waiting one; either is recorded `killed`. An agent that already finished is left as it is.
 */
export async function agentKill(
  options: CommandContext & { name: string; reason?: string },
): Promise<number> {
  const { registry } = await openAgentWorkspace(options.cwd);
  const result = await killAgent(registry, options.name, {
    reason: options.reason ?? 'killed with sase agent kill',
  });
  if (options.json) {
    printJson(options.io, { name: result.name, previous_state: result.previousState, state: result.state });
  } else if (result.previousState === 'waiting' || result.previousState === 'running') {
    options.io.stdout(`${result.name}: ${result.previousState} -> ${result.state}\n`);
  } else {
    options.io.stdout(`${result.name} had already finished (${result.state}); nothing to kill\n`);
  }
  return 0;
}
