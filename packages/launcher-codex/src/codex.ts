import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import {
  asNumber,
  asObject,
  asString,
  assertProcessLauncherSettings,
  assertSettingKeys,
  composePrompt,
  createProcessLauncher,
  describeExit,
  type JsonObject,
  type LaunchEventInput,
  LauncherError,
  type LaunchRequest,
  type OutputMapper,
  PROCESS_LAUNCHER_SETTING_KEYS,
  type ProcessLauncher,
  type ProcessLauncherSettings,
} from '@sase/launcher-core';

/** The environment variable that overrides the `codex` executable. */
export const CODEX_OVERRIDE_VARIABLE = 'SASE_CODEX_BIN';

/** `codex exec --sandbox` values. */
export type CodexSandboxMode = 'read-only' | 'workspace-write' | 'danger-full-access';

const SANDBOX_MODES: readonly CodexSandboxMode[] = ['read-only', 'workspace-write', 'danger-full-access'];

/**
 * The adapter's default models for SASE's `%model:@smart`, `@fast` and `@cheap` (sase.yml `launcher.codex.models`
 * overrides them): models of the catalogue the pinned Codex CLI (0.171.0) ships, by its own descriptions —
 * `gpt-6.2-astra` "Our most capable model for complex coding and professional work", `gpt-6.2-sol` "Fast, go-to
 * model for coding and everyday work", `gpt-6-luna` "Fast and affordable model for easier tasks".
 */
export const CODEX_MODEL_ALIASES: Readonly<Record<'smart' | 'fast' | 'cheap', string>> = Object.freeze({
  smart: 'gpt-6.2-astra',
  fast: 'gpt-6.2-sol',
  cheap: 'gpt-6-luna',
});

export interface CodexSettings extends ProcessLauncherSettings {
  /**
   * The sandbox of a self-approving run (`%approve`). Default `workspace-write` (`--sandbox workspace-write`, what
   * the removed `--full-auto` meant). `bypass` passes `--dangerously-bypass-approvals-and-sandbox`.
   */
  approvedSandbox?: CodexSandboxMode | 'bypass';
  /** The sandbox of a run without `%approve`. Default: none (Codex's config decides; `exec` is read-only by default). */
  sandbox?: CodexSandboxMode;
  /** Pass `--skip-git-repo-check` (Codex refuses to run outside a git repository without it). Default false. */
  skipGitRepoCheck?: boolean;
}

/** The sandbox of a request: the approved sandbox for `%approve`, else `sandbox` (maybe none). */
function sandboxOf(request: LaunchRequest, settings: CodexSettings): CodexSandboxMode | 'bypass' | undefined {
  return request.approve ? (settings.approvedSandbox ?? 'workspace-write') : settings.sandbox;
}

/** `exec`'s own flags: JSON events, the model (one `--model=M` element), the sandbox, writable git directories. */
function execFlags(
  request: LaunchRequest,
  settings: CodexSettings,
  gitDirectories: readonly string[],
): string[] {
  const sandbox = sandboxOf(request, settings);
  const isApprovedWorkspaceWrite = request.approve === true && sandbox === 'workspace-write';
  return [
    'exec',
    '--json',
    ...(request.model === undefined || request.model === '' ? [] : [`--model=${request.model}`]),
    ...(sandbox === undefined
      ? []
      : sandbox === 'bypass'
        ? ['--dangerously-bypass-approvals-and-sandbox']
        : ['--sandbox', sandbox]),
    ...(isApprovedWorkspaceWrite ? gitDirectories.flatMap((directory) => ['--add-dir', directory]) : []),
    ...(settings.skipGitRepoCheck === true ? ['--skip-git-repo-check'] : []),
    ...(settings.args ?? []),
  ];
}

/**
 * The arguments SASE passes to `codex` for a request; the final `-` makes Codex read the prompt from stdin.
 * The model is one argv element, `--model=<name>`, so that it can never be read as a flag of its own.
 * `gitDirectories` (for an approved `workspace-write` run: the repository's git directories, see
 * `findGitDirectories`) become `--add-dir` writable roots, so the agent can commit.
 */
export function codexArguments(
  request: LaunchRequest,
  settings: CodexSettings = {},
  gitDirectories: readonly string[] = [],
): string[] {
  return [...execFlags(request, settings, gitDirectories), '-'];
}

/**
 * The arguments SASE passes to `codex` to continue the thread `sessionId` (a previous run's `outcome.sessionId`)
 * with the request's prompt on stdin: `codex exec <exec's flags and settings.args> resume <thread_id> -`.
 * `exec`'s flags go before the `resume` subcommand: `exec resume` has no `--sandbox` or `--add-dir` of its own,
 * and a resumed thread does not keep its first run's sandbox, so they are given again (checked with 0.171.0).
 */
export function codexResumeArguments(
  request: LaunchRequest,
  sessionId: string,
  settings: CodexSettings = {},
  gitDirectories: readonly string[] = [],
): string[] {
  return [...execFlags(request, settings, gitDirectories), 'resume', sessionId, '-'];
}

/**
 * The git directories of the repository at `cwd` that a commit writes: the git directory and, in a linked
 * worktree, the common directory it shares with the main checkout (absolute, without duplicates). Empty outside a
 * repository or without git. Codex's `workspace-write` sandbox keeps them read-only (`.git/index.lock:
 * Read-only file system`) unless they are writable roots.
 */
export function findGitDirectories(cwd: string): string[] {
  try {
    const output = execFileSync('git', ['rev-parse', '--absolute-git-dir', '--git-common-dir'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
    const [gitDirectory, commonDirectory] = output.split('\n').map((line) => line.trim());
    if (gitDirectory === undefined || gitDirectory === '') return [];
    const directories = [gitDirectory];
    if (commonDirectory !== undefined && commonDirectory !== '') {
      const common = resolve(cwd, commonDirectory);
      if (common !== gitDirectory) directories.push(common);
    }
    return directories;
  } catch {
    return [];
  }
}

/**
 * An error's message. Codex passes some API errors on as the API's whole error document
 * (`{"error":{"message":"…","type":"invalid_request_error",…}}`); its `error.message` is taken then.
 */
function errorMessage(value: unknown): string | undefined {
  const message = asString(asObject(value)?.message) ?? asString(value);
  if (message === undefined || !message.trimStart().startsWith('{')) return message;
  try {
    const document = asObject(JSON.parse(message));
    return asString(asObject(document?.error)?.message) ?? asString(document?.message) ?? message;
  } catch {
    return message;
  }
}

/** The tool-use event of a tool-like item, or undefined for items that are not tools. */
function toolUse(item: JsonObject, id: string | undefined): LaunchEventInput | undefined {
  const withId = id === undefined ? {} : { id };
  switch (item.type) {
    case 'command_execution':
      return { type: 'tool-use', name: 'command_execution', input: { command: item.command }, ...withId };
    case 'file_change':
      return { type: 'tool-use', name: 'file_change', input: { changes: item.changes }, ...withId };
    case 'mcp_tool_call':
      return {
        type: 'tool-use',
        name: `mcp:${asString(item.server) ?? '?'}/${asString(item.tool) ?? '?'}`,
        input: item.arguments,
        ...withId,
      };
    case 'web_search':
      return { type: 'tool-use', name: 'web_search', input: { query: item.query }, ...withId };
    case 'collab_tool_call':
      return {
        type: 'tool-use',
        name: `collab:${asString(item.tool) ?? '?'}`,
        input: { prompt: item.prompt },
        ...withId,
      };
    default:
      return undefined;
  }
}

function toolResult(item: JsonObject, id: string | undefined): LaunchEventInput {
  const withId = id === undefined ? {} : { id };
  const status = asString(item.status);
  switch (item.type) {
    case 'command_execution': {
      const exitCode = asNumber(item.exit_code);
      return {
        type: 'tool-result',
        ...withId,
        output: asString(item.aggregated_output) ?? '',
        isError: status !== 'completed' || (exitCode !== undefined && exitCode !== 0),
      };
    }
    case 'file_change': {
      const changes = Array.isArray(item.changes) ? item.changes : [];
      const output = changes
        .map(
          (change) =>
            `${asString(asObject(change)?.kind) ?? 'change'} ${asString(asObject(change)?.path) ?? '?'}`,
        )
        .join('\n');
      return { type: 'tool-result', ...withId, output, isError: status === 'failed' };
    }
    case 'mcp_tool_call': {
      const content = asObject(item.result)?.content;
      const texts = Array.isArray(content)
        ? content.flatMap((block) => asString(asObject(block)?.text) ?? [])
        : [];
      const failure = errorMessage(item.error);
      return {
        type: 'tool-result',
        ...withId,
        output: failure ?? texts.join('\n'),
        isError: status === 'failed' || failure !== undefined,
      };
    }
    default:
      return { type: 'tool-result', ...withId, isError: status === 'failed' };
  }
}

/**
 * Maps `codex exec --json` JSONL to LaunchEvents: `agent_message` items → `message`; command executions, file
 * changes, MCP tool calls and web searches → `tool-use` when they start and `tool-result` when they complete;
 * `turn.completed` → `usage`; `error` events and `error` items (non-fatal) → system messages. The outcome comes
 * from the turn: `turn.failed` is `failed` whatever the exit code; `turn.completed` with exit code 0 is
 * `completed`, its final text the last agent message; no terminal turn event is `failed`.
 */
export function createCodexMapper(): OutputMapper {
  let threadId: string | undefined;
  let isTurnCompleted = false;
  let turnFailure: string | undefined;
  let lastError: string | undefined;
  let lastMessage: string | undefined;
  const started = new Set<string>();
  return {
    json(event) {
      switch (event.type) {
        case 'thread.started':
          threadId = asString(event.thread_id) ?? threadId;
          return [{ type: 'message', role: 'system', text: `Codex thread ${threadId ?? '?'}` }];
        case 'item.started': {
          const item = asObject(event.item);
          if (item === undefined) return [];
          const id = asString(item.id);
          const use = toolUse(item, id);
          if (use === undefined) return [];
          if (id !== undefined) started.add(id);
          return [use];
        }
        case 'item.completed': {
          const item = asObject(event.item);
          if (item === undefined) return [];
          const id = asString(item.id);
          if (item.type === 'agent_message' || item.type === 'plan') {
            const text = asString(item.text);
            if (text === undefined) return [];
            lastMessage = text;
            return [{ type: 'message', role: 'assistant', text }];
          }
          if (item.type === 'error') {
            const message = asString(item.message);
            return message === undefined
              ? []
              : [{ type: 'message', role: 'system', text: `warning: ${message}` }];
          }
          const use = toolUse(item, id);
          if (use === undefined) return [];
          const events: LaunchEventInput[] = [];
          if (id === undefined || !started.has(id)) events.push(use);
          if (id !== undefined) started.delete(id);
          events.push(toolResult(item, id));
          return events;
        }
        case 'turn.completed': {
          isTurnCompleted = true;
          const usage = asObject(event.usage);
          const input = asNumber(usage?.input_tokens);
          const output = asNumber(usage?.output_tokens);
          return [
            {
              type: 'usage',
              ...(input === undefined ? {} : { inputTokens: input }),
              ...(output === undefined ? {} : { outputTokens: output }),
            },
          ];
        }
        case 'turn.failed':
          turnFailure = errorMessage(event.error) ?? lastError ?? 'turn failed';
          return [];
        case 'error': {
          const message = errorMessage(event.message);
          if (message === undefined) return [];
          lastError = message;
          return [{ type: 'message', role: 'system', text: `error: ${message}` }];
        }
        default:
          return [];
      }
    },
    finish(context) {
      const session = threadId === undefined ? {} : { sessionId: threadId };
      if (turnFailure !== undefined) {
        return { outcome: 'failed', error: `codex turn failed: ${turnFailure}`, ...session };
      }
      const withText = lastMessage === undefined ? {} : { finalText: lastMessage };
      if (isTurnCompleted) {
        if (context.exitCode === 0) return { outcome: 'completed', ...withText, ...session };
        return {
          outcome: 'failed',
          error: `codex completed its turn but ${describeExit(context)}`,
          ...withText,
          ...session,
        };
      }
      const because =
        lastError !== undefined
          ? ` (last error: ${lastError})`
          : context.lastTextLine !== undefined
            ? ` (last non-JSON output: ${context.lastTextLine.slice(0, 200)})`
            : '';
      return {
        outcome: 'failed',
        error: `codex ${describeExit(context)} without turn.completed${because}`,
        ...session,
      };
    },
  };
}

const CODEX_SETTING_KEYS: readonly (keyof CodexSettings)[] = [
  ...PROCESS_LAUNCHER_SETTING_KEYS,
  'approvedSandbox',
  'sandbox',
  'skipGitRepoCheck',
];

function assertCodexSettings(settings: CodexSettings): void {
  assertSettingKeys('codex', settings, CODEX_SETTING_KEYS);
  assertProcessLauncherSettings('codex', settings);
  const fail = (message: string): never => {
    throw new LauncherError('INVALID_SETTINGS', `launcher.codex: ${message}`, { launcherId: 'codex' });
  };
  if (
    settings.approvedSandbox !== undefined &&
    ![...SANDBOX_MODES, 'bypass'].includes(settings.approvedSandbox)
  ) {
    fail(
      `approvedSandbox must be one of ${SANDBOX_MODES.join(', ')}, bypass; not ${JSON.stringify(settings.approvedSandbox)}`,
    );
  }
  if (settings.sandbox !== undefined && !SANDBOX_MODES.includes(settings.sandbox)) {
    fail(`sandbox must be one of ${SANDBOX_MODES.join(', ')}; not ${JSON.stringify(settings.sandbox)}`);
  }
  if (settings.skipGitRepoCheck !== undefined && typeof settings.skipGitRepoCheck !== 'boolean') {
    fail('skipGitRepoCheck must be true or false');
  }
}

/**
 * Creates a Codex launcher: `codex exec --json [--model=M] [--sandbox MODE | --dangerously-bypass-approvals-and-
 * sandbox] [--add-dir GITDIR ...] [--skip-git-repo-check] [...args] -` with the prompt on stdin, and `resume()`
 * with `resume <thread_id>` before the final `-`. Its `modelAliases` are CODEX_MODEL_ALIASES. The executable is
 * `codex` on PATH, `settings.executable`, or `$SASE_CODEX_BIN`.
 */
export function createCodex(settings: CodexSettings = {}): ProcessLauncher {
  assertCodexSettings(settings);
  // %approve under workspace-write: the repository's git directories are writable roots, so the agent can commit.
  const writableGitDirectories = (request: LaunchRequest): string[] =>
    request.approve === true && sandboxOf(request, settings) === 'workspace-write'
      ? findGitDirectories(request.cwd)
      : [];
  return createProcessLauncher({
    launcherId: 'codex',
    executable: settings.executable ?? 'codex',
    overrideVariable: CODEX_OVERRIDE_VARIABLE,
    ...(settings.env === undefined ? {} : { env: settings.env }),
    ...(settings.killGraceMs === undefined ? {} : { killGraceMs: settings.killGraceMs }),
    modelAliases: CODEX_MODEL_ALIASES,
    invocation: (request) => ({
      args: codexArguments(request, settings, writableGitDirectories(request)),
      // The prompt with SASE's notes (request.context) appended, on stdin.
      input: composePrompt(request.prompt, request.context),
    }),
    // The same, continuing a thread: the prompt is the next user message.
    resumeInvocation: (request, sessionId) => ({
      args: codexResumeArguments(request, sessionId, settings, writableGitDirectories(request)),
      input: composePrompt(request.prompt, request.context),
    }),
    createMapper: createCodexMapper,
  });
}

/** The Codex launcher with default settings. */
export const codex: ProcessLauncher = createCodex();
