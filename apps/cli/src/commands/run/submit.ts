import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import {
  type AgentState,
  agentStates,
  createRegistry,
  formatAgentState,
  isSettled,
  readSupervisorStatus,
  type StartSupervisorProcessResult,
  waitForAgents,
} from '@sase/scheduler';
import { submitPrompt } from '@sase/workspace';
import { findWorkspace } from '@sase/workspace/config';
import { CliError } from '../../errors.js';
import { type CliIo, type CommandContext, printJson } from '../../io.js';
import { detailOf, ensureSupervisor, formatStateTable, isSucceeded } from '../axe/workspace-supervisor.js';
import { printDiagnostics } from '../xprompt/print-diagnostics.js';

export interface SubmitCommandOptions extends CommandContext {
  /** The multi-prompt text, not yet expanded. */
  text?: string;
  /** `-f FILE` (relative to cwd; `-` is stdin): read the text from there when `text` is not given. */
  file?: string;
  /** Reads stdin for `-f -`. Default: the process's stdin. */
  readStdin?: () => Promise<string>;
  /** `--launcher ID`: the launcher of segments whose model names none (default: sase.yml launcher.default). */
  launcher?: string;
  /** `--model M`: overrides every segment's %model (a models.aliases entry names launcher/model). */
  model?: string;
  /** `--worktree` / `--no-worktree` (default: sase.yml agents.workspace). */
  isWorktree?: boolean;
  /** `--wait`: follow the agents until all are settled and exit 0 only if all completed. */
  isWaiting?: boolean;
  /** Start the supervisor when none runs. Default true. */
  isSupervisorStarted?: boolean;
  /** For the xprompt catalog (`~/.xprompts`); tests pass their own. */
  homeDir?: string;
  signal?: AbortSignal;
}

async function readText(options: SubmitCommandOptions): Promise<{ text: string; file: string }> {
  if (options.text !== undefined) return { text: options.text, file: options.file ?? '<argument>' };
  if (options.file === undefined) {
    throw new CliError('RUN_USAGE', 'no multi-prompt given: sase run -f FILE or sase run - < FILE', 2);
  }
  if (options.file === '-') {
    const read =
      options.readStdin ??
      (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin)
          chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        return Buffer.concat(chunks).toString('utf8');
      });
    return { text: await read(), file: '<stdin>' };
  }
  try {
    return { text: await readFile(resolve(options.cwd, options.file), 'utf8'), file: options.file };
  } catch (cause) {
    throw new CliError(
      'RUN_USAGE',
      `cannot read the prompt file ${options.file}: ${(cause as Error).message}`,
      2,
    );
  }
}

/** The final table and, when some agent did not succeed, what to do about it. */
export function printSummary(io: CliIo, states: readonly AgentState[]): void {
  io.stdout(formatStateTable(states));
  const failed = states.filter((state) => state.state === 'failed' || state.state === 'killed');
  if (failed.length > 0) {
    io.stderr(
      `sase: ${failed.map((state) => state.name).join(', ')} did not complete; see \`sase agent logs NAME\`, ` +
        'fix the cause and `sase agent retry NAME`\n',
    );
  }
  const planning = states.filter((state) => state.state === 'plan');
  if (planning.length > 0) {
    io.stderr(
      `sase: ${planning.map((state) => state.name).join(', ')} submitted a plan that awaits approval; ` +
        '`sase plan list` shows them, `sase plan approve PLAN` or `sase plan reject PLAN --feedback TEXT` decides\n',
    );
  }
  const noop = states.filter((state) => state.state === 'noop');
  if (noop.length > 0) {
    io.stderr(
      `sase: ${noop.map((state) => state.name).join(', ')} completed without changing anything (noop); ` +
        'check their launcher configuration and transcripts (`sase agent logs NAME`)\n',
    );
  }
}

/**
 * True when every agent ended with an outcome that satisfies a wait (`completed`, `noop`, ...), or awaits
 * the approval of its plan (`plan`: nothing failed, a person decides next).
 */
export function isAllSucceeded(states: readonly AgentState[]): boolean {
  return states.every((state) => isSucceeded(state) || state.state === 'plan' || state.isAwaitingDecision);
}

export interface FollowOptions {
  io: CliIo;
  json: boolean;
  root: string;
  names: readonly string[];
  pollMs: number;
  signal?: AbortSignal;
  /** Draws the agents' states on each change instead of the default progress lines. */
  onProgress?: (states: readonly AgentState[]) => void;
}

/**
 * Follows agents until every one is settled, printing progress (lines on stderr, or `onProgress`). Ctrl-C
 * (without a `signal` of the caller's) stops following only: it says what still runs and how to stop it, and
 * rejects with an INTERRUPTED error (exit 130). At the end it says that the supervisor goes on.
 */
export async function followAgents(options: FollowOptions): Promise<AgentState[]> {
  const interrupt = options.signal === undefined ? new AbortController() : undefined;
  const onInterrupt = () => interrupt?.abort('interrupted');
  if (interrupt !== undefined) process.once('SIGINT', onInterrupt);
  try {
    const states = await followAgentsUntilSettled(options, options.signal ?? interrupt?.signal);
    noteSupervisor(options);
    return states;
  } catch (error) {
    if (interrupt?.signal.aborted) {
      const running = agentStates(createRegistry(options.root)).filter(
        (state) => options.names.includes(state.name) && !isSettled(state),
      );
      const supervisor = readSupervisorStatus(options.root);
      throw new CliError(
        'INTERRUPTED',
        `stopped following; ${running.length} agent(s) of this run go on` +
          (running.length > 0 ? ` (${running.map((state) => state.name).join(', ')})` : '') +
          (supervisor.isRunning ? ` under the supervisor (pid ${supervisor.pid})` : '') +
          ': follow them with `sase agent list --watch`, stop them with `sase agent kill NAME` or `sase axe stop`',
        130,
      );
    }
    throw error;
  } finally {
    if (interrupt !== undefined) process.removeListener('SIGINT', onInterrupt);
  }
}

/** After a run: the supervisor stays (other agents, retries), and stops itself when idle. */
function noteSupervisor(options: FollowOptions): void {
  if (options.json) return;
  const supervisor = readSupervisorStatus(options.root);
  if (!supervisor.isRunning) return;
  options.io.stderr(
    `sase: the supervisor (pid ${supervisor.pid}) keeps running for retries and new agents; it stops by itself ` +
      'when idle (axe.idle_exit_s), or now with `sase axe stop`\n',
  );
}

function followAgentsUntilSettled(
  options: FollowOptions,
  signal: AbortSignal | undefined,
): Promise<AgentState[]> {
  const lastSeen = new Map<string, string>();
  return waitForAgents(createRegistry(options.root), {
    names: options.names,
    pollMs: options.pollMs,
    ...(signal === undefined ? {} : { signal }),
    onChange: (current) => {
      if (options.json) return;
      if (options.onProgress) {
        options.onProgress(current);
        return;
      }
      // Progress, one line per change of an agent: `12:03:04 p-1.2: running (pid 4242)`. Not prefixed with
      // `sase:`, which marks errors and notes.
      const time = new Date().toISOString().slice(11, 19);
      for (const state of current) {
        const detail = detailOf(state);
        const line = `${state.state}${detail === '' ? '' : ` (${detail})`}`;
        if (lastSeen.get(state.name) === line) continue;
        lastSeen.set(state.name, line);
        options.io.stderr(`${time} ${state.name}: ${line}\n`);
      }
    },
  });
}

/**
 * `sase run -f FILE` / `sase run -` with a multi-prompt: submits one agent per segment (see submitPrompt),
 * starts the supervisor if none runs, and prints the agents' names. With `--wait` it stays until every
 * agent is settled, prints their states, and exits 0 only if all succeeded.
 */
export async function submit(options: SubmitCommandOptions): Promise<number> {
  const { io } = options;
  const source = await readText(options);
  const workspace = await findWorkspace(options.cwd);
  const result = await submitPrompt({
    workspace,
    cwd: options.cwd,
    text: source.text,
    file: source.file,
    ...(options.launcher === undefined ? {} : { launcher: options.launcher }),
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
    ...(options.isWorktree === undefined ? {} : { isWorktree: options.isWorktree }),
  });
  printDiagnostics(io, result.diagnostics, options.cwd);
  const submitted = result.agents;

  let supervisor: StartSupervisorProcessResult | undefined;
  if (options.isSupervisorStarted !== false) supervisor = await ensureSupervisor(workspace.root);

  if (!options.isWaiting) {
    if (options.json) {
      printJson(io, {
        agents: submitted.map((agent) => ({
          name: agent.name,
          attempt: agent.attempt,
          waits: agent.waits,
          launcher: agent.launcher,
          model: agent.model,
          not_before: agent.notBefore,
          dir: agent.dir,
        })),
        supervisor_pid: supervisor?.pid ?? null,
      });
    } else {
      for (const agent of submitted) {
        const waits = agent.waits.length > 0 ? ` (waits on ${agent.waits.join(', ')})` : '';
        io.stdout(`${agent.name}${waits}\n`);
      }
      io.stderr(
        `sase: ${submitted.length} agent(s) submitted` +
          (supervisor === undefined ? '' : `; supervisor pid ${supervisor.pid}`) +
          `; follow with \`sase agent list\` or \`sase agent wait NAME\` (artifacts in ${
            relative(options.cwd, createRegistry(workspace.root).agentsDir) || '.'
          }/)\n`,
      );
    }
    return 0;
  }

  const states = await followAgents({
    io,
    json: options.json,
    root: workspace.root,
    names: submitted.map((agent) => agent.name),
    pollMs: workspace.config.axe.pollMs,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (options.json)
    printJson(io, { agents: states.map(formatAgentState), supervisor_pid: supervisor?.pid ?? null });
  else printSummary(io, states);
  return isAllSucceeded(states) ? 0 : 1;
}
