import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LauncherV1, LaunchOutcome, LaunchRequest, LaunchRun } from '@sase/launcher-core';
import { createRegistry, createSupervisor, retryAgent } from '@sase/scheduler';
import { describe, expect, it } from 'vitest';
import { createWorkspaceLifecycle } from './agent-change.js';
import { findWorkspace } from './config.js';
import { createTestWorkspace, runToEnd } from './internal/test-workspace.js';
import { submitPrompt } from './submit.js';

describe('retries keep context', () => {
  it('summary: a fresh run whose context has the previous outcome and the last lines of its answers', async () => {
    const workspace = await createTestWorkspace();
    const script = [
      '%name:fixer',
      'if [ "$SASE_AGENT_ATTEMPT" = 1 ]; then echo "I changed the parser"; echo "the tests broke" >&2; exit 4; fi',
      'cp "$SASE_PROMPT_CONTEXT" previous.md',
    ].join('\n');
    await submitPrompt({ workspace, text: script });
    let [state] = await runToEnd(workspace);
    expect(state).toMatchObject({ state: 'failed', exitCode: 4 });
    retryAgent(createRegistry(workspace.root), 'fixer');
    [state] = await runToEnd(workspace);
    expect(state).toMatchObject({ state: 'completed', attempt: 2 });
    const previous = readFileSync(join(workspace.root, 'previous.md'), 'utf8');
    expect(previous).toBe(
      '## Previous attempt\n\nYour previous attempt 1 ended failed (exit 4): the agent exited with code 4: the tests broke. ' +
        'The last lines of what you said:\n\n```text\nI changed the parser\n```\n\n' +
        'Start from where it stopped, fix what went wrong, and finish the task.\n',
    );
  });

  it('resume: the launcher continues the session with a prompt naming what went wrong', async () => {
    const root = (await createTestWorkspace()).root;
    const calls: { kind: 'launch' | 'resume'; prompt: string; sessionId?: string; context?: unknown }[] = [];
    const finish = (outcome: LaunchOutcome): LaunchRun => ({
      pid: undefined,
      events: (async function* () {})(),
      outcome: Promise.resolve(outcome),
      kill() {},
    });
    const launcher: LauncherV1 & { resume(request: LaunchRequest, sessionId: string): LaunchRun } = {
      specificationVersion: 'launcher-v1',
      launcherId: 'fake',
      launch(request) {
        calls.push({ kind: 'launch', prompt: request.prompt, context: request.context });
        return finish({ outcome: 'failed', exitCode: 1, error: 'API Error 500', sessionId: 'session-42' });
      },
      resume(request, sessionId) {
        calls.push({ kind: 'resume', prompt: request.prompt, sessionId, context: request.context });
        return finish({ outcome: 'completed', exitCode: 0, sessionId });
      },
    };
    for (const mode of ['resume', 'none'] as const) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        join(root, 'sase.yml'),
        `launcher:\n  default: shell\n  shell:\n    command: [sh]\nagents:\n  retry_context: ${mode}\n`,
      );
      const workspace = await findWorkspace(root);
      calls.length = 0;
      await submitPrompt({ workspace, text: `%name:!${mode}-agent\nFix the parser.` });
      const run = () =>
        createSupervisor({
          workspaceRoot: root,
          resolveLauncher: () => launcher,
          lifecycle: createWorkspaceLifecycle(workspace),
          pollMs: 100,
        }).runUntilSettled();
      await run();
      retryAgent(createRegistry(root), `${mode}-agent`);
      await run();
      if (mode === 'resume') {
        expect(calls).toEqual([
          { kind: 'launch', prompt: 'Fix the parser.\n', context: undefined },
          {
            kind: 'resume',
            sessionId: 'session-42',
            prompt:
              'Your previous attempt 1 ended failed (exit 1): API Error 500.\n\n' +
              'Continue the task from where you stopped: fix what went wrong, and finish it.\n',
            context: undefined,
          },
        ]);
      } else {
        // none: a fresh run of the same prompt, told nothing.
        expect(calls.map((call) => [call.kind, call.prompt, call.context])).toEqual([
          ['launch', 'Fix the parser.\n', undefined],
          ['launch', 'Fix the parser.\n', undefined],
        ]);
      }
    }
  });
});
