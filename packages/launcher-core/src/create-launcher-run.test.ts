import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createAgentEnvironment,
  createLauncherRun,
  describeExit,
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
});

describe('describeExit', () => {
  it('names the signal or the code', () => {
    expect(describeExit({ exitCode: null, signal: 'SIGKILL', stderrTail: '', textLineCount: 0 })).toBe(
      'was terminated by signal SIGKILL',
    );
  });
});
