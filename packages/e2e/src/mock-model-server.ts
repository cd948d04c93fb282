import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicProtocol } from './internal/anthropic.js';
import { geminiProtocol } from './internal/gemini.js';
import { openaiResponsesProtocol } from './internal/openai-responses.js';

/**
 * One scripted answer of the mock model, for one model turn of a conversation:
 * - `text`: the model answers with this text and ends its turn;
 * - `shell`: the model calls the CLI's own shell tool with `command` (optionally saying `text` first); the CLI runs
 *   it and sends the result back in its next request, which is answered by the script's next turn;
 * - `error`: the API answers with this HTTP status and the provider's own error document carrying `message`;
 * - `slow`: the model answers `text` only after `delayMs` (a kill test kills the agent meanwhile).
 */
export type MockTurn =
  | { type: 'text'; text: string }
  | { type: 'shell'; command: string; text?: string }
  | { type: 'error'; status: number; message: string }
  | { type: 'slow'; delayMs: number; text: string };

/** Which wire protocol a request spoke. */
export type MockProtocol = 'anthropic' | 'openai-responses' | 'gemini';

/** One HTTP request the mock received, as it received it. */
export interface MockRequest {
  method: string;
  /** The path with its query string, e.g. `/v1/messages?beta=true`. */
  url: string;
  protocol: MockProtocol | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined when there was none or it was not JSON). */
  body: unknown;
  /** The tag of the script this request was answered from (undefined: an auxiliary request). */
  tag?: string;
  /** The index of the scripted turn that answered it. */
  turnIndex?: number;
  /** The status code the mock answered with. */
  status?: number;
}

/** A script registered with the mock: put `tag` in the prompt, and the mock answers that conversation with `turns`. */
export interface MockScript {
  /** A word to put in the prompt (e.g. `mock-script-1a2b3c4d`). */
  readonly tag: string;
  readonly turns: readonly MockTurn[];
  /** The conversation requests answered from this script, oldest first. */
  requests(): MockRequest[];
}

/** What a protocol module sees of a parsed request. */
export interface ConversationView {
  /** Is this a turn of the agent's conversation (it offers tools), rather than an auxiliary call (a title, a check)? */
  isConversation: boolean;
  /** Every user-authored text of the conversation, oldest first, with the number of model turns before it. */
  userTexts: { text: string; modelTurnsBefore: number }[];
  /** The number of model turns in the conversation so far. */
  modelTurns: number;
}

/** The part of the mock a protocol module uses to answer. */
export interface ProtocolContext {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  body: unknown;
  /** Answers a conversation request: the scripted turn, or undefined for an auxiliary request. */
  turnFor(view: ConversationView): { turn: MockTurn; tag: string; index: number } | undefined;
  /** Sleeps, resolving early (false) when the client went away. */
  delay(milliseconds: number): Promise<boolean>;
  /** Sends a JSON document. */
  json(status: number, document: unknown, headers?: Record<string, string>): void;
  /** Starts a `text/event-stream` answer. */
  startEvents(): void;
  /** Sends one server-sent event (`event:` line only when `name` is given). */
  event(data: unknown, name?: string): void;
  /** Ends the answer. */
  end(): void;
  /** Marks the recorded request (tag, turn). */
  note(fields: Pick<MockRequest, 'tag' | 'turnIndex'>): void;
}

/** A wire protocol: claims the requests it understands. */
export interface MockProtocolHandler {
  readonly name: MockProtocol;
  /** Handles the request and returns true, or returns false when the path is not this protocol's. */
  handle(context: ProtocolContext): Promise<boolean>;
}

export interface MockModelServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Registers a script; put its tag in the prompt. */
  script(turns: readonly MockTurn[]): MockScript;
  /** Every request received, oldest first. */
  readonly requests: readonly MockRequest[];
  /** Stops the server (open connections are closed). */
  close(): Promise<void>;
}

const TAG_PATTERN = /\bmock-script-[0-9a-f]{8}\b/g;

/** The answer when a conversation runs past its script. */
const EXHAUSTED: MockTurn = { type: 'text', text: 'Nothing more to do.' };

/**
 * Starts a mock model server on 127.0.0.1 (a free port) speaking the three wire protocols the agent CLIs use:
 * Anthropic Messages (`POST /v1/messages`, streaming), OpenAI Responses (`POST /v1/responses`, streaming) and the
 * Gemini API (`:streamGenerateContent?alt=sse`, `:generateContent`).
 *
 * A test registers a script of turns and puts the script's tag in its prompt. Each conversation request is
 * answered statelessly from the conversation it carries: the turn is the number of model turns after the last user
 * message that holds a tag. So a CLI's retry of a request gets the same answer again, the tool result of a `shell`
 * turn is answered by the next turn, and a resumed session with a new tag starts that new script at its first turn.
 * Requests that offer no tools (titles, checks, token counts) get a short neutral answer. Every request is recorded.
 */
export async function startMockModelServer(): Promise<MockModelServer> {
  const scripts = new Map<string, { turns: readonly MockTurn[]; requests: MockRequest[] }>();
  const requests: MockRequest[] = [];
  const protocols: MockProtocolHandler[] = [anthropicProtocol, openaiResponsesProtocol, geminiProtocol];

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      const record: MockRequest = {
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        protocol: undefined,
        headers: { ...request.headers },
        body,
      };
      requests.push(record);
      let isClosed = false;
      response.on('close', () => {
        isClosed = true;
      });
      const context: ProtocolContext = {
        request,
        response,
        url: new URL(request.url ?? '/', 'http://127.0.0.1'),
        body,
        turnFor(view) {
          if (!view.isConversation) return undefined;
          for (let index = view.userTexts.length - 1; index >= 0; index -= 1) {
            const entry = view.userTexts[index]!;
            const tags = entry.text.match(TAG_PATTERN);
            const tag = tags?.at(-1);
            const script = tag === undefined ? undefined : scripts.get(tag);
            if (tag === undefined || script === undefined) continue;
            const turnIndex = view.modelTurns - entry.modelTurnsBefore;
            script.requests.push(record);
            record.tag = tag;
            record.turnIndex = turnIndex;
            return { turn: script.turns[turnIndex] ?? EXHAUSTED, tag, index: turnIndex };
          }
          return undefined;
        },
        delay(milliseconds) {
          return new Promise((resolve) => {
            if (isClosed) {
              resolve(false);
              return;
            }
            const timer = setTimeout(() => resolve(!isClosed), milliseconds);
            response.once('close', () => {
              clearTimeout(timer);
              resolve(false);
            });
          });
        },
        json(status, document, headers = {}) {
          record.status = status;
          response.writeHead(status, { 'content-type': 'application/json', ...headers });
          response.end(JSON.stringify(document));
        },
        startEvents() {
          record.status = 200;
          response.writeHead(200, {
            'content-type': 'text/event-stream',
            'cache-control': 'no-cache',
            connection: 'keep-alive',
          });
        },
        event(data, name) {
          if (isClosed) return;
          response.write(`${name === undefined ? '' : `event: ${name}\n`}data: ${JSON.stringify(data)}\n\n`);
        },
        end() {
          if (!isClosed) response.end();
        },
        note(fields) {
          Object.assign(record, fields);
        },
      };
      void (async () => {
        for (const protocol of protocols) {
          if (await protocol.handle(context)) {
            record.protocol = protocol.name;
            return;
          }
        }
        context.json(404, {
          error: { message: `the mock model server has no ${record.method} ${record.url}` },
        });
      })().catch((error: unknown) => {
        if (!response.headersSent) context.json(500, { error: { message: String(error) } });
        else response.destroy();
      });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    script(turns) {
      const tag = `mock-script-${randomBytes(4).toString('hex')}`;
      const entry = { turns: [...turns], requests: [] as MockRequest[] };
      scripts.set(tag, entry);
      return { tag, turns: entry.turns, requests: () => [...entry.requests] };
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
