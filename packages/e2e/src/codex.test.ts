// The real Codex CLI (pinned in package.json) through the real @sase/launcher-codex adapter, against the mock
// model server.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CODEX_MODEL_ALIASES, type CodexSettings, createCodex } from '@sase/launcher-codex';
import { describe, expect, it } from 'vitest';
import { type CliSandbox, gitLog, MOCK_MODELS, PINNED_VERSIONS, processGroupMembers } from './agent-clis.js';
import { RUN_TIMEOUT_MS, requestedModel, toolEvents, useCliHarness, waitFor } from './harness.js';
import { asArray, asRecord } from './internal/json.js';

const launcherFor =
  (settings: CodexSettings = {}) =>
  (sandbox: CliSandbox) =>
    createCodex({ executable: sandbox.executable, env: sandbox.env, killGraceMs: 1000, ...settings });
const harness = useCliHarness('codex', launcherFor());

describe(`Codex CLI ${PINNED_VERSIONS.codex} (real CLI)`, { timeout: RUN_TIMEOUT_MS }, () => {
  it('completes a run with a shell tool call: final text, tool call and result in the transcript', async () => {
    const marker = `tool-output-${Date.now()}`;
    const { outcome, transcript, script } = await harness.run(
      [
        { type: 'shell', command: `echo ${marker}`, text: 'I will run the command.' },
        { type: 'text', text: 'The command printed the marker. Done.' },
      ],
      { prompt: 'Run the command.' },
    );
    expect(outcome).toMatchObject({
      outcome: 'completed',
      exitCode: 0,
      finalText: 'The command printed the marker. Done.',
    });
    expect(outcome.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const tools = toolEvents(transcript);
    expect(tools[0]).toMatchObject({ type: 'tool-use', name: 'command_execution' });
    expect(JSON.stringify(tools[0])).toContain(`echo ${marker}`);
    expect(tools[1]).toMatchObject({ type: 'tool-result', isError: false, output: `${marker}\n` });
    // The CLI sent the command's output back to the model in its next request.
    const output = asArray(asRecord(script.requests()[1]?.body)?.input).find(
      (item) => asRecord(item)?.type === 'function_call_output',
    );
    expect(JSON.stringify(output)).toContain(marker);
  });

  it.each([
    // Codex 0.171 words every 500 its own way and drops the API's message.
    [
      500,
      'The server had an error while processing your request.',
      /^codex turn failed: We.re currently experiencing high demand/,
    ],
    [
      401,
      'Incorrect API key provided: sk-e2e.',
      /^codex turn failed: unexpected status 401 Unauthorized: Incorrect API key provided: sk-e2e\./,
    ],
    [
      400,
      "Invalid value for 'model': unknown model.",
      /^codex turn failed: Invalid value for 'model': unknown model\.$/,
    ],
  ])('reports API error %i as failed with the message Codex gives', async (status, message, expected) => {
    const { outcome, transcript } = await harness.run([{ type: 'error', status, message }]);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.error).toMatch(expected);
    expect(transcript.some((event) => event.type === 'message' && event.text.startsWith('error: '))).toBe(
      true,
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

  it('lets an approved (workspace-write) agent commit, in a checkout and in a linked worktree', async () => {
    const commit = (name: string) => [
      {
        type: 'shell' as const,
        command: `echo ${name} > ${name}.txt && git add ${name}.txt && git commit -qm ${name}`,
      },
      { type: 'text' as const, text: 'Committed.' },
    ];
    const checkout = await harness.run(commit('in-checkout'), { request: { approve: true } });
    expect(toolEvents(checkout.transcript)[1]).toMatchObject({ isError: false });
    expect(checkout.outcome.outcome).toBe('completed');
    expect(gitLog(checkout.workspace)[0]).toBe('in-checkout');

    const worktree = `${checkout.workspace}-worktree`;
    execFileSync('git', ['worktree', 'add', '-q', '-b', 'agent', worktree], { cwd: checkout.workspace });
    try {
      const linked = await harness.run(commit('in-worktree'), {
        request: { approve: true },
        workspace: worktree,
      });
      expect(toolEvents(linked.transcript)[1]).toMatchObject({ isError: false });
      expect(gitLog(worktree)[0]).toBe('in-worktree');
      expect(JSON.stringify(linked.transcript[0])).toContain(join(checkout.workspace, '.git', 'worktrees'));
    } finally {
      rmSync(worktree, { recursive: true, force: true });
    }
  });

  it('resume() continues a thread with exec resume <thread_id>, the sandbox given again: the agent commits', async () => {
    const first = await harness.run([{ type: 'text', text: 'First answer.' }], {
      prompt: 'First prompt.',
      request: { approve: true },
    });
    expect(first.outcome.outcome).toBe('completed');
    const threadId = first.outcome.sessionId!;
    // `exec resume` keeps no sandbox of its own: without exec's --sandbox/--add-dir before `resume`, the resumed
    // agent would run read-only and could not commit.
    const second = await harness.resume(
      first,
      [
        {
          type: 'shell',
          command: 'echo resumed > resumed.txt && git add resumed.txt && git commit -qm resumed',
        },
        { type: 'text', text: 'Second answer.' },
      ],
      { prompt: 'Second prompt.', request: { approve: true } },
    );
    expect(second.outcome).toMatchObject({
      outcome: 'completed',
      finalText: 'Second answer.',
      sessionId: threadId,
    });
    const command = second.transcript[0]?.type === 'start' ? second.transcript[0].command : [];
    expect(command.slice(1, 5)).toEqual(['exec', '--json', `--model=${MOCK_MODELS.codex}`, '--sandbox']);
    expect(command.slice(-3)).toEqual(['resume', threadId, '-']);
    expect(toolEvents(second.transcript)[1]).toMatchObject({ type: 'tool-result', isError: false });
    expect(gitLog(first.workspace)[0]).toBe('resumed');
    const resent = JSON.stringify(asRecord(second.script.requests()[0]?.body)?.input);
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

  it("accepts its model aliases' models (@smart, @fast, @cheap): each reaches the mock by its name", async () => {
    const runs = await Promise.all(
      Object.entries(CODEX_MODEL_ALIASES).map(async ([alias, model]) => {
        const finished = await harness.run([{ type: 'text', text: `Answered as @${alias}.` }], {
          request: { model },
        });
        return { alias, model, finished };
      }),
    );
    for (const { alias, model, finished } of runs) {
      expect(finished.outcome, `@${alias}`).toMatchObject({ outcome: 'completed', exitCode: 0 });
      // The catalogue's models are "code mode" models: their requests carry no `tools` list, which the mock takes
      // for an auxiliary request (it answers `OK`, not the script). What counts here: Codex takes the name and
      // asks the API for exactly that model.
      const asked = harness
        .mock()
        .requests.filter((request) => JSON.stringify(request.body ?? null).includes(finished.script.tag));
      expect(asked.length, `@${alias}`).toBeGreaterThan(0);
      expect(asked.map(requestedModel)).toEqual(asked.map(() => model));
    }
  });
});
