export type { AgentOutcome } from './agent-outcome.js';
export { applyAgentOutcome } from './agent-outcome.js';
export type { BeadErrorCode, BeadErrorDetails } from './errors.js';
export { BeadError } from './errors.js';
export { isRealUtcTime, MODEL_NAME } from './field-rules.js';
export type { GraphFormat } from './graph.js';
export { GRAPH_FORMATS, renderDependencyGraph } from './graph.js';
export type { BdConversion, ConvertBdOptions, ImportBdOptions, ImportBdResult } from './import-bd.js';
export { convertBdRecords, importBdFile } from './import-bd.js';
export type { ParsedLine } from './jsonl.js';
export { parseJsonl, parseJsonlBuffer, stringifyJsonl } from './jsonl.js';
export type { MergeConflict, MergeJsonlOptions, MergeResult } from './merge.js';
export { advanceStoreConfig, mergeJsonl, mergeStoreConfig } from './merge.js';
export { compareIds, naturalSortKey } from './natural-sort.js';
export type { Bead, BeadRecord, BeadStatus, Dependency, DependencyType, IssueType, Tier } from './record.js';
export {
  BEAD_STATUSES,
  DEPENDENCY_TYPES,
  FIELDS,
  fromRecord,
  ISSUE_TYPES,
  sortDependencies,
  stringifyRecord,
  TIERS,
  toRecord,
} from './record.js';
export type { DuplicateIdRepair } from './repair.js';
export { repairDuplicateIds } from './repair.js';
export type { BeadRecordSchema } from './schema.js';
export { getBeadRecordSchema } from './schema.js';
export type {
  BeadStats,
  BlockedBead,
  CreateBeadInput,
  DependencyTreeNode,
  DoctorProblem,
  DoctorReport,
  InitBeadStoreOptions,
  ListFilter,
  OpenBeadStoreOptions,
  StoreConfig,
  UpdateBeadInput,
  UpdateBeadOptions,
} from './store.js';
export {
  BeadStore,
  CACHE_FILE,
  CONFIG_FILE,
  initBeadStore,
  JSONL_FILE,
  openBeadStore,
  parseStoreConfig,
} from './store.js';
export { beadStoreDirOf, defaultPrefixFor, findWorkspaceRoot, sddRootOf } from './workspace.js';
