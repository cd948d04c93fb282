import { relative } from 'node:path';
import type { CommandContext } from '../../io.js';
import { printJson } from '../../io.js';
import { ensureSupervisor, openAgentWorkspace } from './workspace-supervisor.js';

/** `sase axe start`: starts the workspace's detached supervisor unless one runs (idempotent). */
export async function axeStart(options: CommandContext): Promise<number> {
  const { root } = await openAgentWorkspace(options.cwd);
  const result = await ensureSupervisor(root);
  if (options.json) {
    printJson(options.io, { running: true, pid: result.pid, started: result.isNew, log: result.logFile });
  } else {
    const log = relative(options.cwd, result.logFile) || result.logFile;
    options.io.stdout(
      result.isNew
        ? `supervisor started (pid ${result.pid}); log: ${log}\n`
        : `supervisor already running (pid ${result.pid}); log: ${log}\n`,
    );
  }
  return 0;
}
