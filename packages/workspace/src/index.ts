export {
  changeDirOf,
  createWorkspaceLifecycle,
  HOOK_LOG_TAIL_LINES,
  uniformCommitMessage,
} from './agent-change.js';
export type { StartBeadWorkOptions, StartBeadWorkResult, WorkPlan, WorkRun } from './bead-work.js';
export { agentNamesOf, readWorkRun, startBeadWork, workRunFileOf } from './bead-work.js';
export type { LoadWorkspaceCatalogOptions } from './catalog.js';
export { findXPromptRoot, loadWorkspaceCatalog, WORKSPACE_XPROMPTS } from './catalog.js';
export type { ChangeEntry, LandEpicResult, LandedPhase } from './changes.js';
export {
  changeDiff,
  commentAuthor,
  commentOnChange,
  formatChangeJson,
  landEpic,
  listChanges,
  readChange,
  setChangeStatus,
} from './changes.js';
export type {
  AgentWorkspaceMode,
  HookConfig,
  NotifierConfig,
  NotifyEventName,
  RetryContextMode,
  SaseConfig,
  Workspace,
} from './config.js';
export {
  CONFIG_FILE,
  DEFAULT_CONFIG,
  findWorkspace,
  LAUNCHER_SETTING_KEYS,
  loadConfig,
  MODEL_NAME,
  NOTIFY_EVENTS,
  parseConfigText,
  workspaceAt,
} from './config.js';
export type { HookRunResult, RunHooksOptions } from './hooks.js';
export { runHooks, tailOfFile } from './hooks.js';
export type { BuiltInLauncherId, LauncherListing } from './launchers.js';
export {
  assertLauncherUsable,
  BUILT_IN_LAUNCHERS,
  chooseLauncher,
  launcherResolverOf,
  launcherSettingsFromConfig,
  listLaunchers,
  resolveLauncher,
} from './launchers.js';
export type { ReviewChangeOptions, ReviewRound } from './mentors.js';
export {
  changedFiles,
  decideReview,
  isMentorRequest,
  MENTOR_XPROMPTS,
  mentorAgentName,
  mentorsFor,
  readReviewRound,
  reviewChange,
  startMentors,
} from './mentors.js';
export { aliasTablesFor, launcherNamedBy, modelAliasesOf, resolveModelText } from './models.js';
export type { NotifyEvent } from './notify.js';
export { NOTIFIER_TIMEOUT_MS, notify } from './notify.js';
export type {
  ApprovePlanForOptions,
  ApprovePlanForResult,
  PlanDecision,
  PlanListing,
  PlanSubmission,
  RejectPlanForOptions,
  SubmitAgentPlanOptions,
} from './plans.js';
export {
  applyPlanDecision,
  approvePlanFor,
  listPlans,
  markPlanDone,
  PLAN_XPROMPTS,
  readPlanSubmission,
  rejectPlanFor,
  reviewerName,
  showPlan,
  submitAgentPlan,
  writeAttemptNotes,
} from './plans.js';
export type { RemoteLaunchPayload, RemoteLaunchResult, RunQueueWorkerOptions } from './remote.js';
export {
  cloneDirOf,
  connectedWorkers,
  createQueueLauncher,
  runQueueWorker,
  workerOf,
  workspaceIdOf,
} from './remote.js';
export { PREVIOUS_ATTEMPT_TAIL_LINES, retryContextOf } from './retry-context.js';
export type { RunAgentOptions, RunAgentResult, RunPrompt } from './run-agent.js';
export { chooseLauncherAndModel, expandRunPrompt, runAgent } from './run-agent.js';
export { commitSdd, openSddStore } from './sdd.js';
export type { SubmitPromptOptions, SubmitPromptResult } from './submit.js';
export { baseCommitOf, submitPrompt } from './submit.js';
export type { RunWorkspaceAgentHostOptions, ServeWorkspaceOptions, SettledAgent } from './supervisor.js';
export {
  ensureWorkspaceSupervisor,
  HOST_CONFIG_VARIABLE,
  hostWorkspace,
  recordBeadOutcome,
  runWorkspaceAgentHost,
  serveWorkspaceSupervisor,
  settleAgent,
} from './supervisor.js';
export type { WorkspaceErrorCode, WorkspaceErrorDetails } from './workspace-error.js';
export { isWorkspaceError, WorkspaceError } from './workspace-error.js';
export type {
  AgentWorkspaceInfo,
  BranchCommit,
  CommittedWork,
  EnsuredWorktree,
  EnsureWorktreeOptions,
  MergeBranchesResult,
  RemoveAgentWorkspaceOptions,
  RemovedAgentWorkspace,
} from './worktrees.js';
export {
  branchOf,
  commitLeftovers,
  ensureAgentWorktree,
  listAgentWorkspaces,
  mergeBranches,
  ownCommits,
  removeAgentWorkspace,
  WORKSPACES_DIR,
  worktreePathOf,
} from './worktrees.js';
