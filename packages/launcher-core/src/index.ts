export type {
  FinishContext,
  LaunchEventInput,
  LauncherRunOptions,
  OutcomeDecision,
  OutputMapper,
} from './create-launcher-run.js';
export {
  assertLaunchRequest,
  assertSessionId,
  createAgentEnvironment,
  createLauncherRun,
  createTextMapper,
  describeExit,
  exitCodeOutcome,
  MODEL_NAME_PATTERN,
  SESSION_ID_PATTERN,
} from './create-launcher-run.js';
export type {
  Invocation,
  ProcessLauncher,
  ProcessLauncherDefinition,
  ProcessLauncherSettings,
} from './create-process-launcher.js';
export {
  assertProcessLauncherSettings,
  assertSettingKeys,
  createProcessLauncher,
  PROCESS_LAUNCHER_SETTING_KEYS,
} from './create-process-launcher.js';
export { isLauncherV1, LAUNCHER_SPECIFICATION_VERSION } from './is-launcher.js';
export type { JsonLine, JsonLineParser, JsonLineParserOptions, JsonObject } from './json-lines.js';
export { asNumber, asObject, asString, createJsonLineParser, parseJsonLine } from './json-lines.js';
export type { LauncherErrorCode, LauncherErrorFields } from './launcher-error.js';
export { isLauncherError, LauncherError } from './launcher-error.js';
export { composePrompt, formatPromptContext, PROMPT_CONTEXT_VARIABLE } from './prompt-context.js';
export type { ExecutableLocation } from './resolve-executable.js';
export { locateExecutable, resolveExecutable } from './resolve-executable.js';
export type { AgentProcess, ProcessExit, SpawnAgentProcessOptions } from './spawn-agent-process.js';
export { DEFAULT_KILL_GRACE_MS, spawnAgentProcess } from './spawn-agent-process.js';
export type {
  LaunchEvent,
  LauncherV1,
  LaunchOutcome,
  LaunchRequest,
  LaunchRun,
  OutcomeKind,
  PromptSection,
} from './spec.js';
export type { StandbyShells } from './standby-shells.js';
export { countStandbyShells, MAX_STANDBY_SHELLS, prepareAgentProcesses } from './standby-shells.js';
export { stripAnsi } from './strip-ansi.js';
export type { TranscriptRecord, TranscriptWriter, TranscriptWriterOptions } from './transcript.js';
export {
  createTranscriptWriter,
  fromTranscriptRecord,
  parseTranscript,
  readTranscript,
  stringifyTranscriptEvent,
  TRANSCRIPT_FILE_NAME,
  toTranscriptRecord,
} from './transcript.js';
