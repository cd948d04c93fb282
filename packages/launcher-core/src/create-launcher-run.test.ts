import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertLaunchRequest,
  assertSessionId,
  createAgentEnvironment,
  createLauncherRun,
  describeExit,
  MODEL_NAME_PATTERN,
  type OutputMapper,
} from './create-launcher-run.js';
import { collectRun } from './testing.js';

const directory = mkdtempSync(join(tmpdir(), 'sase-run-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let counter = 0;
function request(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    agentName: `a${counter}`,
    prompt: 'hello',
    cwd: directory,
    artifactsDir: join(directory, 'agents', `a${counter}`),
    ...overrides,
  };
}

function node(script: string): string[] {
  return [process.execPath, '-e', script];
}

describe('createLauncherRun', () => {
  it('turns plain stdout and stderr lines into output events; exit 0 is completed', async () => {
    const run = createLauncherRun(request(), {
      launcherId: 'test',
      command: node('process.stdin.pipe(process.stdout); process.stderr.write("note\\n")'),
      input: 'line one\nline two',
    });
    const { events, outcome } = await collectRun(run);
    expect(
      events
        .filter((event) => event.type === 'output')
        .map((event) => event.type === 'output' && [event.stream, event.text])
        .sort(),
    ).toEqual([
      ['stderr', 'note'],
      ['stdout', 'line one'],
      ['stdout', 'line two'],
    ]);
    expect(outcome).toEqual({ outcome: 'completed', exitCode: 0 });
  });

  it('gives a non-zero exit a reason with the last stderr lines', async () => {
    const run = createLauncherRun(request(), {
      launcherId: 'test',
      command: node('console.error("first"); console.error("boom: disk full"); process.exit(4)'),
    });
    expect(await run.outcome).toEqual({
      outcome: 'failed',
      exitCode: 4,
      error: 'the agent exited with code 4: first | boom: disk full',
    });
  });

  it('routes JSON lines to the mapper and lets finish() decide, including events it adds', async () => {
    const seen: unknown[] = [];
    const mapper: OutputMapper = {
      json: (value) => {
        seen.push(value);
        return [{ type: 'message', role: 'assistant', text: String(value.say) }];
      },
      finish: (context) => ({
        outcome: 'failed',
        error: `custom ${context.textLineCount} ${context.lastTextLine}`,
        sessionId: 's',
        events: [{ type: 'usage', inputTokens: 1 }],
      }),
    };
    const run = createLauncherRun(request(), {
      launcherId: 'test',
      command: node('console.log(JSON.stringify({say:"hi"})); console.log("noise")'),
      mapper,
    });
    const { events, outcome } = await collectRun(run);
    expect(seen).toEqual([{ say: 'hi' }]);
    expect(events.map((event) => event.type)).toEqual(['start', 'message', 'output', 'usage', 'outcome']);
    expect(outcome).toEqual({ outcome: 'failed', exitCode: 0, error: 'custom 1 noise', sessionId: 's' });
  });

  it('survives a mapper that throws: the line is kept, the run goes on', async () => {
    const run = createLauncherRun(request(), {
      launcherId: 'test',
      command: node('console.log("{\\"a\\":1}")'),
      mapper: {
        json: () => {
          throw new Error('mapper bug');
        },
        finish: () => {
          throw new Error('finish bug');
        },
      },
    });
    const { events, outcome } = await collectRun(run);
    expect(events.some((event) => event.type === 'output' && event.text.includes('mapper bug'))).toBe(true);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.error).toContain('finish bug');
  });

  it('settles even when a leftover grandchild keeps stdout open', async () => {
    const script =
      'const c = require("node:child_process").spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "inherit" }); c.unref(); console.log(c.pid)';
    const run = createLauncherRun(request(), { launcherId: 'test', command: node(script), drainMs: 200 });
    const { events, outcome } = await collectRun(run);
    expect(outcome).toEqual({ outcome: 'completed', exitCode: 0 });
    const grandchild = events.find((event) => event.type === 'output');
    if (grandchild?.type === 'output') process.kill(Number(grandchild.text), 'SIGKILL');
  });

  it('reports a process that cannot start as failed, with no start event', async () => {
    const run = createLauncherRun(request(), { launcherId: 'test', command: [join(directory, 'nope')] });
    const { events, outcome } = await collectRun(run);
    expect(events.map((event) => event.type)).toEqual(['outcome']);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.error).toMatch(/could not start .*nope/);
  });

  it('uses the abort reason as the killed outcome error', async () => {
    const controller = new AbortController();
    const run = createLauncherRun(request({ signal: controller.signal }), {
      launcherId: 'test',
      command: node('console.log("ready"); setInterval(() => {}, 1000)'),
      killGraceMs: 100,
    });
    for await (const event of run.events) {
      if (event.type === 'output') break;
    }
    controller.abort('user pressed Ctrl-C');
    expect(await run.outcome).toMatchObject({ outcome: 'killed', error: 'user pressed Ctrl-C' });
  });

  it('rejects malformed requests with INVALID_REQUEST', () => {
    const options = { launcherId: 'test', command: node('') };
    expect(() => createLauncherRun(request({ agentName: ' ' }), options)).toThrow(/agentName must be/);
    expect(() => createLauncherRun(request({ prompt: 3 }), options)).toThrow(/prompt must be a string/);
    expect(() => createLauncherRun(request({ timeoutMs: -1 }), options)).toThrow(/timeoutMs must be/);
  });

  it('accepts a model that is one word, and refuses one that could be read as a flag or split (INVALID_REQUEST)', () => {
    for (const model of [
      'opus',
      'gpt-6.2-sol',
      'claude-sonnet-4-5[1m]',
      'models/gemini-2.5-pro',
      'x_test:1@v+2',
    ]) {
      expect(model).toMatch(MODEL_NAME_PATTERN);
      expect(() => assertLaunchRequest(request({ model }))).not.toThrow();
    }
    const refused = [
      '',
      '-',
      '--help',
      '-mopus',
      'two words',
      'opus ',
      '\topus',
      'op\nus',
      'op\u0000us',
      'op\u007fus',
    ];
    for (const model of refused) {
      expect(model).not.toMatch(MODEL_NAME_PATTERN);
      expect(() => assertLaunchRequest(request({ model }), 'test'), JSON.stringify(model)).toThrow(
        expect.objectContaining({ code: 'INVALID_REQUEST', launcherId: 'test' }),
      );
    }
    expect(() => assertLaunchRequest(request({ model: '--dangerously-skip-permissions' }), 'test')).toThrow(
      'test: model must be one word that cannot be read as a flag (non-empty, without whitespace or control ' +
        'characters, not starting with "-"), such as "opus" or "gpt-6.2-sol"; not "--dangerously-skip-permissions" ' +
        "(leave it out for the CLI's default model)",
    );
    expect(() => assertLaunchRequest(request({ model: 3 }))).toThrow(/model must be one word .*; not number/);
    expect(() => assertLaunchRequest(request({ model: 'x\u0000'.repeat(50) }))).toThrow(
      /not "(x\\u0000){40}…" /,
    );
  });

  it('assertSessionId: one word that cannot be read as a flag, else INVALID_REQUEST', () => {
    expect(() => assertSessionId('8463b8d8-e245-4979-a6d9-8c29a62e09ff', 'test')).not.toThrow();
    expect(() => assertSessionId('latest')).not.toThrow();
    for (const sessionId of ['', '--print', '-1', 'a b', 'a\nb', '\u0007', 'id\u0085']) {
      expect(() => assertSessionId(sessionId, 'test'), JSON.stringify(sessionId)).toThrow(
        expect.objectContaining({ code: 'INVALID_REQUEST', launcherId: 'test' }),
      );
    }
    expect(() => assertSessionId('--resume', 'test')).toThrow(
      'test: the session id to resume must be one word that cannot be read as a flag (non-empty, without ' +
        'whitespace or control characters, not starting with "-"), such as a previous run\'s outcome.sessionId ' +
        '"8463b8d8-e245-4979-a6d9-8c29a62e09ff"; not "--resume"',
    );
    expect(() => assertSessionId(undefined as unknown as string)).toThrow(/; not undefined$/);
  });

  it('rejects a malformed context with INVALID_REQUEST naming the section', () => {
    const options = { launcherId: 'test', command: node('') };
    const attempt = (context: unknown) => () => createLauncherRun(request({ context }), options);
    expect(attempt('log')).toThrow('test: context must be a list of sections such as');
    expect(attempt([null])).toThrow('test: context[0] must be a section { title, text }');
    expect(
      attempt([
        { title: 'ok', text: '' },
        { title: ' ', text: 'x' },
      ]),
    ).toThrow(
      'test: context[1].title must be a non-empty single-line string such as "Failing check", not " "',
    );
    expect(attempt([{ title: 'Log\nmore', text: 'x' }])).toThrow(
      /context\[0\]\.title must be a non-empty single-line/,
    );
    expect(attempt([{ title: 'Log', text: 3 }])).toThrow(
      'test: context[0].text must be a string (the note for the agent), not number',
    );
    expect(attempt({ title: 'Log', text: 'x' })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});

describe('createAgentEnvironment', () => {
  it('layers process.env, adapter env, SASE_* and request env; drops an inherited bead id', () => {
    process.env.SASE_BEAD_ID = 'parent-1';
    try {
      const environment = createAgentEnvironment(
        { ...request(), agentName: 'x', artifactsDir: 'rel/dir', env: { EXTRA: '1', SASE_MODEL: 'over' } },
        { ADAPTER: 'a' },
      );
      expect(environment.SASE_AGENT_NAME).toBe('x');
      expect(environment.SASE_ARTIFACTS_DIR).toBe(join(process.cwd(), 'rel/dir'));
      expect(environment.SASE_BEAD_ID).toBeUndefined();
      expect(environment.SASE_MODEL).toBe('over');
      expect(environment.ADAPTER).toBe('a');
      expect(environment.EXTRA).toBe('1');
    } finally {
      delete process.env.SASE_BEAD_ID;
    }
  });

  it('drops an inherited SASE_PROMPT_CONTEXT; request.env may set it', () => {
    process.env.SASE_PROMPT_CONTEXT = '/parent/context.md';
    try {
      expect(createAgentEnvironment(request()).SASE_PROMPT_CONTEXT).toBeUndefined();
      expect(
        createAgentEnvironment({ ...request(), env: { SASE_PROMPT_CONTEXT: '/mine.md' } })
          .SASE_PROMPT_CONTEXT,
      ).toBe('/mine.md');
    } finally {
      delete process.env.SASE_PROMPT_CONTEXT;
    }
  });
});

describe('describeExit', () => {
  it('names the signal or the code', () => {
    expect(describeExit({ exitCode: null, signal: 'SIGKILL', stderrTail: '', textLineCount: 0 })).toBe(
      'was terminated by signal SIGKILL',
    );
  });
});

describe('ANSI escapes in error texts', () => {
  it('are stripped from describeExit', () => {
    expect(
      describeExit({
        exitCode: 55,
        signal: null,
        stderrTail: '\u001b[31mnot running in a trusted directory\u001b[0m\n',
        textLineCount: 0,
      }),
    ).toBe('exited with code 55: not running in a trusted directory');
  });

  it("are stripped from a failed outcome's error, whoever wrote it (a mapper or the plain exit)", async () => {
    const coloured = createLauncherRun(request(), {
      launcherId: 'test',
      command: node('console.error("\\u001b[1;31mError:\\u001b[0m no key"); process.exit(2)'),
    });
    expect((await coloured.outcome).error).toBe('the agent exited with code 2: Error: no key');
    const mapped = createLauncherRun(request(), {
      launcherId: 'test',
      command: node('process.exit(0)'),
      mapper: {
        finish: () => ({
          outcome: 'failed',
          error: '\u001b]8;;https://x.test\u0007link\u001b]8;;\u0007 \u001b[33mfailed\u001b[39m',
        }),
      },
    });
    expect((await mapped.outcome).error).toBe('link failed');
  });
});

describe('Invocation.env', () => {
  it("is the run's own environment: over the adapter's env, under SASE_* and request.env", async () => {
    const { createProcessLauncher } = await import('./create-process-launcher.js');
    const launcher = createProcessLauncher({
      launcherId: 'test',
      executable: process.execPath,
      env: { FROM_ADAPTER: 'adapter', SHARED: 'adapter' },
      invocation: (launchRequest) => ({
        args: [
          '-e',
          'console.log([process.env.FROM_ADAPTER, process.env.SHARED, process.env.FROM_REQUEST].join(","))',
        ],
        env: { SHARED: launchRequest.approve ? 'approved' : 'not approved', FROM_REQUEST: 'invocation' },
      }),
    });
    const { events } = await collectRun(
      launcher.launch({ ...request(), approve: true, env: { FROM_REQUEST: 'request' } }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'output', stream: 'stdout', text: 'adapter,approved,request' }),
    );
  });
});

describe('stripAnsi', () => {
  it('removes CSI, OSC and two-character escapes and keeps everything else', async () => {
    const { stripAnsi } = await import('./strip-ansi.js');
    expect(stripAnsi('\u001b[31mred\u001b[0m \u001b[1;4mbold\u001b[m')).toBe('red bold');
    expect(stripAnsi('\u001b]0;title\u0007text \u001b]8;;url\u001b\\link\u001b]8;;\u001b\\')).toBe(
      'text link',
    );
    expect(stripAnsi('\u001bMup \u009b2Kcleared')).toBe('up cleared');
    expect(stripAnsi('plain: {"a": [1]} ünïcode\ttab')).toBe('plain: {"a": [1]} ünïcode\ttab');
  });
});
