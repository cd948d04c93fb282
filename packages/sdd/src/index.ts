export type { ApprovePlanOptions, ApprovePlanResult } from './approve-plan.js';
export { approvePlan } from './approve-plan.js';
export type {
  ChangeComment,
  ChangeCommit,
  ChangeHook,
  ChangeHookRun,
  ChangeHookRunStatus,
  ChangeMentorReview,
  ChangeMentorVerdict,
  ChangeSpec,
  ChangeSpecParseResult,
  ChangeSpecSection,
  ChangeStatus,
  ChangeTimestamp,
} from './change-spec.js';
export {
  assertChangeStatusMove,
  changeSpecPath,
  changeStatuses,
  changeStatusMoves,
  isTerminalChangeStatus,
  moveChangeStatus,
  parseChangeSpec,
  stringifyChangeSpec,
} from './change-spec.js';
export type {
  ChangeSpecMutation,
  StoredChangeSpec,
  UpdateChangeSpecOptions,
  WriteChangeSpecOptions,
} from './change-store.js';
export { findChangeSpec } from './change-store.js';
export type { Diagnostic } from './diagnostic.js';
export { formatDiagnostic, hasErrors, sortDiagnostics } from './diagnostic.js';
export type { SddErrorCode, SddErrorDetails } from './errors.js';
export { SddError } from './errors.js';
export type { ExpandedPrompt, ExpandPromptOptions, PromptExpander } from './expand-prompt.js';
export { expandPromptForSnapshot } from './expand-prompt.js';
export type { SddChangeKind, SddKind } from './layout.js';
export {
  beadTierOfPlanTier,
  kindOfTier,
  monthOf,
  sddChangeKind,
  sddKinds,
  sddPath,
  tierOfKind,
} from './layout.js';
export {
  assertValidChangeName,
  assertValidPlanName,
  changeNamePattern,
  isValidChangeName,
  isValidPlanName,
  planNamePattern,
  slugifyPlanName,
} from './names.js';
export type { CheckPhasesOptions } from './phases.js';
export { checkPhases, findPhaseCycles } from './phases.js';
export type {
  ParseOptions,
  Plan,
  PlanDraft,
  PlanDraftParseResult,
  PlanFrontmatter,
  PlanParseResult,
  PlanPhase,
  PlanStatus,
  PlanTier,
} from './plan.js';
export { parsePlan, parsePlanDraft, planTiers, stringifyPlan } from './plan.js';
export type { PlanApprovalState, PlanReview } from './plan-reviews.js';
export { addPlanReview, formatPlanReview, parsePlanReviews, planApprovalState } from './plan-reviews.js';
export type { PromptSnapshot, PromptSnapshotParseResult } from './prompt-snapshot.js';
export { parsePromptSnapshot, stringifyPromptSnapshot } from './prompt-snapshot.js';
export type {
  QuestionAndAnswer,
  QuestionsAndAnswersParseResult,
  QuestionsAndAnswersSection,
} from './questions-and-answers.js';
export {
  findQuestionsAndAnswersSection,
  formatQuestionsAndAnswers,
  mergeQuestionsAndAnswers,
  parseQuestionsAndAnswers,
  questionsAndAnswersHeading,
} from './questions-and-answers.js';
export type { SddEntry, SddInitResult, SddStorageMode, SddStoreOptions } from './sdd-store.js';
export { createSddStore, SddStore } from './sdd-store.js';
export type { SubmitPlanOptions, SubmitPlanResult } from './submit-plan.js';
export { submitPlan, touchFile } from './submit-plan.js';
export type {
  BeadLookup,
  BeadSummary,
  SddRuleId,
  SddValidationResult,
  ValidateSddOptions,
} from './validate.js';
export { sddRules, validateSdd } from './validate.js';
