import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import {
  type AgentState,
  createRegistry,
  formatAgentState,
  type SegmentInput,
  type StartSupervisorProcessResult,
  submitSegments,
  waitForAgents,
} from '@sase/scheduler';
import { type Directives, type ExpandedSegment, expandPromptOrThrow } from '@sase/xprompt';
import { CliError } from '../../errors.js';
import { type CommandContext, printJson } from '../../io.js';
import { findWorkspace } from '../../workspace.js';
import { detailOf, ensureSupervisor, formatStateTable } from '../axe/workspace-supervisor.js';
import { loadWorkspaceCatalog } from '../xprompt/load-workspace-catalog.js';
import { printDiagnostics } from '../xprompt/print-diagnostics.js';

export interface SubmitCommandOptions extends CommandContext {
  /** The multi-prompt text, not yet expanded. */
  text?: string;
  /** Its already expanded segments (instead of `text`). */
  segments?: readonly ExpandedSegment[];
  /** `-f FILE` (relative to cwd; `-` is stdin): read the text from there when `text` is not given. */
  file?: string;
  /** Reads stdin for `-f -`. Default: the process's stdin. */
  readStdin?: () => Promise<string>;
  /** `--launcher ID`: the launcher of segments whose model names none (default: sase.yml launcher.default). */
  launcher?: string;
  /** `--model M`: overrides every segment's %model (a models.aliases entry names launcher/model). */
  model?: string;
  /** `--wait`: follow the agents until all are settled and exit 0 only if all completed. */
  isWaiting?: boolean;
  /** Start the supervisor when none runs. Default true. */
  isSupervisorStarted?: boolean;
  /** For the xprompt catalog (`~/.xprompts`); tests pass their own. */
  homeDir?: string;
  signal?: AbortSignal;
  /** Adjusts each segment before it is submitted (e.g. `sase bead work` sets the bead each agent works on). */
  decorate?: (input: SegmentInput, index: number) => SegmentInput;
  /** With `isWaiting`: draws the agents' states on each change instead of the default progress lines. */
  onProgress?: (states: readonly AgentState[]) => void;
  /** With `isWaiting`: runs once every agent is settled, before the summary is printed. */
  onSettled?: (states: readonly AgentState[]) => void | Promise<void>;
}

/** Stands for an unnamed segment while xprompt resolves a bare `%wait` (never a valid agent name). */
const PLACEHOLDER = '\u0000segment-';

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

/** xprompt's directives to the scheduler's: placeholder names of unnamed segments become auto-names. */
function toSegmentInput(segment: ExpandedSegment, cwd: string): SegmentInput {
  const { name, wait, ...rest } = segment.directives as Directives;
  const directives: SegmentInput['directives'] = { ...rest };
  if (name !== undefined && !name.startsWith(PLACEHOLDER)) directives.name = name;
  else delete directives.forceReuse;
  const waits = (wait ?? []).filter((target) => !target.startsWith(PLACEHOLDER));
  if (waits.length > 0) directives.wait = waits;
  if ((wait ?? []).some((target) => target.startsWith(PLACEHOLDER))) directives.waitPrevious = true;
  return { prompt: segment.text, directives, cwd };
}

function modelResolver(aliases: Record<string, string>) {
  return (model: string): { launcher?: string; model: string | null } => {
    const target = aliases[model] ?? model;
    const slash = target.indexOf('/');
    if (slash > 0 && /^[a-z][a-z0-9-]*$/.test(target.slice(0, slash))) {
      return { launcher: target.slice(0, slash), model: target.slice(slash + 1) || null };
    }
    return { model: target };
  };
}

function printSummary(options: SubmitCommandOptions, states: readonly AgentState[]): void {
  options.io.stdout(formatStateTable(states));
  const failed = states.filter((state) => state.state === 'failed' || state.state === 'killed');
  if (failed.length > 0) {
    options.io.stderr(
      `sase: ${failed.map((state) => state.name).join(', ')} did not complete; see \`sase agent logs NAME\`, ` +
        'fix the cause and `sase agent retry NAME`\n',
    );
  }
}

/**
 * `sase run -f FILE` / `sase run -` with a multi-prompt: expands it, submits one agent per segment to the
 * agent registry, starts the supervisor if none runs, and prints the agents' names. With `--wait` it stays
 * until every agent is settled (it has an outcome, or it is parked behind a failed or killed agent), prints
 * their states, and exits 0 only if all completed.
 */
export async function submit(options: SubmitCommandOptions): Promise<number> {
  const { io } = options;
  const workspace = await findWorkspace(options.cwd);
  let segments: readonly ExpandedSegment[];
  if (options.segments !== undefined) {
    segments = options.segments;
  } else {
    const source = await readText(options);
    const catalog = await loadWorkspaceCatalog({
      cwd: options.cwd,
      ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
    });
    const result = expandPromptOrThrow(source.text, {
      catalog,
      file: source.file,
      defaultName: (index) => `${PLACEHOLDER}${index}`,
    });
    printDiagnostics(io, result.diagnostics, options.cwd);
    segments = result.segments;
  }
  const inputs = segments.map((segment, index) => {
    const input = toSegmentInput(segment, options.cwd);
    if (options.model !== undefined) input.directives = { ...input.directives, model: options.model };
    return options.decorate ? options.decorate(input, index) : input;
  });
  const registry = createRegistry(workspace.root);
  const submitted = submitSegments(registry, inputs, {
    launcher: options.launcher ?? workspace.config.launcher.default,
    resolveModel: modelResolver(workspace.config.models.aliases),
  });
  const names = submitted.map((agent) => agent.name);

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
            relative(options.cwd, registry.agentsDir) || '.'
          }/)\n`,
      );
    }
    return 0;
  }

  const lastSeen = new Map<string, string>();
  const states = await waitForAgents(registry, {
    names,
    pollMs: workspace.config.axe.pollMs,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onChange: (current) => {
      if (options.json) return;
      if (options.onProgress) {
        options.onProgress(current);
        return;
      }
      for (const state of current) {
        const line = `${state.state}${state.state === 'waiting' ? '' : ` ${detailOf(state)}`}`.trim();
        if (lastSeen.get(state.name) === line) continue;
        lastSeen.set(state.name, line);
        io.stderr(`sase: ${state.name} ${line}${state.isParked ? ` (parked: ${state.reason})` : ''}\n`);
      }
    },
  });
  await options.onSettled?.(states);
  if (options.json)
    printJson(io, { agents: states.map(formatAgentState), supervisor_pid: supervisor?.pid ?? null });
  else printSummary(options, states);
  return states.every((state) => state.state === 'completed') ? 0 : 1;
}
