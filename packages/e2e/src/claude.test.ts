// The real Claude Code (pinned in package.json) through the real @sase/launcher-claude adapter, against the
// mock model server.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLAUDE_MODEL_ALIASES,
  CLAUDE_PERMISSION_MODES,
  type ClaudeSettings,
  createClaude,
} from '@sase/launcher-claude';
import { describe, expect, it } from 'vitest';
import { type CliSandbox, PINNED_VERSIONS, processGroupMembers } from './agent-clis.js';
import { RUN_TIMEOUT_MS, requestedModel, toolEvents, useCliHarness, waitFor } from './harness.js';
import { asArray, asRecord } from './internal/json.js';

const launcherFor =
  (settings: ClaudeSettings = {}) =>
  (sandbox: CliSandbox) =>
    createClaude({ executable: sandbox.executable, env: sandbox.env, killGraceMs: 1000, ...settings });
const harness = useCliHarness('claude', launcherFor());
const isRoot = process.getuid?.() === 0;

describe(`Claude Code ${PINNED_VERSIONS.claude} (real CLI)`, { timeout: RUN_TIMEOUT_MS }, () => {
  it('completes a run with a shell tool call: final text, tool call and result in the transcript', async () => {
    const marker = `tool-output-${Date.now()}`;
    const { outcome, transcript, script, sandbox } = await harness.run(
      [
        { type: 'shell', command: `echo ${marker}`, text: 'I will run the command.' },
        { type: 'text', text: 'The command printed the marker. Done.' },
      ],
      { prompt: 'Run the command.' },
    );
    expect(sandbox.cli).toBe('claude');
    expect(outcome).toMatchObject({
      outcome: 'completed',
      exitCode: 0,
      finalText: 'The command printed the marker. Done.',
    });
    expect(outcome.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const tools = toolEvents(transcript);
    expect(tools[0]).toMatchObject({ type: 'tool-use', name: 'Bash', input: { command: `echo ${marker}` } });
    expect(tools[1]).toMatchObject({ type: 'tool-result', isError: false, output: marker });
    expect(transcript.at(-1)).toMatchObject({ type: 'outcome', outcome: { outcome: 'completed' } });
    // The CLI sent the tool's result back to the model in its next request.
    const second = asArray(asRecord(script.requests()[1]?.body)?.messages).at(-1);
    expect(JSON.stringify(second)).toContain(marker);
  });

  it.each([
    // (Claude Code words the API's literal "invalid x-api-key" its own way: "Invalid API key · Fix external API key".)
    [401, 'API key revoked'],
    [400, 'messages: roles must alternate'],
  ])('reports API error %i as failed with the API message', async (status, message) => {
    const { outcome } = await harness.run([{ type: 'error', status, message }]);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.error).toBe(`claude: API error ${status}: ${message}`);
  });

  it('reports API error 500 after its retries, each retry a transcript message (retrying (n/max): API 500)', async () => {
    const { outcome, transcript, script } = await harness.run(
      [{ type: 'error', status: 500, message: 'overloaded upstream' }],
      { retries: 1 },
    );
    expect(script.requests()).toHaveLength(2);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.error).toMatch(/^claude: API error 500: overloaded upstream/);
    expect(transcript).toContainEqual(
      expect.objectContaining({ type: 'message', role: 'system', text: 'retrying (1/1): API 500' }),
    );
  });

  it('is killed by an abort while the model is slow, leaving no process of its group', async () => {
    const controller = new AbortController();
    const started = harness.start([{ type: 'slow', delayMs: 60_000, text: 'too late' }], {
      request: { signal: controller.signal },
    });
    await waitFor(() => started.script.requests().length > 0, RUN_TIMEOUT_MS, 'the model request');
    controller.abort('stopped by the test');
    const { outcome } = await harness.finish(started);
    expect(outcome).toMatchObject({ outcome: 'killed', error: 'stopped by the test' });
    expect(processGroupMembers(started.run.pid!)).toEqual([]);
  });

  it.runIf(isRoot)('runs %approve (bypassPermissions) as root: the adapter sets IS_SANDBOX=1', async () => {
    const { outcome, workspace } = await harness.run(
      [
        {
          type: 'shell',
          command: 'echo approved > approved.txt && git add approved.txt && git commit -qm approved',
        },
        { type: 'text', text: 'Committed.' },
      ],
      { request: { approve: true } },
    );
    expect(outcome).toMatchObject({ outcome: 'completed', finalText: 'Committed.' });
    expect(readFileSync(join(workspace, 'approved.txt'), 'utf8')).toBe('approved\n');
  });

  it("accepts the pinned CLI's permission modes (those of `claude --help`, and default)", async () => {
    const sandbox = harness.sandboxFor();
    const help = execFileSync(sandbox.executable, ['--help'], {
      env: { ...process.env, ...sandbox.env },
      encoding: 'utf8',
    });
    const choices = /--permission-mode <mode>[\s\S]*?\(choices: ([^)]*)\)/.exec(help)?.[1] ?? '';
    const listed = [...choices.matchAll(/"([^"]+)"/g)].map((match) => match[1]);
    expect(listed.length).toBeGreaterThan(0);
    expect([...CLAUDE_PERMISSION_MODES].sort()).toEqual([...listed, 'default'].sort());
    const { outcome } = await harness.run(
      [{ type: 'text', text: 'Manual mode works.' }],
      {},
      launcherFor({ permissionMode: 'manual' }),
    );
    expect(outcome).toMatchObject({ outcome: 'completed', finalText: 'Manual mode works.' });
  });

  it('resume() continues a session with --resume <session_id>: the model sees the earlier conversation', async () => {
    const first = await harness.run([{ type: 'text', text: 'First answer.' }], { prompt: 'First prompt.' });
    expect(first.outcome.outcome).toBe('completed');
    const sessionId = first.outcome.sessionId!;
    const second = await harness.resume(first, [{ type: 'text', text: 'Second answer.' }], {
      prompt: 'Second prompt.',
    });
    expect(second.outcome).toMatchObject({ outcome: 'completed', finalText: 'Second answer.', sessionId });
    expect(second.transcript[0]).toMatchObject({
      type: 'start',
      command: expect.arrayContaining(['--resume']),
    });
    const command = second.transcript[0]?.type === 'start' ? second.transcript[0].command : [];
    expect(command.slice(command.indexOf('--resume'))).toEqual(['--resume', sessionId]);
    const resent = JSON.stringify(asRecord(second.script.requests()[0]?.body)?.messages);
    expect(resent).toContain(first.script.tag);
    expect(resent).toContain('First answer.');
    expect(resent).toContain('Second prompt.');
    expect(existsSync(join(first.sandbox.home, '.claude', 'projects'))).toBe(true);
  });

  it('passes the model as one argv element, --model=<name>: the mock is asked for exactly that model', async () => {
    const { outcome, script, transcript } = await harness.run([{ type: 'text', text: 'Model x-test.' }], {
      request: { model: 'x-test' },
    });
    expect(outcome).toMatchObject({ outcome: 'completed', finalText: 'Model x-test.' });
    expect(transcript[0]).toMatchObject({
      type: 'start',
      command: expect.arrayContaining(['--model=x-test']),
    });
    expect(requestedModel(script.requests()[0])).toBe('x-test');
  });

  it("accepts its model aliases' models (@smart, @fast, @cheap): each reaches the mock as that tier's model", async () => {
    const runs = await Promise.all(
      Object.entries(CLAUDE_MODEL_ALIASES).map(async ([alias, model]) => {
        const finished = await harness.run([{ type: 'text', text: `Answered as @${alias}.` }], {
          request: { model },
        });
        return { alias, model, finished };
      }),
    );
    for (const { alias, model, finished } of runs) {
      expect(finished.outcome, `@${alias}`).toMatchObject({
        outcome: 'completed',
        finalText: `Answered as @${alias}.`,
      });
      // Claude Code resolves its alias to the latest model of that tier, e.g. opus → claude-opus-…
      expect(requestedModel(finished.script.requests()[0])).toMatch(new RegExp(`^claude-${model}-`));
    }
  });
});
