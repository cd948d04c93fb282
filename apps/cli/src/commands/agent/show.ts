import { relative } from 'node:path';
import { agentStates, formatAgentState, formatDone, formatRequest } from '@sase/scheduler';
import type { CommandContext } from '../../io.js';
import { printJson } from '../../io.js';
import { detailOf, openAgentWorkspace } from '../axe/workspace-supervisor.js';

/** `sase agent show NAME [--json]`: one agent in detail: state, request, outcome, attempts, directory. */
export async function agentShow(options: CommandContext & { name: string }): Promise<number> {
  const { registry } = await openAgentWorkspace(options.cwd);
  const snapshot = registry.get(options.name);
  const state = agentStates(registry).find((each) => each.name === options.name);
  if (options.json) {
    printJson(options.io, {
      ...(state === undefined ? { name: options.name } : formatAgentState(state)),
      dir: snapshot.dir,
      is_parked: state?.isParked ?? false,
      pid: state?.pid ?? null,
      request: snapshot.request === undefined ? null : formatRequest(snapshot.request),
      done: snapshot.done === undefined ? null : formatDone(snapshot.done),
      attempts: [...snapshot.archivedAttempts, ...(snapshot.request ? [snapshot.request.attempt] : [])],
    });
    return 0;
  }
  const { io } = options;
  const request = snapshot.request;
  const rows: [string, string | null | undefined][] = [
    ['name', options.name],
    ['state', state === undefined ? 'being submitted' : `${state.state}${state.isParked ? ' (parked)' : ''}`],
    ['detail', state === undefined ? undefined : detailOf(state)],
    ['attempt', request ? String(request.attempt) : undefined],
    ['earlier', snapshot.archivedAttempts.length > 0 ? snapshot.archivedAttempts.join(', ') : undefined],
    ['launcher', request?.launcher],
    ['model', request?.model],
    ['waits', request && request.waits.length > 0 ? request.waits.join(', ') : undefined],
    ['not before', request?.notBefore],
    ['bead', request?.beadId],
    ['submitted', request?.submittedAt],
    ['started', state?.startedAt],
    ['finished', state?.finishedAt],
    ['dir', relative(options.cwd, snapshot.dir) || '.'],
  ];
  for (const [key, value] of rows) {
    if (value !== undefined && value !== null && value !== '') io.stdout(`${`${key}:`.padEnd(12)}${value}\n`);
  }
  if (request !== undefined) {
    const lines = request.prompt.trimEnd().split('\n');
    io.stdout(
      `prompt:\n${lines
        .slice(0, 20)
        .map((line) => `  ${line}`)
        .join('\n')}\n`,
    );
    if (lines.length > 20) io.stdout(`  ... (${lines.length - 20} more lines in prompt.md)\n`);
  }
  return 0;
}
