import { stopSupervisorProcess } from '@sase/scheduler';
import type { CommandContext } from '../../io.js';
import { printJson } from '../../io.js';
import { openAgentWorkspace } from './workspace-supervisor.js';

/** `sase axe stop`: stops the supervisor (its running agents are killed and recorded `killed`). */
export async function axeStop(options: CommandContext): Promise<number> {
  const { root } = await openAgentWorkspace(options.cwd);
  const result = await stopSupervisorProcess(root);
  if (options.json) {
    printJson(options.io, { running: false, pid: result.pid, was_running: result.wasRunning });
  } else {
    options.io.stdout(
      result.wasRunning ? `supervisor stopped (pid ${result.pid})\n` : 'no supervisor was running\n',
    );
  }
  return 0;
}
