import {
  asNumber,
  asObject,
  asString,
  assertProcessLauncherSettings,
  assertSettingKeys,
  composePrompt,
  createProcessLauncher,
  describeExit,
  type FinishContext,
  type JsonObject,
  type LaunchEventInput,
  LauncherError,
  type LaunchRequest,
  type OutcomeDecision,
  type OutputMapper,
  PROCESS_LAUNCHER_SETTING_KEYS,
  type ProcessLauncher,
  type ProcessLauncherSettings,
} from '@sase/launcher-core';

/** The environment variable that overrides the `gemini` executable. */
export const GEMINI_OVERRIDE_VARIABLE = 'SASE_GEMINI_BIN';

/** Gemini CLI's `--approval-mode` values that approve without asking. */
export type GeminiApprovalMode = 'yolo' | 'auto_edit';

/** Gemini CLI's structured output formats. */
export type GeminiOutputFormat = 'stream-json' | 'json';

/**
 * The adapter's default models for SASE's `%model:@smart`, `@fast` and `@cheap` (sase.yml `launcher.gemini.models`
 * overrides them): Gemini CLI's own model aliases, which the pinned Gemini CLI (0.61.0) resolves itself to the
 * current model of each tier that the account may use (`pro`: gemini-3-pro-preview with preview access, else
 * gemini-2.5-pro; `flash`; `flash-lite`).
 */
export const GEMINI_MODEL_ALIASES: Readonly<Record<'smart' | 'fast' | 'cheap', string>> = Object.freeze({
  smart: 'pro',
  fast: 'flash',
  cheap: 'flash-lite',
});

export interface GeminiSettings extends ProcessLauncherSettings {
  /** The approval mode of a self-approving run (`%approve`). Default `yolo` (every tool); `auto_edit` approves edits only. */
  approvalMode?: GeminiApprovalMode;
  /**
   * `stream-json` (default; events as they happen, Gemini CLI 0.11 and later) or `json` (one document at the end,
   * for older versions).
   */
  outputFormat?: GeminiOutputFormat;
  /**
   * Pass `--skip-trust`: Gemini CLI refuses to run headless in a folder it does not trust (exit code 55). Default
   * false, so trusting a folder stays your decision.
   */
  trustWorkspace?: boolean;
}

/** The adapter's own flags: the output format, the model (one `--model=M` element), approval, trust. */
function geminiFlags(request: LaunchRequest, settings: GeminiSettings): string[] {
  return [
    '--output-format',
    settings.outputFormat ?? 'stream-json',
    ...(request.model === undefined || request.model === '' ? [] : [`--model=${request.model}`]),
    ...(request.approve ? ['--approval-mode', settings.approvalMode ?? 'yolo'] : []),
    ...(settings.trustWorkspace === true ? ['--skip-trust'] : []),
  ];
}

/**
 * The arguments SASE passes to `gemini`: headless mode comes from stdin not being a terminal; the prompt is stdin.
 * The model is one argv element, `--model=<name>`, so that it can never be read as a flag of its own.
 */
export function geminiArguments(request: LaunchRequest, settings: GeminiSettings = {}): string[] {
  return [...geminiFlags(request, settings), ...(settings.args ?? [])];
}

/**
 * The arguments SASE passes to `gemini` to continue the session `sessionId` (a previous run's `outcome.sessionId`)
 * with the request's prompt on stdin: those of geminiArguments with `--resume <session_id>` before `settings.args`.
 * Gemini CLI 0.61.0 resumes headless by session id (as well as `latest` or an index) and keeps the id; the session
 * is stored under the `HOME` it runs with, per project (`~/.gemini/tmp/<project>/chats/`), so the cwd and HOME
 * must be the first run's.
 */
export function geminiResumeArguments(
  request: LaunchRequest,
  sessionId: string,
  settings: GeminiSettings = {},
): string[] {
  return [...geminiFlags(request, settings), '--resume', sessionId, ...(settings.args ?? [])];
}

function noiseNote(context: FinishContext): string {
  return context.lastTextLine === undefined
    ? ''
    : ` (last non-JSON output: ${context.lastTextLine.slice(0, 200)})`;
}

/**
 * Maps Gemini CLI's `--output-format stream-json` to LaunchEvents: assistant deltas are joined into one `message`
 * per stretch of text, `tool_use` → `tool-use`, `tool_result` → `tool-result`, `error` → a system message, the
 * final `result`'s stats → `usage`. The outcome comes from the `result` event's `status`: `success` with exit code
 * 0 is `completed` (final text: the assistant's text after its last tool call); `error` is `failed` whatever the
 * exit code, with the result's error or the last error event; no result is `failed`.
 */
export function createGeminiStreamMapper(): OutputMapper {
  let sessionId: string | undefined;
  let pending = '';
  let sinceLastTool = '';
  let lastSegment = '';
  let result: JsonObject | undefined;
  let lastError: string | undefined;
  const flush = (): LaunchEventInput[] => {
    if (pending === '') return [];
    const text = pending;
    pending = '';
    return [{ type: 'message', role: 'assistant', text }];
  };
  return {
    json(event) {
      if (event.type === 'message') {
        if (event.role !== 'assistant') return [];
        const content = asString(event.content) ?? '';
        sinceLastTool += content;
        pending += content;
        return event.delta === true ? [] : flush();
      }
      const events = flush();
      switch (event.type) {
        case 'init': {
          sessionId = asString(event.session_id) ?? sessionId;
          const model = asString(event.model);
          events.push({
            type: 'message',
            role: 'system',
            text: `Gemini CLI session ${sessionId ?? '?'}${model === undefined ? '' : ` (model ${model})`}`,
          });
          break;
        }
        case 'tool_use': {
          if (sinceLastTool.trim() !== '') lastSegment = sinceLastTool;
          sinceLastTool = '';
          const id = asString(event.tool_id);
          events.push({
            type: 'tool-use',
            name: asString(event.tool_name) ?? 'unknown',
            input: event.parameters,
            ...(id === undefined ? {} : { id }),
          });
          break;
        }
        case 'tool_result': {
          const id = asString(event.tool_id);
          const output = asString(event.output) ?? asString(asObject(event.error)?.message);
          events.push({
            type: 'tool-result',
            ...(id === undefined ? {} : { id }),
            ...(output === undefined ? {} : { output }),
            isError: event.status === 'error',
          });
          break;
        }
        case 'error': {
          const message = asString(event.message);
          if (message === undefined) break;
          const severity = asString(event.severity) ?? 'error';
          if (severity === 'error') lastError = message;
          events.push({ type: 'message', role: 'system', text: `${severity}: ${message}` });
          break;
        }
        case 'result': {
          result = event;
          const stats = asObject(event.stats);
          const input = asNumber(stats?.input_tokens);
          const output = asNumber(stats?.output_tokens);
          events.push({
            type: 'usage',
            ...(input === undefined ? {} : { inputTokens: input }),
            ...(output === undefined ? {} : { outputTokens: output }),
          });
          break;
        }
      }
      return events;
    },
    finish(context): OutcomeDecision {
      const events = flush();
      const session = sessionId === undefined ? {} : { sessionId };
      const text = sinceLastTool.trim() !== '' ? sinceLastTool : lastSegment;
      const withText = text.trim() === '' ? {} : { finalText: text };
      if (result === undefined) {
        return {
          outcome: 'failed',
          error: `gemini ${describeExit(context)} without a result event${noiseNote(context)}`,
          events,
          ...session,
        };
      }
      if (result.status !== 'success') {
        const error = asObject(result.error);
        const message = asString(error?.message) ?? lastError ?? `status ${String(result.status)}`;
        return {
          outcome: 'failed',
          error: errorText(asString(error?.type), message),
          events,
          ...withText,
          ...session,
        };
      }
      if (context.exitCode !== 0) {
        return {
          outcome: 'failed',
          error: `gemini reported success but ${describeExit(context)}`,
          events,
          ...withText,
          ...session,
        };
      }
      return { outcome: 'completed', events, ...withText, ...session };
    },
  };
}

/**
 * The last JSON object of `text`: the outermost object that ends at its last `}`. On an API error Gemini CLI
 * writes stack traces (which hold braces of their own, `… {\n  status: 400\n}`) before the pretty-printed error
 * document, so the document is the first `{` from which the rest parses.
 */
function parseDocument(text: string): JsonObject | undefined {
  const end = text.lastIndexOf('}');
  for (let start = text.indexOf('{'); start !== -1 && start < end; start = text.indexOf('{', start + 1)) {
    try {
      const document = asObject(JSON.parse(text.slice(start, end + 1)));
      if (document !== undefined) return document;
    } catch {
      // Not the start of the document (a brace in a stack trace): try the next one.
    }
  }
  return undefined;
}

/**
 * The API's own error in a Gemini CLI error message: Gemini CLI passes an API error on as the API's error document
 * (`{"error":{"code":400,"message":"…","status":"INVALID_ARGUMENT"}}`, in stream-json inside `[API Error: …]`).
 */
function apiError(message: string): { status: number; message: string } | undefined {
  const start = message.indexOf('{');
  const end = message.lastIndexOf('}');
  if (start === -1 || end < start) return undefined;
  try {
    const error = asObject(asObject(JSON.parse(message.slice(start, end + 1)))?.error);
    const status = asNumber(error?.code);
    const text = asString(error?.message);
    return status === undefined || text === undefined ? undefined : { status, message: text };
  } catch {
    return undefined;
  }
}

/**
 * `gemini: API error 400: <the API's message>` for an API error, else `gemini reported an error (<type>): …` (the
 * type left out when it says nothing: `unknown`, `Error`).
 */
function errorText(type: string | undefined, message: string): string {
  const api = apiError(message);
  if (api !== undefined) return `gemini: API error ${api.status}: ${api.message}`;
  const isTyped = type !== undefined && type !== 'unknown' && type !== 'Error';
  return `gemini reported an error${isTyped ? ` (${type})` : ''}: ${message}`;
}

/**
 * Maps Gemini CLI's `--output-format json`: one pretty-printed `{session_id, response, stats, error}` document
 * on stdout at the end (on stderr when the CLI fails). Its lines are not output events; the document becomes one
 * assistant `message`, a `usage` event and the outcome.
 */
export function createGeminiJsonMapper(): OutputMapper {
  let stdout = '';
  return {
    text(line) {
      stdout += `${line}\n`;
      return [];
    },
    finish(context): OutcomeDecision {
      const document = parseDocument(stdout) ?? parseDocument(context.stderrTail);
      if (document === undefined) {
        return {
          outcome: 'failed',
          error: `gemini ${describeExit(context)} without a JSON result${noiseNote(context)}`,
        };
      }
      const sessionId = asString(document.session_id);
      const session = sessionId === undefined ? {} : { sessionId };
      const response = asString(document.response);
      const events: LaunchEventInput[] = [];
      if (response !== undefined && response !== '')
        events.push({ type: 'message', role: 'assistant', text: response });
      const models = asObject(asObject(document.stats)?.models);
      if (models !== undefined) {
        let inputTokens = 0;
        let outputTokens = 0;
        for (const model of Object.values(models)) {
          const tokens = asObject(asObject(model)?.tokens);
          inputTokens += asNumber(tokens?.prompt) ?? 0;
          outputTokens += asNumber(tokens?.candidates) ?? 0;
        }
        events.push({ type: 'usage', inputTokens, outputTokens });
      }
      const withText = response === undefined || response === '' ? {} : { finalText: response };
      const error = asObject(document.error);
      if (error !== undefined) {
        return {
          outcome: 'failed',
          error: errorText(asString(error.type), asString(error.message) ?? 'no detail'),
          events,
          ...withText,
          ...session,
        };
      }
      if (context.exitCode !== 0) {
        return {
          outcome: 'failed',
          error: `gemini ${describeExit(context)}`,
          events,
          ...withText,
          ...session,
        };
      }
      return { outcome: 'completed', events, ...withText, ...session };
    },
  };
}

const GEMINI_SETTING_KEYS: readonly (keyof GeminiSettings)[] = [
  ...PROCESS_LAUNCHER_SETTING_KEYS,
  'approvalMode',
  'outputFormat',
  'trustWorkspace',
];

function assertGeminiSettings(settings: GeminiSettings): void {
  assertSettingKeys('gemini', settings, GEMINI_SETTING_KEYS);
  assertProcessLauncherSettings('gemini', settings);
  const fail = (message: string): never => {
    throw new LauncherError('INVALID_SETTINGS', `launcher.gemini: ${message}`, { launcherId: 'gemini' });
  };
  if (settings.approvalMode !== undefined && !['yolo', 'auto_edit'].includes(settings.approvalMode)) {
    fail(`approvalMode must be yolo or auto_edit, not ${JSON.stringify(settings.approvalMode)}`);
  }
  if (settings.outputFormat !== undefined && !['stream-json', 'json'].includes(settings.outputFormat)) {
    fail(`outputFormat must be stream-json or json, not ${JSON.stringify(settings.outputFormat)}`);
  }
  if (settings.trustWorkspace !== undefined && typeof settings.trustWorkspace !== 'boolean') {
    fail('trustWorkspace must be true or false');
  }
}

/**
 * Creates a Gemini CLI launcher: `gemini --output-format stream-json [--model=M] [--approval-mode yolo]
 * [--skip-trust] [...args]` with the prompt on stdin (a non-terminal stdin makes Gemini CLI headless), and
 * `resume()` with `--resume <session_id>` before the args. Its `modelAliases` are GEMINI_MODEL_ALIASES. The
 * executable is `gemini` on PATH, `settings.executable`, or `$SASE_GEMINI_BIN`.
 */
export function createGemini(settings: GeminiSettings = {}): ProcessLauncher {
  assertGeminiSettings(settings);
  const isJson = settings.outputFormat === 'json';
  return createProcessLauncher({
    launcherId: 'gemini',
    executable: settings.executable ?? 'gemini',
    overrideVariable: GEMINI_OVERRIDE_VARIABLE,
    ...(settings.env === undefined ? {} : { env: settings.env }),
    ...(settings.killGraceMs === undefined ? {} : { killGraceMs: settings.killGraceMs }),
    modelAliases: GEMINI_MODEL_ALIASES,
    invocation: (request) => ({
      args: geminiArguments(request, settings),
      // The prompt with SASE's notes (request.context) appended, on stdin.
      input: composePrompt(request.prompt, request.context),
    }),
    // The same, continuing a session: the prompt is the next user message.
    resumeInvocation: (request, sessionId) => ({
      args: geminiResumeArguments(request, sessionId, settings),
      input: composePrompt(request.prompt, request.context),
    }),
    createMapper: isJson ? createGeminiJsonMapper : createGeminiStreamMapper,
  });
}

/** The Gemini CLI launcher with default settings. */
export const gemini: ProcessLauncher = createGemini();
