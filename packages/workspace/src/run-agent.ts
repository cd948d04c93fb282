import type { LaunchEvent, LauncherV1 } from '@sase/launcher-core';
import {
  createRegistry,
  type DoneRecord,
  type RunAttemptResult,
  runAttempt,
  type SubmittedAgent,
  submitSegments,
  waitForAgent,
} from '@sase/scheduler';
import type { Diagnostic, Directives } from '@sase/xprompt';
import { createWorkspaceLifecycle } from './agent-change.js';
import { loadWorkspaceCatalog } from './catalog.js';
import type { Workspace } from './config.js';
import { assertLauncherUsable, resolveLauncher as resolveInstalledLauncher } from './launchers.js';
import { aliasTablesFor, launcherNamedBy, resolveModelText } from './models.js';
import { baseCommitOf } from './submit.js';
import { WorkspaceError } from './workspace-error.js';

/** The one agent `sase run` starts, after expansion. */
export interface RunPrompt {
  /** The snapshot: every xprompt resolved, every directive stripped. */
  text: string;
  directives: Directives;
  diagnostics: readonly Diagnostic[];
}

/**
 * Expands a prompt against the workspace's catalog and checks that it is one agent that can start now: one
 * segment, no %wait and no %time (those need the AXE supervisor: RUN_MULTI_PROMPT, RUN_NEEDS_SUPERVISOR).
 */
export async function expandRunPrompt(
  text: string,
  options: { workspace: Workspace; file: string; homeDir?: string },
): Promise<RunPrompt> {
  const { expandPromptOrThrow } = await import('@sase/xprompt');
  const catalog = await loadWorkspaceCatalog({
    cwd: options.workspace.root,
    ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
  });
  const result = expandPromptOrThrow(text, { catalog, file: options.file });
  if (result.segments.length !== 1) {
    throw new WorkspaceError(
      'RUN_MULTI_PROMPT',
      `${options.file}: the prompt has ${result.segments.length} segments (--- lines); sase run starts one agent ` +
        'in the foreground, so give it a single prompt (a --- line inside a code fence does not split)',
    );
  }
  const [segment] = result.segments as [(typeof result.segments)[number]];
  const { directives } = segment;
  if (directives.wait !== undefined && directives.wait.length > 0) {
    throw new WorkspaceError(
      'RUN_NEEDS_SUPERVISOR',
      `${options.file}: %wait:${directives.wait.join(',')} needs the AXE supervisor; sase run starts its agent now`,
    );
  }
  if (directives.time !== undefined) {
    throw new WorkspaceError(
      'RUN_NEEDS_SUPERVISOR',
      `${options.file}: %time:${directives.time} needs the AXE supervisor; sase run starts its agent now`,
    );
  }
  if (segment.text.trim() === '') {
    throw new WorkspaceError(
      'RUN_EMPTY_PROMPT',
      `${options.file}: the prompt is empty once its directives are stripped`,
    );
  }
  return { text: segment.text, directives, diagnostics: result.diagnostics };
}

/**
 * Which launcher and model a run uses. `--model`/`%model` may be a `models.aliases` entry (`alias: launcher/model`)
 * or `launcher/model` itself, and then names the launcher too; an explicit `--launcher` that disagrees is an error.
 * With no launcher from any of them: NO_LAUNCHER. An `@alias` model is resolved against the chosen launcher's
 * table (`aliasTables`; see resolveModelText).
 */
export function chooseLauncherAndModel(input: {
  launcherFlag?: string;
  modelText?: string;
  defaultLauncher?: string;
  aliases: Record<string, string>;
  aliasTables?: ReadonlyMap<string, Record<string, string>>;
}): { launcher: string; model: string | null } {
  const fromModel =
    input.modelText === undefined || input.modelText === ''
      ? undefined
      : launcherNamedBy(input.aliases, input.modelText);
  if (input.launcherFlag !== undefined && fromModel !== undefined && fromModel !== input.launcherFlag) {
    throw new WorkspaceError(
      'RUN_LAUNCHER_CONFLICT',
      `--launcher ${input.launcherFlag} disagrees with the model "${input.modelText}", which names launcher ` +
        `${fromModel}; drop one of them`,
      { exitCode: 2 },
    );
  }
  const launcher = input.launcherFlag ?? fromModel ?? input.defaultLauncher;
  if (launcher === undefined) {
    throw new WorkspaceError(
      'NO_LAUNCHER',
      'no launcher configured: set launcher.default in sase.yml or pass --launcher',
    );
  }
  if (input.modelText === undefined || input.modelText === '') return { launcher, model: null };
  const { model } = resolveModelText(input.modelText, {
    aliases: input.aliases,
    defaultLauncher: launcher,
    aliasTables: input.aliasTables ?? new Map(),
  });
  return { launcher, model };
}

export interface RunAgentOptions {
  workspace: Workspace;
  /** The prompt, already expanded (expandRunPrompt). */
  prompt: RunPrompt;
  /** The agent's working directory (default the workspace root). */
  cwd?: string;
  launcher?: string;
  model?: string;
  /** Overrides `%name`. */
  name?: string;
  /** Run it in its own git worktree. Default: sase.yml `agents.workspace`. */
  isWorktree?: boolean;
  /** Aborting kills the agent (outcome `killed`). */
  signal?: AbortSignal;
  /** Sees each event of the run as it happens (the CLI streams them). */
  onEvent?: (event: LaunchEvent) => void;
  /** Called once the agent is registered, before it starts. */
  onSubmitted?: (agent: SubmittedAgent) => void;
  /** Loads a launcher; defaults to the installed adapters. */
  resolveLauncher?: (id: string, settings: Record<string, unknown>) => Promise<LauncherV1>;
}

export interface RunAgentResult {
  agent: SubmittedAgent;
  done: DoneRecord;
  /** False when a supervisor claimed the agent first and ran it (this call followed it to its outcome). */
  isForeground: boolean;
}

/**
 * `sase run`: registers one agent in `.sase/agents/<name>/`, runs it now in this process through its
 * launcher (in its own worktree when asked: commits, checks and a ChangeSpec as under the supervisor), and
 * resolves with its outcome. The launcher's executable is checked first (EXECUTABLE_NOT_FOUND).
 */
export async function runAgent(options: RunAgentOptions): Promise<RunAgentResult> {
  const { workspace, prompt } = options;
  const name = options.name ?? prompt.directives.name;
  const isForceReuse =
    prompt.directives.forceReuse === true &&
    (options.name === undefined || options.name === prompt.directives.name);
  const modelText = options.model ?? prompt.directives.model;
  const launcherId =
    options.launcher ??
    (modelText === undefined ? undefined : launcherNamedBy(workspace.config.models.aliases, modelText)) ??
    workspace.config.launcher.default;
  const choice = chooseLauncherAndModel({
    ...(options.launcher === undefined ? {} : { launcherFlag: options.launcher }),
    ...(modelText === undefined ? {} : { modelText }),
    ...(workspace.config.launcher.default === undefined
      ? {}
      : { defaultLauncher: workspace.config.launcher.default }),
    aliases: workspace.config.models.aliases,
    aliasTables: await aliasTablesFor(workspace, launcherId, [modelText]),
  });
  const settings = workspace.config.launcher.settings[choice.launcher] ?? {};
  const launcher = await (options.resolveLauncher ?? resolveInstalledLauncher)(choice.launcher, settings);
  assertLauncherUsable(choice.launcher, launcher);
  const isWorktree = options.isWorktree ?? workspace.config.agents.workspace === 'worktree';
  const base = isWorktree ? await baseCommitOf(workspace, '`sase run --worktree`') : undefined;

  const registry = createRegistry(workspace.root);
  const directives = { ...prompt.directives };
  delete directives.name;
  delete directives.forceReuse;
  delete directives.model;
  const [agent] = submitSegments(
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
        cwd: options.cwd ?? workspace.root,
        ...(base === undefined ? {} : { worktree: { base, merge: [] } }),
      },
    ],
    // The model is already resolved (aliases, launcher/model): take it as it is.
    { launcher: choice.launcher, resolveModel: (model) => ({ model }) },
  ) as [SubmittedAgent];
  options.onSubmitted?.(agent);

  // Tee the run's events; runAttempt keeps the registry files (claim, running.json, done.json).
  let streaming: Promise<void> = Promise.resolve();
  const teeLauncher: LauncherV1 = {
    specificationVersion: 'launcher-v1',
    launcherId: launcher.launcherId,
    launch(request) {
      const started = launcher.launch(request);
      const onEvent = options.onEvent;
      if (onEvent !== undefined) {
        streaming = (async () => {
          for await (const event of started.events) onEvent(event);
        })();
      }
      return started;
    },
  };
  const result: RunAttemptResult = await runAttempt({
    registry,
    name: agent.name,
    attempt: agent.attempt,
    resolveLauncher: () => teeLauncher,
    lifecycle: createWorkspaceLifecycle(workspace),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  await streaming;
  if (result.status === 'finished') return { agent, done: result.done, isForeground: true };
  // An AXE supervisor claimed the agent first: it runs there; follow it to its outcome.
  await waitForAgent(registry, agent.name, options.signal === undefined ? {} : { signal: options.signal });
  const done = registry.get(agent.name).done;
  if (done === undefined) throw new WorkspaceError('RUN_LOST', `agent ${agent.name} has no outcome`);
  return { agent, done, isForeground: false };
}
