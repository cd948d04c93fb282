import {
  type AgentWorktree,
  createRegistry,
  type SegmentInput,
  type SubmittedAgent,
  submitSegments,
} from '@sase/scheduler';
import type { Diagnostic, Directives, ExpandedSegment } from '@sase/xprompt';
import { loadWorkspaceCatalog } from './catalog.js';
import type { Workspace } from './config.js';
import { assertGitRepository, revParse } from './internal/git.js';
import { chooseLauncher } from './launchers.js';
import { aliasTablesFor, resolveModelText } from './models.js';
import { branchOf } from './worktrees.js';

/** Stands for an unnamed segment while xprompt resolves a bare `%wait` (never a valid agent name). */
const PLACEHOLDER = '\u0000segment-';

export interface SubmitPromptOptions {
  workspace: Workspace;
  /** The agents' working directory (absolute, or relative to the workspace root). Default: the root. */
  cwd?: string;
  /** The multi-prompt text, not yet expanded (or `segments`). */
  text?: string;
  /** Its already expanded segments. */
  segments?: readonly ExpandedSegment[];
  /** Where the text came from, for diagnostics (`plan.md`, `<stdin>`). */
  file?: string;
  /** For the xprompt catalog (`~/.xprompts`); tests pass their own. */
  homeDir?: string;
  /** The launcher of segments whose model names none. Default: sase.yml `launcher.default` (NO_LAUNCHER if neither). */
  launcher?: string;
  /** Overrides every segment's `%model` (a `models.aliases` entry names launcher/model). */
  model?: string;
  /**
   * Give each agent its own git worktree (`.sase/workspaces/<agent>/` on `sase/<agent>`) starting from HEAD,
   * with the branches of the agents it waits on merged in. Default: sase.yml `agents.workspace`.
   */
  isWorktree?: boolean;
  /** Adjusts each segment before it is submitted (e.g. `sase bead work` sets each agent's bead). */
  decorate?: (input: SegmentInput, index: number) => SegmentInput;
  /**
   * Let every agent's CLI approve its own tool use (launcher `approve`), as `%approve` does, without
   * `%approve`'s other meaning: a `%plan` agent with `%approve` also approves its own plan.
   */
  isToolUseApproved?: boolean;
}

export interface SubmitPromptResult {
  agents: SubmittedAgent[];
  /** Warnings from expanding the prompt (errors throw). */
  diagnostics: readonly Diagnostic[];
  /** The commit worktree agents start from, when they have worktrees. */
  base?: string;
}

/** xprompt's directives to the scheduler's: placeholder names of unnamed segments become auto-names. */
function toSegmentInput(segment: ExpandedSegment, cwd: string | undefined): SegmentInput {
  const { name, wait, ...rest } = segment.directives as Directives;
  const directives: SegmentInput['directives'] = { ...rest };
  if (name !== undefined && !name.startsWith(PLACEHOLDER)) directives.name = name;
  else delete directives.forceReuse;
  const waits = (wait ?? []).filter((target) => !target.startsWith(PLACEHOLDER));
  if (waits.length > 0) directives.wait = waits;
  if ((wait ?? []).some((target) => target.startsWith(PLACEHOLDER))) directives.waitPrevious = true;
  return { prompt: segment.text, directives, ...(cwd === undefined ? {} : { cwd }) };
}

/**
 * The commit agents in worktrees start from: HEAD of the workspace's checkout. Throws NOT_A_GIT_REPOSITORY
 * when there is no repository or no commit yet.
 */
export async function baseCommitOf(workspace: Workspace, what: string): Promise<string> {
  await assertGitRepository(workspace.root, what);
  return (await revParse(workspace.root, 'HEAD')) as string;
}

/**
 * Expands a multi-prompt against the workspace's xprompt catalog and submits one agent per segment to the
 * agent registry (`.sase/agents/<name>/`), validated as a whole first (names, waits, cycles, the launcher).
 * Nothing is launched here: the workspace's supervisor starts each agent when its waits allow.
 */
export async function submitPrompt(options: SubmitPromptOptions): Promise<SubmitPromptResult> {
  const { workspace } = options;
  const launcher = await chooseLauncher(workspace, options.launcher);
  let segments: readonly ExpandedSegment[];
  let diagnostics: readonly Diagnostic[] = [];
  if (options.segments !== undefined) {
    segments = options.segments;
  } else {
    const { expandPromptOrThrow } = await import('@sase/xprompt');
    const catalog = await loadWorkspaceCatalog({
      cwd: workspace.root,
      ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
    });
    const result = expandPromptOrThrow(options.text ?? '', {
      catalog,
      file: options.file ?? '<prompt>',
      defaultName: (index) => `${PLACEHOLDER}${index}`,
    });
    diagnostics = result.diagnostics;
    segments = result.segments;
  }
  const isWorktree = options.isWorktree ?? workspace.config.agents.workspace === 'worktree';
  const base = isWorktree ? await baseCommitOf(workspace, 'an agent in a worktree') : undefined;
  const inputs = segments.map((segment, index) => {
    const input = toSegmentInput(segment, options.cwd);
    if (options.model !== undefined) input.directives = { ...input.directives, model: options.model };
    return options.decorate ? options.decorate(input, index) : input;
  });
  const aliasTables = await aliasTablesFor(
    workspace,
    launcher,
    inputs.map((input) => input.directives?.model),
  );
  const agents = submitSegments(createRegistry(workspace.root), inputs, {
    launcher,
    ...(options.isToolUseApproved ? { defaults: { approve: true } } : {}),
    resolveModel: (model) =>
      resolveModelText(model, {
        aliases: workspace.config.models.aliases,
        defaultLauncher: launcher,
        aliasTables,
      }),
    ...(base === undefined
      ? {}
      : {
          worktreeOf: ({ waits }): AgentWorktree => ({ base, merge: waits.map(branchOf) }),
        }),
  });
  return { agents, diagnostics, ...(base === undefined ? {} : { base }) };
}
