import { randomBytes } from 'node:crypto';
import type {
  ConversationView,
  MockProtocolHandler,
  MockTurn,
  ProtocolContext,
} from '../mock-model-server.js';
import { asArray, asRecord, textOf } from './json.js';

/** Anthropic's error `type` for an HTTP status. */
function errorType(status: number): string {
  if (status === 400) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  return 'api_error';
}

function id(prefix: string): string {
  return `${prefix}_mock${randomBytes(8).toString('hex')}`;
}

/** The conversation of a Messages request: user texts (not tool results) and the assistant turns between them. */
function view(body: Record<string, unknown>): ConversationView {
  const userTexts: ConversationView['userTexts'] = [];
  let modelTurns = 0;
  for (const message of asArray(body.messages)) {
    const record = asRecord(message);
    if (record?.role === 'assistant') modelTurns += 1;
    else if (record?.role === 'user') {
      const content = record.content;
      const text =
        typeof content === 'string'
          ? content
          : asArray(content)
              .map((block) => asRecord(block))
              .filter((block) => block?.type === 'text')
              .map((block) => textOf(block?.text))
              .join('\n');
      if (text !== '') userTexts.push({ text, modelTurnsBefore: modelTurns });
    }
  }
  return { isConversation: asArray(body.tools).length > 0, userTexts, modelTurns };
}

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

function blocksOf(turn: MockTurn, body: Record<string, unknown>): Block[] {
  if (turn.type === 'shell') {
    const tools = asArray(body.tools).map((tool) => textOf(asRecord(tool)?.name));
    const name = tools.includes('Bash') ? 'Bash' : (tools[0] ?? 'Bash');
    return [
      ...(turn.text === undefined ? [] : [{ type: 'text' as const, text: turn.text }]),
      {
        type: 'tool_use',
        id: id('toolu'),
        name,
        input: { command: turn.command, description: 'Run a command' },
      },
    ];
  }
  return [{ type: 'text', text: turn.type === 'text' || turn.type === 'slow' ? turn.text : '' }];
}

async function answer(
  context: ProtocolContext,
  body: Record<string, unknown>,
  turn: MockTurn,
): Promise<void> {
  if (turn.type === 'error') {
    context.json(
      turn.status,
      { type: 'error', error: { type: errorType(turn.status), message: turn.message } },
      { 'request-id': id('req') },
    );
    return;
  }
  if (turn.type === 'slow' && !(await context.delay(turn.delayMs))) return;
  const model = textOf(body.model) || 'claude-mock';
  const blocks = blocksOf(turn, body);
  const stopReason = blocks.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn';
  const usage = {
    input_tokens: 12,
    output_tokens: 7,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  const messageId = id('msg');
  if (body.stream !== true) {
    context.json(200, {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model,
      content: blocks,
      stop_reason: stopReason,
      stop_sequence: null,
      usage,
    });
    return;
  }
  context.startEvents();
  context.event(
    {
      type: 'message_start',
      message: {
        id: messageId,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    },
    'message_start',
  );
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      context.event(
        { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
        'content_block_start',
      );
      context.event(
        { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } },
        'content_block_delta',
      );
    } else {
      context.event(
        {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        },
        'content_block_start',
      );
      context.event(
        {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
        },
        'content_block_delta',
      );
    }
    context.event({ type: 'content_block_stop', index }, 'content_block_stop');
  });
  context.event(
    {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    },
    'message_delta',
  );
  context.event({ type: 'message_stop' }, 'message_stop');
  context.end();
}

/** Anthropic Messages: `POST /v1/messages` (streaming or not) and `POST /v1/messages/count_tokens`. */
export const anthropicProtocol: MockProtocolHandler = {
  name: 'anthropic',
  async handle(context) {
    const path = context.url.pathname;
    if (context.request.method !== 'POST' || !path.startsWith('/v1/messages')) return false;
    const body = asRecord(context.body) ?? {};
    if (path === '/v1/messages/count_tokens') {
      context.json(200, { input_tokens: 100 });
      return true;
    }
    if (path !== '/v1/messages') return false;
    const scripted = context.turnFor(view(body));
    await answer(context, body, scripted?.turn ?? { type: 'text', text: 'OK' });
    return true;
  },
};
