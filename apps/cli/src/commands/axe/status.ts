import { agentStates, formatAgentState, readSupervisorStatus } from '@sase/scheduler';
import type { CommandContext } from '../../io.js';
import { printJson } from '../../io.js';
import { formatStateTable, openAgentWorkspace } from './workspace-supervisor.js';

/**
 * `sase axe status`: whether the supervisor runs, then the agents grouped as running, waiting (with what they
 * wait on) and finished. `--json`: `{"running": bool, "pid": number|null, "agents": [...]}`.
 */
export async function axeStatus(options: CommandContext): Promise<number> {
  const { root, registry, workspace } = await openAgentWorkspace(options.cwd);
  const status = readSupervisorStatus(root);
  const states = agentStates(registry);
  // With axe.queue: the workers connected to it (their heartbeats).
  const workers =
    workspace.config.axe.queue === undefined
      ? undefined
      : await (await import('@sase/workspace')).connectedWorkers(workspace);
  if (options.json) {
    printJson(options.io, {
      running: status.isRunning,
      pid: status.pid,
      agents: states.map(formatAgentState),
      ...(workers === undefined
        ? {}
        : {
            workers: workers.map(({ host, pid, launchers, running, capacity }) => ({
              host,
              pid,
              launchers,
              running,
              capacity,
            })),
          }),
    });
    return 0;
  }
  const { io } = options;
  io.stdout(status.isRunning ? `supervisor: running (pid ${status.pid})\n` : 'supervisor: not running\n');
  if (workers !== undefined) {
    io.stdout(
      `queue ${workspace.config.axe.queue}: ${workers.length} worker(s) connected` +
        (workers.length > 0
          ? ` (${workers.map((worker) => `${worker.host} ${worker.running}/${worker.capacity}`).join(', ')})`
          : '; launches wait in the queue until one connects (`sase worker --queue …`)') +
        '\n',
    );
  }
  const groups = [
    ['running', states.filter((state) => state.state === 'running')],
    ['waiting', states.filter((state) => state.state === 'waiting')],
    ['finished', states.filter((state) => state.state !== 'running' && state.state !== 'waiting')],
  ] as const;
  for (const [title, group] of groups) {
    if (group.length === 0) continue;
    io.stdout(`\n${title} (${group.length}):\n${formatStateTable(group).replace(/^/gm, '  ')}`);
  }
  if (states.length === 0) io.stdout('no agents\n');
  const parked = states.filter((state) => state.isParked);
  if (!status.isRunning && states.some((state) => state.state === 'waiting' && !state.isParked)) {
    io.stderr('sase: agents are waiting but no supervisor runs; start one with `sase axe start`\n');
  }
  if (parked.length > 0) {
    io.stderr(
      `sase: ${parked.length} agent(s) parked behind failed or killed agents; \`sase agent retry NAME\` the failed ones\n`,
    );
  }
  return 0;
}
