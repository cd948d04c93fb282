import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type LaunchEvent,
  type LauncherV1,
  type LaunchOutcome,
  type LaunchRequest,
  type LaunchRun,
  readTranscript,
  TRANSCRIPT_FILE_NAME,
} from '@sase/launcher-core';
import { collectRun } from '@sase/launcher-core/testing';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type AgentCli,
  type CliSandbox,
  type CliSandboxOptions,
  createCliSandbox,
  createGitWorkspace,
  MOCK_MODELS,
  removeHostAgentVariables,
} from './agent-clis.js';
import {
  type MockModelServer,
  type MockRequest,
  type MockScript,
  type MockTurn,
  startMockModelServer,
} from './mock-model-server.js';

/** How long one real CLI run may take before the test gives up (the CLIs start in 1–5 s; CI machines are slow). */
export const RUN_TIMEOUT_MS = 90_000;

export interface StartOptions extends CliSandboxOptions {
  /** The prompt; the script's tag is appended. */
  prompt?: string;
  /** Request fields over the defaults (agentName, prompt, model, cwd, artifactsDir). */
  request?: Partial<LaunchRequest>;
  /** Reuse a sandbox (a private HOME: needed to resume a session) instead of a new one. */
  sandbox?: CliSandbox;
  /** Reuse a workspace instead of a new git repository. */
  workspace?: string;
}

export interface StartedRun {
  run: LaunchRun;
  script: MockScript;
  sandbox: CliSandbox;
  workspace: string;
  artifactsDir: string;
}

export interface FinishedRun extends StartedRun {
  events: LaunchEvent[];
  outcome: LaunchOutcome;
  /** The events of `<artifactsDir>/transcript.jsonl`, as written by launcher-core. */
  transcript: LaunchEvent[];
}

/**
 * The per-file fixture of the end-to-end tests: one mock model server for the file, and for every run a fresh
 * private HOME (a `CliSandbox`) and a fresh git workspace, removed after each test. `createLauncher` builds the
 * real adapter for the real CLI from the sandbox (`executable`, `env`).
 */
export function useCliHarness(cli: AgentCli, createLauncher: (sandbox: CliSandbox) => LauncherV1) {
  removeHostAgentVariables();
  let server: MockModelServer | undefined;
  const cleanups: (() => void)[] = [];
  beforeAll(async () => {
    server = await startMockModelServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  const mock = (): MockModelServer => {
    if (server === undefined) throw new Error('the mock model server is not started (use it inside a test)');
    return server;
  };

  const sandboxFor = (options: CliSandboxOptions = {}): CliSandbox => {
    const sandbox = createCliSandbox(cli, mock().url, options);
    cleanups.push(sandbox.dispose);
    return sandbox;
  };

  const workspaceFor = (): string => {
    const workspace = createGitWorkspace();
    cleanups.push(() => rmSync(workspace, { recursive: true, force: true }));
    return workspace;
  };

  /** Starts a run: `launch()`, or with `sessionId`, `resume()` of that session. */
  const start = (
    turns: readonly MockTurn[],
    options: StartOptions = {},
    launcherFor: (sandbox: CliSandbox) => LauncherV1 = createLauncher,
    sessionId?: string,
  ): StartedRun => {
    const script = mock().script(turns);
    const sandbox = options.sandbox ?? sandboxFor(options);
    const workspace = options.workspace ?? workspaceFor();
    const agentName = options.request?.agentName ?? `e2e-${script.tag.slice(-8)}`;
    const artifactsDir = join(workspace, '.sase', 'agents', agentName);
    const request: LaunchRequest = {
      agentName,
      prompt: `${options.prompt ?? 'Do the task.'} ${script.tag}`,
      model: MOCK_MODELS[cli],
      cwd: workspace,
      artifactsDir,
      ...options.request,
    };
    const launcher = launcherFor(sandbox);
    let run: LaunchRun;
    if (sessionId === undefined) run = launcher.launch(request);
    else if (launcher.resume === undefined)
      throw new Error(`the ${launcher.launcherId} launcher has no resume()`);
    else run = launcher.resume(request, sessionId);
    return { run, script, sandbox, workspace, artifactsDir };
  };

  const finish = async (started: StartedRun): Promise<FinishedRun> => {
    const { events, outcome } = await collectRun(started.run, RUN_TIMEOUT_MS);
    const transcript = readTranscript(join(started.artifactsDir, TRANSCRIPT_FILE_NAME));
    return { ...started, events, outcome, transcript };
  };

  return {
    mock,
    sandboxFor,
    workspaceFor,
    start,
    finish,
    /** Starts a run and waits for its outcome. */
    run: (
      turns: readonly MockTurn[],
      options?: StartOptions,
      launcherFor?: (sandbox: CliSandbox) => LauncherV1,
    ): Promise<FinishedRun> => finish(start(turns, options, launcherFor)),
    /**
     * Continues the session of a finished run with the launcher's `resume()` (in the same private HOME and
     * workspace, where the CLI stored the session), a new script and prompt, and waits for its outcome. The
     * resumed run gets an artifact directory of its own.
     */
    resume: (
      first: FinishedRun,
      turns: readonly MockTurn[],
      options: Omit<StartOptions, 'sandbox' | 'workspace'> = {},
      launcherFor?: (sandbox: CliSandbox) => LauncherV1,
    ): Promise<FinishedRun> => {
      const sessionId = first.outcome.sessionId;
      if (sessionId === undefined) throw new Error('the first run reported no session id to resume');
      return finish(
        start(
          turns,
          { ...options, sandbox: first.sandbox, workspace: first.workspace },
          launcherFor,
          sessionId,
        ),
      );
    },
  };
}

/**
 * The model a request to the mock asked for: the `model` of an Anthropic Messages or OpenAI Responses body, or
 * the `<model>` of a Gemini `/v1beta/models/<model>:…` path.
 */
export function requestedModel(request: MockRequest | undefined): string | undefined {
  if (request === undefined) return undefined;
  const body = request.body as { model?: unknown } | undefined;
  if (typeof body?.model === 'string') return body.model;
  const path = /\/models\/([^:/?]+):/.exec(request.url)?.[1];
  return path === undefined ? undefined : decodeURIComponent(path);
}

/** Resolves once `predicate` holds, polling every 50 ms; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The tool-use and tool-result events of a transcript, for assertions. */
export function toolEvents(events: readonly LaunchEvent[]): LaunchEvent[] {
  return events.filter((event) => event.type === 'tool-use' || event.type === 'tool-result');
}
