// The mock model server on its own, with plain HTTP requests shaped like the CLIs' (no CLI needed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockModelServer, startMockModelServer } from './mock-model-server.js';

let mock: MockModelServer;
beforeAll(async () => {
  mock = await startMockModelServer();
});
afterAll(() => mock.close());

async function post(path: string, body: unknown) {
  const response = await fetch(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** The `data:` documents of a server-sent event stream. */
function events(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
}

describe('startMockModelServer', () => {
  it('listens on 127.0.0.1 on a free port', () => {
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mock.port).toBeGreaterThan(0);
  });

  it('answers Anthropic Messages turn by turn from the conversation, and records every request', async () => {
    const script = mock.script([
      { type: 'shell', command: 'ls', text: 'Listing.' },
      { type: 'text', text: 'Two files.' },
    ]);
    const tools = [{ name: 'Bash', input_schema: {} }];
    const first = await post('/v1/messages?beta=true', {
      stream: true,
      model: 'claude-x',
      tools,
      messages: [{ role: 'user', content: [{ type: 'text', text: `List the files. ${script.tag}` }] }],
    });
    expect(first.type).toBe('text/event-stream');
    const started = events(first.text).filter((event) => event.type === 'content_block_start');
    expect(started.map((event) => (event.content_block as { type: string }).type)).toEqual([
      'text',
      'tool_use',
    ]);
    expect(events(first.text).find((event) => event.type === 'message_delta')).toMatchObject({
      delta: { stop_reason: 'tool_use' },
    });
    const second = await post('/v1/messages', {
      stream: false,
      tools,
      messages: [
        { role: 'user', content: `List the files. ${script.tag}` },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'a b' }] },
      ],
    });
    expect(JSON.parse(second.text)).toMatchObject({ content: [{ type: 'text', text: 'Two files.' }] });
    expect(script.requests().map((request) => request.turnIndex)).toEqual([0, 1]);
    expect(mock.requests.at(-1)).toMatchObject({ protocol: 'anthropic', tag: script.tag, status: 200 });
  });

  it("answers errors in each provider's own shape", async () => {
    const script = mock.script([{ type: 'error', status: 401, message: 'bad key' }]);
    const anthropic = await post('/v1/messages', {
      tools: [{ name: 'Bash' }],
      messages: [{ role: 'user', content: script.tag }],
    });
    expect(anthropic.status).toBe(401);
    expect(JSON.parse(anthropic.text)).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'bad key' },
    });
    const openai = await post('/v1/responses', {
      tools: [{ type: 'function', name: 'exec_command' }],
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: script.tag }] }],
    });
    expect(JSON.parse(openai.text)).toEqual({
      error: { message: 'bad key', type: 'invalid_request_error', code: 'invalid_api_key', param: null },
    });
    const gemini = await post('/v1beta/models/gemini-x:streamGenerateContent?alt=sse', {
      tools: [{ functionDeclarations: [{ name: 'run_shell_command' }] }],
      contents: [{ role: 'user', parts: [{ text: script.tag }] }],
    });
    expect(JSON.parse(gemini.text)).toEqual({
      error: { code: 401, message: 'bad key', status: 'UNAUTHENTICATED' },
    });
  });

  it('calls the shell tool the CLI offers: exec_command (Codex), run_shell_command (Gemini CLI)', async () => {
    const script = mock.script([{ type: 'shell', command: 'git status' }]);
    const openai = await post('/v1/responses', {
      stream: true,
      tools: [{ type: 'function', name: 'exec_command' }],
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: script.tag }] }],
    });
    const done = events(openai.text).filter((event) => event.type === 'response.output_item.done');
    expect(done.map((event) => event.item)).toEqual([
      expect.objectContaining({
        type: 'function_call',
        name: 'exec_command',
        arguments: '{"cmd":"git status"}',
      }),
    ]);
    expect(events(openai.text).at(-1)).toMatchObject({ type: 'response.completed' });
    const gemini = await post('/v1beta/models/gemini-x:streamGenerateContent?alt=sse', {
      tools: [{ functionDeclarations: [{ name: 'run_shell_command' }] }],
      contents: [{ role: 'user', parts: [{ text: script.tag }] }],
    });
    expect(events(gemini.text)[0]).toMatchObject({
      candidates: [
        {
          content: {
            parts: [{ functionCall: { name: 'run_shell_command', args: { command: 'git status' } } }],
          },
        },
      ],
    });
  });

  it('gives auxiliary requests (no tools) a neutral answer, JSON of the asked schema where JSON is asked', async () => {
    const router = await post('/v1beta/models/gemini-lite:generateContent', {
      contents: [{ role: 'user', parts: [{ text: 'classify' }] }],
      generationConfig: {
        responseMimeType: 'application/json',
        responseJsonSchema: {
          type: 'OBJECT',
          properties: { complexity_reasoning: { type: 'STRING' }, complexity_score: { type: 'INTEGER' } },
        },
      },
    });
    const text = (JSON.parse(router.text) as { candidates: { content: { parts: { text: string }[] } }[] })
      .candidates[0]?.content.parts[0]?.text;
    expect(JSON.parse(text ?? '')).toEqual({ complexity_reasoning: 'mock', complexity_score: 1 });
    const title = await post('/v1/messages', { messages: [{ role: 'user', content: 'a title please' }] });
    expect(JSON.parse(title.text)).toMatchObject({ content: [{ type: 'text', text: 'OK' }] });
    expect((await post('/v1/messages/count_tokens', {})).text).toBe('{"input_tokens":100}');
  });

  it('starts a new script at its first turn when a resumed conversation brings a new tag', async () => {
    const earlier = mock.script([{ type: 'text', text: 'First answer.' }]);
    const later = mock.script([{ type: 'text', text: 'Second answer.' }]);
    const resumed = await post('/v1beta/models/gemini-x:generateContent', {
      tools: [{ functionDeclarations: [{ name: 'run_shell_command' }] }],
      contents: [
        { role: 'user', parts: [{ text: `First prompt. ${earlier.tag}` }] },
        { role: 'model', parts: [{ text: 'First answer.' }] },
        { role: 'user', parts: [{ text: `Second prompt. ${later.tag}` }] },
      ],
    });
    expect(resumed.text).toContain('Second answer.');
    expect(later.requests()).toHaveLength(1);
    expect(earlier.requests()).toHaveLength(0);
  });

  it('holds a slow answer until the client goes away', async () => {
    const script = mock.script([{ type: 'slow', delayMs: 30_000, text: 'late' }]);
    const controller = new AbortController();
    const request = fetch(`${mock.url}/v1/responses`, {
      method: 'POST',
      body: JSON.stringify({
        tools: [{ type: 'function', name: 'exec_command' }],
        input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: script.tag }] }],
      }),
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await expect(request).rejects.toThrow();
    expect(script.requests()).toHaveLength(1);
  });
});
