import type {
  ConversationView,
  MockProtocolHandler,
  MockTurn,
  ProtocolContext,
} from '../mock-model-server.js';
import { asArray, asRecord, textOf } from './json.js';

/** The Google API error `status` for an HTTP status. */
function errorStatus(status: number): string {
  if (status === 400) return 'INVALID_ARGUMENT';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RESOURCE_EXHAUSTED';
  if (status === 503) return 'UNAVAILABLE';
  return 'INTERNAL';
}

/** The conversation of a generateContent request: user texts (not function responses) and the model turns. */
function view(body: Record<string, unknown>): ConversationView {
  const userTexts: ConversationView['userTexts'] = [];
  let modelTurns = 0;
  for (const entry of asArray(body.contents)) {
    const content = asRecord(entry);
    if (content?.role === 'model') {
      modelTurns += 1;
      continue;
    }
    const text = asArray(content?.parts)
      .map((part) => textOf(asRecord(part)?.text))
      .join('\n');
    if (text !== '') userTexts.push({ text, modelTurnsBefore: modelTurns });
  }
  const declarations = asArray(body.tools).flatMap((tool) => asArray(asRecord(tool)?.functionDeclarations));
  return { isConversation: declarations.length > 0, userTexts, modelTurns };
}

function parts(turn: MockTurn, body: Record<string, unknown>): Record<string, unknown>[] {
  if (turn.type === 'shell') {
    const names = asArray(body.tools)
      .flatMap((tool) => asArray(asRecord(tool)?.functionDeclarations))
      .map((declaration) => textOf(asRecord(declaration)?.name));
    const name = names.includes('run_shell_command')
      ? 'run_shell_command'
      : (names[0] ?? 'run_shell_command');
    return [
      ...(turn.text === undefined ? [] : [{ text: turn.text }]),
      { functionCall: { name, args: { command: turn.command, description: 'Run a command' } } },
    ];
  }
  if (turn.type === 'error') return [];
  return [{ text: turn.text }];
}

/** A value of the JSON schema's type: the first enum value, `1`, `false`, `"mock"`, or an object of such. */
function sample(schema: unknown): unknown {
  const record = asRecord(schema) ?? {};
  const enumValues = asArray(record.enum);
  if (enumValues.length > 0) return enumValues[0];
  switch (textOf(record.type).toLowerCase()) {
    case 'object':
      return Object.fromEntries(
        Object.entries(asRecord(record.properties) ?? {}).map(([key, value]) => [key, sample(value)]),
      );
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    default:
      return 'mock';
  }
}

/**
 * The answer of an auxiliary request that asks for JSON (Gemini CLI's model router, its "who speaks next" check):
 * a document of the requested schema; the next speaker is always the user, so the CLI does not continue by itself.
 */
function auxiliaryJson(body: Record<string, unknown>): string {
  const config = asRecord(body.generationConfig);
  const schema = config?.responseJsonSchema ?? config?.responseSchema;
  const value = asRecord(sample(schema)) ?? {};
  if ('next_speaker' in value) value.next_speaker = 'user';
  return JSON.stringify(value);
}

function document(model: string, answerParts: Record<string, unknown>[]): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts: answerParts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 7, totalTokenCount: 19 },
    modelVersion: model,
    responseId: 'mock-response',
  };
}

async function answer(
  context: ProtocolContext,
  body: Record<string, unknown>,
  model: string,
  isStreaming: boolean,
  turn: MockTurn,
): Promise<void> {
  if (turn.type === 'error') {
    context.json(turn.status, {
      error: { code: turn.status, message: turn.message, status: errorStatus(turn.status) },
    });
    return;
  }
  if (turn.type === 'slow' && !(await context.delay(turn.delayMs))) return;
  const answerParts = parts(turn, body);
  if (!isStreaming) {
    context.json(200, document(model, answerParts));
    return;
  }
  context.startEvents();
  context.event(document(model, answerParts));
  context.end();
}

/**
 * The Gemini API: `POST /v1beta/models/<model>:streamGenerateContent?alt=sse`, `:generateContent` and
 * `:countTokens`.
 */
export const geminiProtocol: MockProtocolHandler = {
  name: 'gemini',
  async handle(context) {
    const match =
      /^\/v1(?:beta|alpha)?\/models\/([^:/]+):(streamGenerateContent|generateContent|countTokens)$/.exec(
        context.url.pathname,
      );
    if (context.request.method !== 'POST' || match === null) return false;
    const model = decodeURIComponent(match[1] ?? 'gemini-mock');
    const body = asRecord(context.body) ?? {};
    if (match[2] === 'countTokens') {
      context.json(200, { totalTokens: 100 });
      return true;
    }
    const isStreaming = match[2] === 'streamGenerateContent';
    const scripted = context.turnFor(view(body));
    const config = asRecord(body.generationConfig);
    const wantsJson = config?.responseMimeType === 'application/json';
    const turn: MockTurn = scripted?.turn ?? { type: 'text', text: wantsJson ? auxiliaryJson(body) : 'OK' };
    await answer(context, body, model, isStreaming, turn);
    return true;
  },
};
