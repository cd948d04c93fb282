// The real Gemini CLI (pinned in package.json) through the real @sase/launcher-gemini adapter, against the mock
// model server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGemini, GEMINI_MODEL_ALIASES, type GeminiSettings } from '@sase/launcher-gemini';
import { describe, expect, it } from 'vitest';
import { type CliSandbox, PINNED_VERSIONS, processGroupMembers } from './agent-clis.js';
import { RUN_TIMEOUT_MS, requestedModel, toolEvents, useCliHarness, waitFor } from './harness.js';
import { asArray, asRecord } from './internal/json.js';

const launcherFor =
  (settings: GeminiSettings = {}) =>
  (sandbox: CliSandbox) =>
    createGemini({
      executable: sandbox.executable,
      env: sandbox.env,
      killGraceMs: 1000,
      trustWorkspace: true,
      ...settings,
    });
const harness = useCliHarness('gemini', launcherFor());

describe(`Gemini CLI ${PINNED_VERSIONS.gemini} (real CLI)`, { timeout: RUN_TIMEOUT_MS }, () => {
  it('completes an approved (yolo) run with a shell tool call: final text, tool call and result', async () => {
    const marker = `tool-output-${Date.now()}`;
    const { outcome, transcript, script, workspace } = await harness.run(
      [
        { type: 'shell', command: `echo ${marker} | tee marker.txt`, text: 'I will run the command.' },
        { type: 'text', text: 'The command printed the marker. Done.' },
      ],
      { prompt: 'Run the command.', request: { approve: true } },
    );
    expect(outcome).toMatchObject({
      outcome: 'completed',
      exitCode: 0,
      finalText: 'The command printed the marker. Done.',
    });
    expect(outcome.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const tools = toolEvents(transcript);
    expect(tools[0]).toMatchObject({
      type: 'tool-use',
      name: 'run_shell_command',
      input: { command: `echo ${marker} | tee marker.txt` },
    });
    expect(tools[1]).toMatchObject({ type: 'tool-result', isError: false, output: marker });
    expect(readFileSync(join(workspace, 'marker.txt'), 'utf8')).toBe(`${marker}\n`);
    // The CLI sent the command's output back to the model in its next request.
    const last = asArray(asRecord(script.requests()[1]?.body)?.contents).at(-1);
    expect(JSON.stringify(last)).toContain('functionResponse');
    expect(JSON.stringify(last)).toContain(marker);
  });

  it('strips the ANSI colours of Gemini CLI stderr from the error (an untrusted folder)', async () => {
    const { outcome, events } = await harness.run(
      [{ type: 'text', text: 'unreachable' }],
      {},
      launcherFor({ trustWorkspace: false }),
    );
    expect(events.some((event) => event.type === 'output' && event.text.includes('\u001b['))).toBe(true);
    expect(outcome).toMatchObject({ outcome: 'failed', exitCode: 55 });
    expect(outcome.error).toMatch(
      /^gemini exited with code 55: Gemini CLI is not running in a trusted directory/,
    );
    expect(outcome.error).not.toContain('\u001b');
  });

  it('is killed by an abort while the model is slow, leaving no process of its group', async () => {
    const controller = new AbortController();
    // Gemini CLI relaunches itself in a child process (with a larger heap): both must go.
    const started = harness.start([{ type: 'slow', delayMs: 60_000, text: 'too late' }], {
      request: { signal: controller.signal },
      relaunch: true,
    });
    await waitFor(() => started.script.requests().length > 0, RUN_TIMEOUT_MS, 'the model request');
    controller.abort('stopped by the test');
    const { outcome } = await harness.finish(started);
    expect(outcome).toMatchObject({ outcome: 'killed', error: 'stopped by the test' });
    expect(processGroupMembers(started.run.pid!)).toEqual([]);
  });

  it('resume() continues a session with --resume <session_id>: the model sees the earlier conversation', async () => {
    const first = await harness.run([{ type: 'text', text: 'First answer.' }], { prompt: 'First prompt.' });
    expect(first.outcome.outcome).toBe('completed');
    const sessionId = first.outcome.sessionId!;
    const second = await harness.resume(first, [{ type: 'text', text: 'Second answer.' }], {
      prompt: 'Second prompt.',
    });
    expect(second.outcome).toMatchObject({ outcome: 'completed', finalText: 'Second answer.', sessionId });
    const command = second.transcript[0]?.type === 'start' ? second.transcript[0].command : [];
    expect(command.slice(command.indexOf('--resume'))).toEqual(['--resume', sessionId]);
    const resent = JSON.stringify(asRecord(second.script.requests()[0]?.body)?.contents);
    expect(resent).toContain(first.script.tag);
    expect(resent).toContain('First answer.');
    expect(resent).toContain('Second prompt.');
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
      Object.entries(GEMINI_MODEL_ALIASES).map(async ([alias, model]) => {
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
      // Gemini CLI resolves its alias to a model of that tier, e.g. flash-lite → gemini-2.5-flash-lite.
      expect(requestedModel(finished.script.requests()[0])).toMatch(
        new RegExp(`^gemini-[0-9.]+-${model}(-|$)`),
      );
    }
  });
});
