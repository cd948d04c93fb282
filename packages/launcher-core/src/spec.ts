/**
 * The launcher interface, version 1. This file is the published contract between SASE and every launcher
 * adapter (shell, Claude Code, Codex, Gemini CLI, or a third party's). Changing a type here in a way that
 * breaks an existing adapter requires a new specificationVersion.
 */

/** One note SASE adds for the agent beside its prompt, e.g. `{ title: 'Failing check', text: '<log tail>' }`. */
export interface PromptSection {
  /** A short heading on one line (rendered as `## <title>`). */
  title: string;
  /** The note itself (Markdown or plain text). */
  text: string;
}

/** What SASE asks a launcher to run: one agent, one attempt. */
export interface LaunchRequest {
  /** The agent's name (unique in the workspace's agent registry), e.g. `myapp-7.1`. */
  agentName: string;
  /** The prompt text, already expanded (no #xprompt references, no %directives). Passed on stdin or as one argv element, never through a shell. */
  prompt: string;
  /**
   * Notes SASE adds for the agent beside its prompt (a failing check's log, the previous attempt's error, plan
   * instructions). A launcher for a model CLI appends them to the prompt (composePrompt); a launcher whose prompt
   * is a program must not append them to it and hands them over another way (the shell launcher: a file named by
   * SASE_PROMPT_CONTEXT). A launcher that ignores the field still works; its agent just does not see the notes.
   * Added to launcher-v1 compatibly: optional, so older launchers and requests stay valid.
   */
  context?: readonly PromptSection[];
  /**
   * The model to use, in the launcher's own naming (`opus`, `gpt-6.2-sol`, `gemini-2.5-pro`); undefined means the
   * CLI's default. It reaches the CLI's argv, so it must be one word that cannot read as a flag: non-empty, no
   * whitespace or control characters, not starting with `-` (MODEL_NAME_PATTERN; anything else is INVALID_REQUEST).
   */
  model?: string;
  /** The working directory of the agent process. */
  cwd: string;
  /** The agent's artifact directory (`.sase/agents/<name>/`); the launcher may write files of its own there. */
  artifactsDir: string;
  /** Extra environment for the agent process, merged over process.env. */
  env?: Record<string, string>;
  /** Self-approve tool use / edits where the CLI supports it (`%approve`). */
  approve?: boolean;
  /** The bead the agent works on, when there is one (exported as SASE_BEAD_ID). */
  beadId?: string;
  /** Aborting kills the agent's whole process group; the outcome is then `killed`. */
  signal?: AbortSignal;
  /**
   * Optional wall-clock limit in milliseconds. When it passes, the run is killed exactly as if the signal had
   * been aborted (outcome `killed`, error `timed out after N ms`). Undefined means no limit.
   */
  timeoutMs?: number;
}

/** One thing that happened during a run. Every adapter emits the same shapes (one transcript schema). */
export type LaunchEvent =
  | { type: 'start'; time: string; pid: number; command: string[]; launcherId?: string }
  | { type: 'output'; time: string; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'message'; time: string; role: 'assistant' | 'user' | 'system'; text: string }
  | { type: 'tool-use'; time: string; name: string; input?: unknown; id?: string }
  | { type: 'tool-result'; time: string; id?: string; output?: string; isError?: boolean }
  | { type: 'usage'; time: string; inputTokens?: number; outputTokens?: number; costUsd?: number }
  | { type: 'outcome'; time: string; outcome: LaunchOutcome };

export type OutcomeKind = 'completed' | 'failed' | 'killed';

/** How a run ended. Exactly one per run. */
export interface LaunchOutcome {
  outcome: OutcomeKind;
  /** The process exit code, or null when it was killed by a signal or never started. */
  exitCode: number | null;
  /** The agent's final response text, where the CLI reports one. */
  finalText?: string;
  /** Why it failed or was killed; undefined for `completed`. */
  error?: string;
  /** The CLI's own session id, where it reports one (for resuming). */
  sessionId?: string;
}

/** A started run: events as they happen, and the outcome once it settles. */
export interface LaunchRun {
  /** The OS process id of the agent (the leader of its process group). */
  readonly pid: number | undefined;
  /** Events in order; the iterator ends after the `outcome` event. Consuming it is optional. */
  events: AsyncIterable<LaunchEvent>;
  /** Settles (never rejects) with the outcome. */
  outcome: Promise<LaunchOutcome>;
  /** Kills the whole process group (SIGTERM, then SIGKILL after a grace period). */
  kill(reason?: string): void;
}

/** The one interface an adapter implements. */
export interface LauncherV1 {
  readonly specificationVersion: 'launcher-v1';
  /** Stable id used in config and records: `shell`, `claude`, `codex`, `gemini`, ... */
  readonly launcherId: string;
  /** Starts a run. Throws a LauncherError (e.g. EXECUTABLE_NOT_FOUND) only when nothing could start. */
  launch(request: LaunchRequest): LaunchRun;
  /**
   * Continues the CLI's session `sessionId` (a previous run's `outcome.sessionId`) with `request.prompt` as the
   * next user message, in `request.cwd`, with the same kind of events and outcome as launch(). Optional: a
   * launcher whose CLI cannot resume has no resume method, and SASE then starts a fresh run whose prompt carries a
   * summary of the previous attempt. Throws like launch(), and INVALID_REQUEST for a session id that is empty,
   * holds whitespace or control characters, or starts with `-` (SESSION_ID_PATTERN).
   * Added to launcher-v1 compatibly: optional.
   */
  resume?(request: LaunchRequest, sessionId: string): LaunchRun;
  /**
   * The launcher's default models for the aliases SASE's `%model:@smart`, `@fast` and `@cheap` name (keys without
   * the `@`), e.g. `{ smart: 'opus', fast: 'sonnet', cheap: 'haiku' }`; sase.yml `launcher.<id>.models`
   * overrides them. Optional: a launcher without models (a shell command) has none.
   * Added to launcher-v1 compatibly: optional.
   */
  readonly modelAliases?: Readonly<Record<string, string>>;
  /** Optional: where the executable is and whether it can be found, for `sase launchers`. */
  locate?(): {
    executable: string;
    found: boolean;
    path?: string;
    overrideVariable?: string;
    /** True when the override variable is set (and so decided what was looked for). */
    isOverridden?: boolean;
  };
}
