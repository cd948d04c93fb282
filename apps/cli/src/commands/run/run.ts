import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { LaunchEvent, LauncherV1 } from '@sase/launcher-core';
import { formatDone, isWaitSatisfying } from '@sase/scheduler';
import { expandRunPrompt, type RunAgentResult, type RunPrompt, runAgent } from '@sase/workspace';
import { findWorkspace } from '@sase/workspace/config';
import { CliError } from '../../errors.js';
import { type CommandContext, printJson } from '../../io.js';
import { printDiagnostics } from '../xprompt/print-diagnostics.js';

export interface RunOptions extends CommandContext {
  /** The prompt text given on the command line (`-` means stdin). */
  prompt?: string;
  /** `-f FILE`: read the prompt from a file (relative to cwd; `-` is stdin). */
  file?: string;
  /** `--launcher ID`: overrides sase.yml `launcher.default`. */
  launcher?: string;
  /** `--model M`: overrides `%model`; a `models.aliases` entry names launcher and model. */
  model?: string;
  /** `--name NAME`: overrides `%name`. */
  name?: string;
  /** Reads standard input; defaults to the process's stdin. */
  readStdin?: () => Promise<string>;
  /** Aborting kills the agent (outcome `killed`). Default: SIGINT and SIGTERM of this process. */
  signal?: AbortSignal;
  /** For the xprompt catalog (`~/.xprompts`); tests pass their own. */
  homeDir?: string;
  /** `--wait`: for prompts that go to the supervisor (several segments, %wait, %time), stay until all settle. */
  wait?: boolean;
  /** `--worktree` / `--no-worktree`: run in an agent worktree of its own (default: sase.yml agents.workspace). */
  worktree?: boolean;
  /** Loads a launcher; defaults to the installed adapters. */
  resolveLauncher?: (id: string, settings: Record<string, unknown>) => Promise<LauncherV1>;
}

async function readProcessStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new CliError('RUN_USAGE', 'no prompt on stdin: pipe one in (echo "Fix the bug" | sase run -)', 2);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function readPrompt(options: RunOptions): Promise<{ text: string; file: string }> {
  const hasText = options.prompt !== undefined && options.prompt !== '' && options.prompt !== '-';
  const sources = [hasText, options.file !== undefined, options.prompt === '-'].filter(Boolean).length;
  if (sources !== 1) {
    throw new CliError(
      'RUN_USAGE',
      sources === 0
        ? 'no prompt given: sase run "PROMPT", sase run -f FILE, or pipe it in with sase run -'
        : 'give the prompt one way only: as an argument, with -f FILE, or on stdin with -',
      2,
    );
  }
  if (hasText) return { text: options.prompt as string, file: '<argument>' };
  if (options.prompt === '-' || options.file === '-') {
    return { text: await (options.readStdin ?? readProcessStdin)(), file: '<stdin>' };
  }
  const file = options.file as string;
  try {
    return { text: await readFile(resolve(options.cwd, file), 'utf8'), file };
  } catch (cause) {
    throw new CliError('RUN_USAGE', `cannot read the prompt file ${file}: ${(cause as Error).message}`, 2);
  }
}

function summarizeInput(input: unknown): string {
  if (input !== null && typeof input === 'object') {
    const record = input as Record<string, unknown>;
    for (const key of ['command', 'file_path', 'path', 'query', 'pattern', 'url']) {
      if (typeof record[key] === 'string') return (record[key] as string).split('\n')[0]!.slice(0, 120);
    }
  }
  const text = input === undefined ? '' : JSON.stringify(input);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Prints one event of a run as it happens: agent text and output on stdout, progress on stderr. */
function printEvent(event: LaunchEvent, io: CommandContext['io']): void {
  switch (event.type) {
    case 'message':
      if (event.role === 'assistant') io.stdout(event.text.endsWith('\n') ? event.text : `${event.text}\n`);
      else if (event.role === 'system') io.stderr(`[${event.role}] ${event.text}\n`);
      break;
    case 'output':
      if (event.stream === 'stdout') io.stdout(`${event.text}\n`);
      else io.stderr(`${event.text}\n`);
      break;
    case 'tool-use':
      io.stderr(`[tool] ${event.name} ${summarizeInput(event.input)}\n`);
      break;
    case 'tool-result':
      if (event.isError) io.stderr(`[tool error] ${(event.output ?? '').split('\n')[0]!.slice(0, 200)}\n`);
      break;
    default:
      break;
  }
}

function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort('interrupted (SIGINT)');
  const onSigterm = () => controller.abort('terminated (SIGTERM)');
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigterm);
    },
  };
}

/**
 * `sase run [--launcher ID] [--model M] [--name NAME] [--worktree] [--json] (PROMPT | -f FILE | -)`: expands
 * the prompt, registers one agent in `.sase/agents/<name>/`, runs it now in the foreground through its
 * launcher (see runAgent), streams its output, and exits 0 only when it succeeds (`completed` or `noop`).
 * A multi-prompt, or an agent that must wait (%wait, %time), goes to the supervisor instead.
 */
export async function run(options: RunOptions): Promise<number> {
  const { io } = options;
  const source = await readPrompt(options);
  const workspace = await findWorkspace(options.cwd);
  let prompt: RunPrompt;
  try {
    prompt = await expandRunPrompt(source.text, {
      workspace,
      file: source.file,
      ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
    });
  } catch (error) {
    // A multi-prompt, or an agent that must wait (%wait, %time), is the supervisor's job: submit it to AXE.
    const code = (error as { code?: string }).code;
    if (code !== 'RUN_MULTI_PROMPT' && code !== 'RUN_NEEDS_SUPERVISOR') throw error;
    if (options.name !== undefined) {
      throw new CliError(
        'RUN_USAGE',
        '--name names one agent; name the segments of a multi-prompt with %name',
        2,
      );
    }
    return (await import('./submit.js')).submit({
      cwd: options.cwd,
      io,
      json: options.json,
      text: source.text,
      file: source.file,
      ...(options.launcher === undefined ? {} : { launcher: options.launcher }),
      ...(options.model === undefined ? {} : { model: options.model }),
      ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.worktree === undefined ? {} : { isWorktree: options.worktree }),
      isWaiting: options.wait === true,
    });
  }
  printDiagnostics(io, prompt.diagnostics, options.cwd);

  const interrupt = options.signal === undefined ? interruptSignal() : undefined;
  const signal = options.signal ?? interrupt?.signal;
  let result: RunAgentResult;
  try {
    result = await runAgent({
      workspace,
      prompt,
      cwd: options.cwd,
      ...(options.launcher === undefined ? {} : { launcher: options.launcher }),
      ...(options.model === undefined ? {} : { model: options.model }),
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.worktree === undefined ? {} : { isWorktree: options.worktree }),
      ...(signal === undefined ? {} : { signal }),
      ...(options.resolveLauncher === undefined ? {} : { resolveLauncher: options.resolveLauncher }),
      onSubmitted: (agent) => {
        if (options.json) return;
        const agentDir = relative(options.cwd, agent.dir) || '.';
        io.stderr(
          `sase: agent ${agent.name} (attempt ${agent.attempt}) with ${agent.launcher} in ${agentDir}/\n`,
        );
      },
      ...(options.json
        ? {}
        : {
            onEvent: (event: LaunchEvent) => printEvent(event, io),
          }),
    });
  } finally {
    interrupt?.dispose();
  }
  const { done } = result;
  if (!result.isForeground && !options.json) {
    io.stderr(`sase: the AXE supervisor ran ${done.name}; this is its outcome\n`);
  }
  if (options.json) {
    printJson(io, formatDone(done));
  } else {
    const exit = done.exitCode === null ? '' : `, exit ${done.exitCode}`;
    const why = done.error === null ? '' : `: ${done.error}`;
    io.stderr(`sase: agent ${done.name} ${done.outcome} (${done.launcher}${exit})${why}\n`);
  }
  return isWaitSatisfying(done.outcome) ? 0 : 1;
}
