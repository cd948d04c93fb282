export { BeadError } from './errors.js';
export type { BeadErrorCode, BeadErrorDetails } from './errors.js';
export { parseJsonl, stringifyJsonl } from './jsonl.js';
export type { ParsedLine } from './jsonl.js';
export { compareIds, naturalSortKey } from './natural-sort.js';
export {
  BEAD_STATUSES,
  DEPENDENCY_TYPES,
  FIELDS,
  ISSUE_TYPES,
  TIERS,
  fromRecord,
  sortDependencies,
  stringifyRecord,
  toRecord,
} from './record.js';
export type { Bead, BeadRecord, BeadStatus, Dependency, DependencyType, IssueType, Tier } from './record.js';
export { getBeadRecordSchema } from './schema.js';
export type { BeadRecordSchema } from './schema.js';
export { BeadStore, CACHE_FILE, CONFIG_FILE, JSONL_FILE, initBeadStore, openBeadStore } from './store.js';
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
} from './store.js';
export { beadStoreDirOf, defaultPrefixFor, findWorkspaceRoot, sddRootOf } from './workspace.js';
