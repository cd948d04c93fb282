import { hostWorkspace, runWorkspaceAgentHost } from '@sase/workspace';
import type { CommandContext } from '../../io.js';

/**
 * `sase axe host ROOT [NAME ATTEMPT]` (hidden): runs one attempt of one agent for the supervisor. Without
 * NAME it is a warm spare that reads its assignment from stdin.
 */
export async function axeHost(
  options: CommandContext & { root: string; name?: string; attempt?: number },
): Promise<number> {
  const supervisorPid = Number(process.env.SASE_SUPERVISOR_PID);
  await runWorkspaceAgentHost({
    // The supervisor's configuration (handed in its environment), not sase.yml as it reads now.
    workspace: await hostWorkspace(options.root),
    ...(options.name === undefined ? {} : { name: options.name, attempt: options.attempt ?? 1 }),
    supervisorPid: Number.isInteger(supervisorPid) && supervisorPid > 0 ? supervisorPid : null,
    log: (line) => options.io.stderr(`${new Date().toISOString()} ${line}\n`),
  });
  return 0;
}
