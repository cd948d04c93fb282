import { serveWorkspaceSupervisor } from '@sase/workspace';
import { findWorkspace } from '@sase/workspace/config';
import type { CommandContext } from '../../io.js';
import { axeCommand } from './workspace-supervisor.js';

/**
 * `sase axe serve` (hidden): runs the supervisor in the foreground until SIGTERM/SIGINT. `sase axe start`
 * runs it detached with its output appended to `.sase/axe/log`. Agents run in agent hosts
 * (`sase axe host`), so they survive the supervisor being killed.
 */
export async function axeServe(options: CommandContext & { isInProcess?: boolean }): Promise<number> {
  return serveWorkspaceSupervisor({
    workspace: await findWorkspace(options.cwd),
    ...(options.isInProcess ? {} : { agentHostCommand: axeCommand('host') }),
    write: (text) => options.io.stdout(text),
  });
}
