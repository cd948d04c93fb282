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

/** The environment variable that overrides the `claude` executable. */
export const CLAUDE_OVERRIDE_VARIABLE = 'SASE_CLAUDE_BIN';

/**
 * Claude Code's permission modes (`--permission-mode`): the choices `claude --help` lists in the pinned version
 * (2.1.332: acceptEdits, auto, bypassPermissions, manual, dontAsk, plan), and `default`, the older name of
 * `manual`, which 2.1.332 still accepts (and reports in `system/init`) though `--help` no longer lists it.
 */
export type ClaudePermissionMode =
  | 'acceptEdits'
  | 'auto'
  | 'bypassPermissions'
  | 'default'
  | 'dontAsk'
  | 'manual'
  | 'plan';

/** The permission modes the adapter accepts: those of the pinned Claude Code (see ClaudePermissionMode). */
export const CLAUDE_PERMISSION_MODES: readonly ClaudePermissionMode[] = [
  'acceptEdits',
  'auto',
  'bypassPermissions',
  'default',
  'dontAsk',
  'manual',
  'plan',
];

/**
 * The adapter's default models for SASE's `%model:@smart`, `@fast` and `@cheap` (sase.yml `launcher.claude.models`
 * overrides them): Claude Code's own aliases for the latest model of each tier, which the pinned Claude Code
 * (2.1.332) resolves itself (`claude --help`: "Use an alias for the latest model"), on every provider.
 */
export const CLAUDE_MODEL_ALIASES: Readonly<Record<'smart' | 'fast' | 'cheap', string>> = Object.freeze({
  smart: 'opus',
  fast: 'sonnet',
  cheap: 'haiku',
});

export interface ClaudeSettings extends ProcessLauncherSettings {
  /**
   * The permission mode of a self-approving run (`%approve`). Default `bypassPermissions`, passed as
   * `--dangerously-skip-permissions`: a headless agent cannot ask, and `acceptEdits` still refuses shell commands.
   */
  approvedPermissionMode?: ClaudePermissionMode;
  /** The permission mode of a run without `%approve`. Default: none (Claude Code's own settings decide). */
  permissionMode?: ClaudePermissionMode;
}

/** The permission mode of a request: the approved mode for `%approve`, else `permissionMode` (maybe none). */
function permissionModeOf(
  request: LaunchRequest,
  settings: ClaudeSettings,
): ClaudePermissionMode | undefined {
  return request.approve ? (settings.approvedPermissionMode ?? 'bypassPermissions') : settings.permissionMode;
}

function permissionArguments(mode: ClaudePermissionMode | undefined): string[] {
  if (mode === undefined) return [];
  if (mode === 'bypassPermissions') return ['--dangerously-skip-permissions'];
  return ['--permission-mode', mode];
}

/** The adapter's own flags: print mode, stream-json, the model (one `--model=M` element), the permission mode. */
function claudeFlags(request: LaunchRequest, settings: ClaudeSettings): string[] {
  return [
    '-p',
    '--output-format',
    'stream-json',
    '--verbose',
    ...(request.model === undefined || request.model === '' ? [] : [`--model=${request.model}`]),
    ...permissionArguments(permissionModeOf(request, settings)),
  ];
}

/**
 * The arguments SASE passes to `claude` for a request (the prompt goes on stdin). The model is one argv element,
 * `--model=<name>`, so that it can never be read as a flag of its own.
 */
export function claudeArguments(request: LaunchRequest, settings: ClaudeSettings = {}): string[] {
  return [...claudeFlags(request, settings), ...(settings.args ?? [])];
}

/**
 * The arguments SASE passes to `claude` to continue the session `sessionId` (a previous run's `outcome.sessionId`)
 * with the request's prompt on stdin: those of claudeArguments with `--resume <session_id>` before `settings.args`.
 * Claude Code keeps the session id (the resumed run reports the same one); the session is stored under the
 * `HOME` the CLI runs with (`~/.claude/projects/<cwd>/`), so the cwd and HOME must be the first run's.
 */
export function claudeResumeArguments(
  request: LaunchRequest,
  sessionId: string,
  settings: ClaudeSettings = {},
): string[] {
  return [...claudeFlags(request, settings), '--resume', sessionId, ...(settings.args ?? [])];
}

/**
 * The environment the adapter adds for a request: `IS_SANDBOX=1` when the run bypasses permissions and SASE runs
 * as root (uid 0, as in CI machines and containers), since Claude Code refuses `--dangerously-skip-permissions`
 * and `--permission-mode bypassPermissions` under root otherwise ("cannot be used with root/sudo privileges").
 * An `IS_SANDBOX` in `settings.env` wins. `userId` defaults to this process's uid.
 */
export function claudeEnvironment(
  request: LaunchRequest,
  settings: ClaudeSettings = {},
  userId: number | undefined = process.getuid?.(),
): Record<string, string> {
  const isBypass = permissionModeOf(request, settings) === 'bypassPermissions';
  if (!isBypass || userId !== 0 || settings.env?.IS_SANDBOX !== undefined) return {};
  return { IS_SANDBOX: '1' };
}

/** A tool_result's content: a string, or a list of blocks of which the text ones are joined. */
function toolResultText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.flatMap((block) => {
    const text = asString(asObject(block)?.text);
    return text === undefined ? [] : [text];
  });
  return texts.length === 0 ? undefined : texts.join('\n');
}

function contentBlocks(event: JsonObject): JsonObject[] {
  const content = asObject(event.message)?.content;
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return content.flatMap((block: unknown) => {
    const object = asObject(block);
    return object === undefined ? [] : [object];
  });
}

/**
 * An `api_retry` event as one line: `retrying (2/10): API 500`, or the error kind when there was no HTTP status
 * (`retrying (1/10): connection_error`).
 */
function retryText(event: JsonObject): string {
  const attempt = asNumber(event.attempt);
  const maximum = asNumber(event.max_retries);
  const status = asNumber(event.error_status);
  const reason = status !== undefined ? `API ${status}` : (asString(event.error) ?? 'request failed');
  return `retrying (${attempt ?? '?'}/${maximum ?? '?'}): ${reason}`;
}

/** The end of the first JSON object at the start of `text` (balanced braces outside strings), or -1. */
function jsonObjectEnd(text: string): number {
  let depth = 0;
  let isInString = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (isInString) {
      if (character === '\\') index += 1;
      else if (character === '"') isInString = false;
    } else if (character === '"') isInString = true;
    else if (character === '{') depth += 1;
    else if (character === '}') {
      depth -= 1;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

/**
 * The API's own message in a result text of an API error. Claude Code writes `API Error: <status> <message>`
 * (2.1.332: `API Error: 500 <message>. This is a server-side issue…`, `Failed to authenticate. API Error: 401
 * <message>`), or with the API's error document instead of its message (2.1.197: `API Error: 401 {"type":"error",
 * "error":{…,"message":"invalid x-api-key"}} · Please run /login`), whose `error.message` is taken.
 */
function apiErrorMessage(text: string, status: number): string {
  const marker = new RegExp(`API Error:\\s*${status}\\s*`).exec(text);
  let message = marker === null ? text : text.slice(marker.index + marker[0].length);
  const end = message.startsWith('{') ? jsonObjectEnd(message) : -1;
  if (end !== -1) {
    try {
      const document = asObject(JSON.parse(message.slice(0, end)));
      const inner = asString(asObject(document?.error)?.message) ?? asString(document?.message);
      if (inner !== undefined) message = `${inner}${message.slice(end)}`;
    } catch {
      // Not a JSON document after all: keep the text.
    }
  }
  message = message.trim();
  return message === '' ? 'no detail' : message;
}

/**
 * Maps Claude Code's stream-json (`claude -p --output-format stream-json --verbose`) to LaunchEvents:
 * assistant text → `message`, tool_use → `tool-use`, the user turn's tool_result → `tool-result`, the final
 * `result` → `usage`. The outcome comes from the `result` event: `subtype: "success"` with `is_error: false` and
 * exit code 0 is `completed`; an error subtype (`error_max_turns`, `error_during_execution`, ...) or
 * `is_error: true` is `failed` whatever the exit code; no result at all is `failed`.
 */
export function createClaudeMapper(): OutputMapper {
  let result: JsonObject | undefined;
  let sessionId: string | undefined;
  let lastAssistantText: string | undefined;
  return {
    json(event) {
      const type = event.type;
      sessionId = asString(event.session_id) ?? sessionId;
      if (type === 'system') {
        if (event.subtype === 'api_retry')
          return [{ type: 'message', role: 'system', text: retryText(event) }];
        if (event.subtype !== 'init') return [];
        const model = asString(event.model);
        const version = asString(event.claude_code_version);
        return [
          {
            type: 'message',
            role: 'system',
            text: `Claude Code${version === undefined ? '' : ` ${version}`} session ${sessionId ?? '?'}${
              model === undefined ? '' : ` (model ${model})`
            }`,
          },
        ];
      }
      if (type === 'assistant') {
        const events: LaunchEventInput[] = [];
        for (const block of contentBlocks(event)) {
          if (block.type === 'text') {
            const text = asString(block.text);
            if (text !== undefined && text !== '') {
              lastAssistantText = text;
              events.push({ type: 'message', role: 'assistant', text });
            }
          } else if (block.type === 'tool_use') {
            const id = asString(block.id);
            events.push({
              type: 'tool-use',
              name: asString(block.name) ?? 'unknown',
              input: block.input,
              ...(id === undefined ? {} : { id }),
            });
          }
        }
        return events;
      }
      if (type === 'user') {
        const events: LaunchEventInput[] = [];
        for (const block of contentBlocks(event)) {
          if (block.type === 'tool_result') {
            const id = asString(block.tool_use_id);
            const output = toolResultText(block.content);
            events.push({
              type: 'tool-result',
              ...(id === undefined ? {} : { id }),
              ...(output === undefined ? {} : { output }),
              isError: block.is_error === true,
            });
          } else if (block.type === 'text' && typeof block.text === 'string') {
            events.push({ type: 'message', role: 'user', text: block.text });
          }
        }
        return events;
      }
      if (type === 'result') {
        result = event;
        const usage = asObject(event.usage);
        const input =
          usage === undefined
            ? undefined
            : (asNumber(usage.input_tokens) ?? 0) +
              (asNumber(usage.cache_creation_input_tokens) ?? 0) +
              (asNumber(usage.cache_read_input_tokens) ?? 0);
        const output = asNumber(usage?.output_tokens);
        const cost = asNumber(event.total_cost_usd);
        return [
          {
            type: 'usage',
            ...(input === undefined ? {} : { inputTokens: input }),
            ...(output === undefined ? {} : { outputTokens: output }),
            ...(cost === undefined ? {} : { costUsd: cost }),
          },
        ];
      }
      return [];
    },
    finish(context) {
      const session = sessionId === undefined ? {} : { sessionId };
      if (result === undefined) {
        const noise =
          context.lastTextLine === undefined
            ? ''
            : ` (last non-JSON output: ${context.lastTextLine.slice(0, 200)})`;
        return {
          outcome: 'failed',
          error: `claude ${describeExit(context)} without a result event${noise}`,
          ...session,
        };
      }
      const subtype = asString(result.subtype) ?? 'unknown';
      const text = asString(result.result);
      const finalText = text ?? lastAssistantText;
      const withText = finalText === undefined ? {} : { finalText };
      const apiStatus = asNumber(result.api_error_status);
      if (result.is_error === true && apiStatus !== undefined) {
        return {
          outcome: 'failed',
          error: `claude: API error ${apiStatus}: ${apiErrorMessage(text ?? '', apiStatus)}`,
          ...withText,
          ...session,
        };
      }
      if (subtype !== 'success' || result.is_error === true) {
        const errors = Array.isArray(result.errors)
          ? result.errors.filter((item) => typeof item === 'string')
          : [];
        const detail = errors.length > 0 ? errors.join('; ') : (text ?? 'no detail');
        return { outcome: 'failed', error: `claude reported ${subtype}: ${detail}`, ...withText, ...session };
      }
      if (context.exitCode !== 0) {
        return {
          outcome: 'failed',
          error: `claude reported success but ${describeExit(context)}`,
          ...withText,
          ...session,
        };
      }
      return { outcome: 'completed', ...withText, ...session };
    },
  };
}

const CLAUDE_SETTING_KEYS: readonly (keyof ClaudeSettings)[] = [
  ...PROCESS_LAUNCHER_SETTING_KEYS,
  'approvedPermissionMode',
  'permissionMode',
];

function assertClaudeSettings(settings: ClaudeSettings): void {
  assertSettingKeys('claude', settings, CLAUDE_SETTING_KEYS);
  assertProcessLauncherSettings('claude', settings);
  for (const key of ['approvedPermissionMode', 'permissionMode'] as const) {
    const value = settings[key];
    if (value !== undefined && !CLAUDE_PERMISSION_MODES.includes(value)) {
      throw new LauncherError(
        'INVALID_SETTINGS',
        `launcher.claude: ${key} must be one of ${CLAUDE_PERMISSION_MODES.join(', ')}, not ${JSON.stringify(value)}`,
        { launcherId: 'claude' },
      );
    }
  }
}

/**
 * Creates a Claude Code launcher: `claude -p --output-format stream-json --verbose [--model=M]
 * [--dangerously-skip-permissions | --permission-mode MODE] [...args]` with the prompt on stdin, and `resume()`
 * with `--resume <session_id>` before the args. Its `modelAliases` are CLAUDE_MODEL_ALIASES. The executable is
 * `claude` on PATH, `settings.executable`, or `$SASE_CLAUDE_BIN`.
 */
export function createClaude(settings: ClaudeSettings = {}): ProcessLauncher {
  assertClaudeSettings(settings);
  return createProcessLauncher({
    launcherId: 'claude',
    executable: settings.executable ?? 'claude',
    overrideVariable: CLAUDE_OVERRIDE_VARIABLE,
    ...(settings.env === undefined ? {} : { env: settings.env }),
    ...(settings.killGraceMs === undefined ? {} : { killGraceMs: settings.killGraceMs }),
    modelAliases: CLAUDE_MODEL_ALIASES,
    invocation: (request) => ({
      args: claudeArguments(request, settings),
      // IS_SANDBOX=1 for a bypassPermissions run as root (Claude Code refuses it otherwise).
      env: claudeEnvironment(request, settings),
      // The prompt with SASE's notes (request.context) appended, on stdin.
      input: composePrompt(request.prompt, request.context),
    }),
    // The same, continuing a session: the prompt is the next user message.
    resumeInvocation: (request, sessionId) => ({
      args: claudeResumeArguments(request, sessionId, settings),
      env: claudeEnvironment(request, settings),
      input: composePrompt(request.prompt, request.context),
    }),
    createMapper: createClaudeMapper,
  });
}

/** The Claude Code launcher with default settings. */
export const claude: ProcessLauncher = createClaude();
