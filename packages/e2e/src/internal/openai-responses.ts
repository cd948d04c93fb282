import { randomBytes } from 'node:crypto';
import type {
  ConversationView,
  MockProtocolHandler,
  MockTurn,
  ProtocolContext,
} from '../mock-model-server.js';
import { asArray, asRecord, textOf } from './json.js';

/** OpenAI's error `type` and `code` for an HTTP status. */
function errorFields(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

function id(prefix: string): string {
  return `${prefix}_mock${randomBytes(12).toString('hex')}`;
}

const MODEL_ITEMS = new Set(['function_call', 'custom_tool_call', 'local_shell_call', 'reasoning']);

/** The conversation of a Responses request: a run of model items (messages, calls) is one model turn. */
function view(body: Record<string, unknown>): ConversationView {
  const userTexts: ConversationView['userTexts'] = [];
  let modelTurns = 0;
  let isInModelTurn = false;
  for (const entry of asArray(body.input)) {
    const item = asRecord(entry);
    if (item === undefined) continue;
    const isModel =
      MODEL_ITEMS.has(textOf(item.type)) || (item.type === 'message' && item.role === 'assistant');
    if (isModel) {
      if (!isInModelTurn) modelTurns += 1;
      isInModelTurn = true;
      continue;
    }
    isInModelTurn = false;
    if (item.type === 'message' && item.role === 'user') {
      const content = item.content;
      const text =
        typeof content === 'string'
          ? content
          : asArray(content)
              .map((part) => textOf(asRecord(part)?.text))
              .join('\n');
      if (text !== '') userTexts.push({ text, modelTurnsBefore: modelTurns });
    }
  }
  return { isConversation: asArray(body.tools).length > 0, userTexts, modelTurns };
}

/** The function call that runs `command` with whichever shell tool the CLI offered. */
function shellCall(command: string, body: Record<string, unknown>): Record<string, unknown> {
  const names = asArray(body.tools).map((tool) => textOf(asRecord(tool)?.name));
  const callId = id('call');
  if (names.includes('exec_command')) {
    return { name: 'exec_command', arguments: JSON.stringify({ cmd: command }), call_id: callId };
  }
  if (names.includes('shell_command')) {
    return { name: 'shell_command', arguments: JSON.stringify({ command }), call_id: callId };
  }
  return { name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', command] }), call_id: callId };
}

async function answer(
  context: ProtocolContext,
  body: Record<string, unknown>,
  turn: MockTurn,
): Promise<void> {
  if (turn.type === 'error') {
    context.json(turn.status, { error: { message: turn.message, ...errorFields(turn.status), param: null } });
    return;
  }
  if (turn.type === 'slow' && !(await context.delay(turn.delayMs))) return;
  const model = textOf(body.model) || 'mock-model';
  const responseId = id('resp');
  const items: Record<string, unknown>[] = [];
  const text = turn.text;
  if (text !== undefined) {
    items.push({
      id: id('msg'),
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text, annotations: [] }],
    });
  }
  if (turn.type === 'shell') {
    items.push({
      id: id('fc'),
      type: 'function_call',
      status: 'completed',
      ...shellCall(turn.command, body),
    });
  }
  const response = {
    id: responseId,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    model,
    status: 'in_progress',
    output: [] as unknown[],
  };
  let sequence = 0;
  const send = (type: string, fields: Record<string, unknown>): void =>
    context.event({ type, sequence_number: sequence++, ...fields }, type);
  context.startEvents();
  send('response.created', { response });
  items.forEach((item, outputIndex) => {
    if (item.type === 'message') {
      const itemText = textOf(asRecord(asArray(item.content)[0])?.text);
      send('response.output_item.added', {
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', content: [] },
      });
      send('response.output_text.delta', {
        item_id: item.id,
        output_index: outputIndex,
        content_index: 0,
        delta: itemText,
      });
      send('response.output_text.done', {
        item_id: item.id,
        output_index: outputIndex,
        content_index: 0,
        text: itemText,
      });
    } else {
      send('response.output_item.added', {
        output_index: outputIndex,
        item: { ...item, status: 'in_progress' },
      });
    }
    send('response.output_item.done', { output_index: outputIndex, item });
  });
  send('response.completed', {
    response: {
      ...response,
      status: 'completed',
      output: items,
      usage: {
        input_tokens: 12,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 7,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 19,
      },
    },
  });
  context.end();
}

/** OpenAI Responses: `POST /v1/responses` (streaming), and an empty `GET /v1/models`. */
export const openaiResponsesProtocol: MockProtocolHandler = {
  name: 'openai-responses',
  async handle(context) {
    const path = context.url.pathname;
    if (context.request.method === 'GET' && path === '/v1/models') {
      context.json(200, { object: 'list', data: [], models: [] });
      return true;
    }
    if (context.request.method !== 'POST' || path !== '/v1/responses') return false;
    const body = asRecord(context.body) ?? {};
    const scripted = context.turnFor(view(body));
    await answer(context, body, scripted?.turn ?? { type: 'text', text: 'OK' });
    return true;
  },
};
