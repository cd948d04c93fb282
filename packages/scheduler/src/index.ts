export type { KillAgentOptions, KillAgentResult, RetryAgentResult } from './agent-control.js';
export { killAgent, retryAgent } from './agent-control.js';
export { assertValidAgentName, isValidAgentName } from './agent-name.js';
export type { AgentState, AgentStateName } from './agent-state.js';
export {
  agentStates,
  deriveAgentStates,
  formatAgentState,
  hasOutcome,
  isSettled,
  stateOfOutcome,
} from './agent-state.js';
export type {
  EpicWorkPlan,
  LegendWorkPlan,
  PlanEpicWorkInput,
  PlannedPhase,
  WorkBead,
} from './bead-work.js';
export { BEAD_WORK_XPROMPTS, planEpicWork, planLegendWork } from './bead-work.js';
export type { ComputeWavesOptions, WaveEdge, WaveNode, Waves } from './kahn-waves.js';
export { computeWaves } from './kahn-waves.js';
export { parseNotBefore } from './not-before.js';
export type { AgentOutcome } from './outcomes.js';
export {
  AGENT_OUTCOMES,
  isAgentOutcome,
  isPendingOutcome,
  isRetryableOutcome,
  isWaitSatisfying,
  PENDING_OUTCOMES,
  WAIT_SATISFYING_OUTCOMES,
} from './outcomes.js';
export type {
  AgentDirectives,
  AgentRequest,
  AgentWorktree,
  ClaimRecord,
  DoneRecord,
  KillRequest,
  RunningRecord,
  WaitingRecord,
} from './records.js';
export { formatDone, formatRequest, parseDone, parseRequest } from './records.js';
export type { AgentRegistry, AgentSnapshot } from './registry.js';
export { AGENT_FILES, claimFileName, createRegistry } from './registry.js';
export type {
  AttemptContext,
  AttemptLifecycle,
  AttemptOutcome,
  PreparedAttempt,
  ResolveLauncher,
  RunAgentHostOptions,
  RunAttemptOptions,
  RunAttemptResult,
} from './run-attempt.js';
export { runAgentHost, runAttempt } from './run-attempt.js';
export type { SchedulerErrorCode, SchedulerErrorDetails } from './scheduler-error.js';
export { isSchedulerError, SchedulerError } from './scheduler-error.js';
export type { SegmentDirectives, SegmentInput, SubmitOptions, SubmittedAgent } from './submit-segments.js';
export { submitSegments } from './submit-segments.js';
export type {
  AgentHostOptions,
  RunUntilSettledOptions,
  Supervisor,
  SupervisorOptions,
  SupervisorStopCause,
  SupervisorStopEvent,
  SupervisorStopOptions,
} from './supervisor.js';
export { createSupervisor } from './supervisor.js';
export type {
  AcquireSupervisorLockResult,
  SupervisorLock,
  SupervisorLockCheck,
  SupervisorLockHolder,
  SupervisorStatus,
} from './supervisor-lock.js';
export { acquireSupervisorLock, readSupervisorStatus } from './supervisor-lock.js';
export type {
  ServeSupervisorOptions,
  StartSupervisorProcessOptions,
  StartSupervisorProcessResult,
  StopSupervisorProcessResult,
} from './supervisor-process.js';
export {
  serveSupervisor,
  startSupervisorProcess,
  stopSupervisorProcess,
  supervisorLogFileOf,
} from './supervisor-process.js';
export type { WaitForAgentsOptions } from './wait-for-agents.js';
export { followAgents, waitForAgent, waitForAgents } from './wait-for-agents.js';
