import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { LaunchEvent, LauncherV1 } from '@sase/launcher-core';
import {
  createRegistry,
  type DoneRecord,
  formatDone,
  type RunAttemptResult,
  runAttempt,
  submitSegments,
  waitForAgent,
} from '@sase/scheduler';
import { type Directives, expandPromptOrThrow } from '@sase/xprompt';
import { CliError } from '../../errors.js';
import { type CommandContext, printJson } from '../../io.js';
import { resolveLauncher as resolveInstalledLauncher } from '../../launchers.js';
import { findWorkspace } from '../../workspace.js';
import { loadWorkspaceCatalog } from '../xprompt/load-workspace-catalog.js';
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
  /** Loads a launcher; defaults to the installed adapters (../../launchers.ts). */
  resolveLauncher?: (id: string, settings: Record<string, unknown>) => Promise<LauncherV1>;
}

/** The one agent `sase run` starts, after expansion. */
export interface RunPrompt {
  /** The snapshot: every xprompt resolved, every directive stripped. */
  text: string;
  directives: Directives;
}

/**
 * Expands a prompt with @sase/xprompt against the workspace's catalog and checks that it is one agent that can
 * start now: one segment, no %wait and no %time (those need the AXE supervisor). Warnings go to stderr.
 */
export async function expandRunPrompt(
  text: string,
  options: { cwd: string; io: CommandContext['io']; file: string; homeDir?: string },
): Promise<RunPrompt> {
  const catalog = await loadWorkspaceCatalog(options);
  const result = expandPromptOrThrow(text, { catalog, file: options.file });
  printDiagnostics(options.io, result.diagnostics, options.cwd);
  if (result.segments.length !== 1) {
    throw new CliError(
      'RUN_MULTI_PROMPT',
      `${options.file}: the prompt has ${result.segments.length} segments (--- lines); sase run starts one agent ` +
        'in the foreground, so give it a single prompt (a --- line inside a code fence does not split)',
    );
  }
  const [segment] = result.segments as [(typeof result.segments)[number]];
  const { directives } = segment;
  if (directives.wait !== undefined && directives.wait.length > 0) {
    throw new CliError(
      'RUN_NEEDS_SUPERVISOR',
      `${options.file}: %wait:${directives.wait.join(',')} needs the AXE supervisor; sase run starts its agent now`,
    );
  }
  if (directives.time !== undefined) {
    throw new CliError(
      'RUN_NEEDS_SUPERVISOR',
      `${options.file}: %time:${directives.time} needs the AXE supervisor; sase run starts its agent now`,
    );
  }
  if (segment.text.trim() === '') {
    throw new CliError(
      'RUN_EMPTY_PROMPT',
      `${options.file}: the prompt is empty once its directives are stripped`,
    );
  }
  return { text: segment.text, directives };
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

const LAUNCHER_ID = /^[a-z][a-z0-9-]*$/;

/**
 * Which launcher and model a run uses. `--model`/`%model` may be a `models.aliases` entry (`alias: launcher/model`)
 * or `launcher/model` itself, and then names the launcher too; an explicit `--launcher` that disagrees is an error.
 */
export function chooseLauncherAndModel(input: {
  launcherFlag?: string;
  modelText?: string;
  defaultLauncher: string;
  aliases: Record<string, string>;
}): { launcher: string; model: string | null } {
  let fromModel: string | undefined;
  let model: string | null = null;
  if (input.modelText !== undefined && input.modelText !== '') {
    const target = input.aliases[input.modelText] ?? input.modelText;
    const slash = target.indexOf('/');
    if (slash > 0 && LAUNCHER_ID.test(target.slice(0, slash))) {
      fromModel = target.slice(0, slash);
      model = target.slice(slash + 1) || null;
    } else {
      model = target;
    }
  }
  if (input.launcherFlag !== undefined && fromModel !== undefined && fromModel !== input.launcherFlag) {
    throw new CliError(
      'RUN_LAUNCHER_CONFLICT',
      `--launcher ${input.launcherFlag} disagrees with the model "${input.modelText}", which names launcher ` +
        `${fromModel}; drop one of them`,
      2,
    );
  }
  return { launcher: input.launcherFlag ?? fromModel ?? input.defaultLauncher, model };
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

/** Prints a run's events as they happen: agent text and output on stdout, progress on stderr. */
async function streamEvents(events: AsyncIterable<LaunchEvent>, io: CommandContext['io']): Promise<void> {
  for await (const event of events) {
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
 * `sase run [--launcher ID] [--model M] [--name NAME] [--json] (PROMPT | -f FILE | -)`: expands the prompt,
 * registers one agent in `.sase/agents/<name>/` (request.json, prompt.md), runs it now in the foreground through
 * its launcher (transcript.jsonl, running.json while it runs, done.json at the end), streams its output, and
 * exits 0 only when the outcome is `completed` (1 otherwise).
 */
export async function run(options: RunOptions): Promise<number> {
  const { io } = options;
  const source = await readPrompt(options);
  const workspace = await findWorkspace(options.cwd);
  let prompt: RunPrompt;
  try {
    prompt = await expandRunPrompt(source.text, {
      cwd: options.cwd,
      io,
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
      isWaiting: options.wait === true,
    });
  }

  const name = options.name ?? prompt.directives.name;
  const isForceReuse =
    prompt.directives.forceReuse === true &&
    (options.name === undefined || options.name === prompt.directives.name);
  const modelText = options.model ?? prompt.directives.model;
  const choice = chooseLauncherAndModel({
    ...(options.launcher === undefined ? {} : { launcherFlag: options.launcher }),
    ...(modelText === undefined ? {} : { modelText }),
    defaultLauncher: workspace.config.launcher.default,
    aliases: workspace.config.models.aliases,
  });
  const settings = workspace.config.launcher.settings[choice.launcher] ?? {};
  const launcher = await (options.resolveLauncher ?? resolveInstalledLauncher)(choice.launcher, settings);
  const location = launcher.locate?.();
  if (location !== undefined && !location.found) {
    const { LauncherError } = await import('@sase/launcher-core');
    const how = location.isOverridden ? `${location.overrideVariable} is set to it` : 'searched on PATH';
    throw new LauncherError(
      'EXECUTABLE_NOT_FOUND',
      `the ${choice.launcher} launcher's executable "${location.executable}" was not found (${how}); install it` +
        (location.overrideVariable === undefined ? '' : `, or set ${location.overrideVariable} to its path`),
      {
        launcherId: choice.launcher,
        executable: location.executable,
        ...(location.overrideVariable === undefined ? {} : { overrideVariable: location.overrideVariable }),
      },
    );
  }

  const registry = createRegistry(workspace.root);
  const directives = { ...prompt.directives };
  delete directives.name;
  delete directives.forceReuse;
  delete directives.model;
  const [submitted] = submitSegments(
    registry,
    [
      {
        prompt: prompt.text,
        directives: {
          ...directives,
          ...(name === undefined ? {} : { name }),
          ...(isForceReuse ? { forceReuse: true } : {}),
          ...(choice.model === null ? {} : { model: choice.model }),
        },
        launcher: choice.launcher,
        cwd: options.cwd,
      },
    ],
    // The model is already resolved (aliases, launcher/model): take it as it is.
    { launcher: choice.launcher, resolveModel: (model) => ({ model }) },
  );
  const agent = submitted!;
  const agentDir = relative(options.cwd, agent.dir) || '.';
  if (!options.json) {
    io.stderr(
      `sase: agent ${agent.name} (attempt ${agent.attempt}) with ${agent.launcher} in ${agentDir}/\n`,
    );
  }

  // Tee the run's events to the terminal; runAttempt keeps the registry files (claim, running.json, done.json).
  let streaming: Promise<void> = Promise.resolve();
  const teeLauncher: LauncherV1 = {
    specificationVersion: 'launcher-v1',
    launcherId: launcher.launcherId,
    launch(request) {
      const started = launcher.launch(request);
      if (!options.json) streaming = streamEvents(started.events, io);
      return started;
    },
  };
  const interrupt = options.signal === undefined ? interruptSignal() : undefined;
  let result: RunAttemptResult;
  try {
    result = await runAttempt({
      registry,
      name: agent.name,
      attempt: agent.attempt,
      resolveLauncher: () => teeLauncher,
      ...((options.signal ?? interrupt?.signal) === undefined
        ? {}
        : { signal: options.signal ?? interrupt?.signal }),
    });
    await streaming;
  } finally {
    interrupt?.dispose();
  }

  let done: DoneRecord;
  if (result.status === 'finished') {
    done = result.done;
  } else {
    // An AXE supervisor claimed the agent first: it runs there; follow it to its outcome.
    if (!options.json) io.stderr(`sase: the AXE supervisor started ${agent.name}; waiting for its outcome\n`);
    await waitForAgent(registry, agent.name, options.signal === undefined ? {} : { signal: options.signal });
    const snapshot = registry.get(agent.name);
    if (snapshot.done === undefined) throw new CliError('RUN_LOST', `agent ${agent.name} has no outcome`);
    done = snapshot.done;
  }

  if (options.json) {
    printJson(io, formatDone(done));
  } else {
    const exit = done.exitCode === null ? '' : `, exit ${done.exitCode}`;
    const why = done.error === null ? '' : `: ${done.error}`;
    io.stderr(`sase: agent ${done.name} ${done.outcome} (${done.launcher}${exit})${why}\n`);
  }
  return done.outcome === 'completed' ? 0 : 1;
}
