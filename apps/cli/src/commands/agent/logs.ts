import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LaunchEvent } from '@sase/launcher-core';
import { parseTranscript, toTranscriptRecord } from '@sase/launcher-core';
import { AGENT_FILES } from '@sase/scheduler';
import { CliError } from '../../errors.js';
import type { CliIo, CommandContext } from '../../io.js';
import { printJson } from '../../io.js';
import { openAgentWorkspace } from '../axe/workspace-supervisor.js';

export interface AgentLogsOptions extends CommandContext {
  name: string;
  /** An earlier attempt (kept under attempts/<n>/); default the current one. A string is parsed. */
  attempt?: number | string;
  /** Keep printing new events until the attempt has an outcome. */
  isFollowing?: boolean;
  /** Poll interval while following. Default 200 ms. */
  pollMs?: number;
}

function printEvent(io: CliIo, event: LaunchEvent): void {
  switch (event.type) {
    case 'output':
      if (event.stream === 'stdout') io.stdout(`${event.text}\n`);
      else io.stderr(`${event.text}\n`);
      break;
    case 'message':
      if (event.role === 'assistant') io.stdout(event.text.endsWith('\n') ? event.text : `${event.text}\n`);
      else io.stderr(`[${event.role}] ${event.text}\n`);
      break;
    case 'tool-use':
      io.stderr(`[tool] ${event.name}\n`);
      break;
    case 'tool-result':
      if (event.isError) io.stderr(`[tool error] ${(event.output ?? '').split('\n')[0]}\n`);
      break;
    case 'outcome': {
      const { outcome } = event;
      const exit = outcome.exitCode === null ? '' : ` (exit ${outcome.exitCode})`;
      io.stderr(`[${outcome.outcome}${exit}]${outcome.error ? ` ${outcome.error}` : ''}\n`);
      break;
    }
    default:
      break;
  }
}

/**
 * `sase agent logs NAME [--attempt N] [--follow] [--json]`: the agent's transcript (transcript.jsonl): its
 * output on stdout, progress (tools, outcome) on stderr; `--json` prints the transcript records.
 */
export async function agentLogs(options: AgentLogsOptions): Promise<number> {
  const attempt = options.attempt === undefined ? undefined : Number(options.attempt);
  if (attempt !== undefined && !(Number.isInteger(attempt) && attempt > 0)) {
    throw new CliError(
      'INVALID_INPUT',
      `--attempt must be a positive integer such as 1, not "${options.attempt}"`,
      2,
    );
  }
  const { registry } = await openAgentWorkspace(options.cwd);
  const snapshot = registry.get(options.name);
  const current = snapshot.request?.attempt;
  const isCurrent = attempt === undefined || attempt === current;
  if (!isCurrent && !snapshot.archivedAttempts.includes(attempt as number)) {
    const known = [...snapshot.archivedAttempts, ...(current === undefined ? [] : [current])];
    throw new CliError(
      'ATTEMPT_NOT_FOUND',
      `agent ${options.name} has no attempt ${attempt}; its attempts: ${known.join(', ') || 'none'}`,
    );
  }
  const dir = isCurrent ? snapshot.dir : join(snapshot.dir, AGENT_FILES.attempts, String(attempt));
  const file = join(dir, AGENT_FILES.transcript);
  const isFinished = () => existsSync(join(dir, AGENT_FILES.done));

  let offset = 0;
  const events: LaunchEvent[] = [];
  const readNew = () => {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    if (size <= offset) return;
    const text = readFileSync(file).subarray(offset, size).toString('utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    offset += Buffer.byteLength(complete);
    for (const event of parseTranscript(complete, file)) {
      events.push(event);
      if (!options.json) printEvent(options.io, event);
    }
  };
  readNew();
  if (options.isFollowing && isCurrent) {
    while (!isFinished()) {
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
      readNew();
    }
    readNew();
  }
  if (options.json) {
    printJson(options.io, events.map(toTranscriptRecord));
  } else if (events.length === 0 && !existsSync(file)) {
    options.io.stderr(`sase: agent ${options.name} has no transcript yet (it has not started)\n`);
  }
  return 0;
}
