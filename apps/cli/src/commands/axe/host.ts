import { runAgentHost } from '@sase/scheduler';
import type { CommandContext } from '../../io.js';
import { launcherResolverOf, openAgentWorkspace } from './workspace-supervisor.js';

/**
 * `sase axe host ROOT [NAME ATTEMPT]` (hidden): runs one attempt of one agent for the supervisor. Without
 * NAME it is a warm spare that reads its assignment from stdin.
 */
export async function axeHost(
  options: CommandContext & { root: string; name?: string; attempt?: number },
): Promise<number> {
  const { workspace, root } = await openAgentWorkspace(options.root);
  const supervisorPid = Number(process.env.SASE_SUPERVISOR_PID);
  await runAgentHost({
    workspaceRoot: root,
    ...(options.name === undefined ? {} : { name: options.name, attempt: options.attempt ?? 1 }),
    resolveLauncher: launcherResolverOf(workspace),
    supervisorPid: Number.isInteger(supervisorPid) && supervisorPid > 0 ? supervisorPid : null,
    pollMs: workspace.config.axe.pollMs,
    log: (line) => options.io.stderr(`${new Date().toISOString()} ${line}\n`),
  });
  return 0;
}
