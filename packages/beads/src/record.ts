import { compareIds } from './natural-sort.js';

/**
 * The bead record. On disk (issues.jsonl, --json output) fields are snake_case in this exact order; in
 * TypeScript they are camelCase. FIELDS is the one table both directions are derived from.
 */

export const BEAD_STATUSES = ['open', 'in_progress', 'closed'] as const;
export const ISSUE_TYPES = ['plan', 'phase'] as const;
export const TIERS = ['plan', 'epic', 'legend'] as const;
export const DEPENDENCY_TYPES = ['blocks', 'related'] as const;

export type BeadStatus = (typeof BEAD_STATUSES)[number];
export type IssueType = (typeof ISSUE_TYPES)[number];
export type Tier = (typeof TIERS)[number];
export type DependencyType = (typeof DEPENDENCY_TYPES)[number];

export interface Dependency {
  /** The id of the bead depended on. */
  id: string;
  type: DependencyType;
}

/** A bead as TypeScript code sees it. Optional fields are absent (not undefined) when unset. */
export interface Bead {
  id: string;
  title: string;
  status: BeadStatus;
  issueType: IssueType;
  tier?: Tier;
  parentId?: string;
  assignee?: string;
  model?: string;
  design?: string;
  isReadyToWork?: boolean;
  epicCount?: number;
  description?: string;
  notes?: string;
  closeReason?: string;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  dependencies: Dependency[];
}

/** A bead as it is stored in issues.jsonl: the same fields, snake_case, in SPEC order. */
export interface BeadRecord {
  id: string;
  title: string;
  status: BeadStatus;
  issue_type: IssueType;
  tier?: Tier;
  parent_id?: string;
  assignee?: string;
  model?: string;
  design?: string;
  is_ready_to_work?: boolean;
  epic_count?: number;
  description?: string;
  notes?: string;
  close_reason?: string;
  created_at: string;
  updated_at: string;
  closed_at?: string;
  dependencies: Dependency[];
}

/** [camelCase, snake_case] for every field, in the order they are written to disk. */
export const FIELDS = [
  ['id', 'id'],
  ['title', 'title'],
  ['status', 'status'],
  ['issueType', 'issue_type'],
  ['tier', 'tier'],
  ['parentId', 'parent_id'],
  ['assignee', 'assignee'],
  ['model', 'model'],
  ['design', 'design'],
  ['isReadyToWork', 'is_ready_to_work'],
  ['epicCount', 'epic_count'],
  ['description', 'description'],
  ['notes', 'notes'],
  ['closeReason', 'close_reason'],
  ['createdAt', 'created_at'],
  ['updatedAt', 'updated_at'],
  ['closedAt', 'closed_at'],
  ['dependencies', 'dependencies'],
] as const satisfies ReadonlyArray<readonly [keyof Bead, keyof BeadRecord]>;

/** Converts a record (snake_case) to a Bead (camelCase). */
export function fromRecord(record: BeadRecord): Bead {
  const bead: Record<string, unknown> = {};
  for (const [camel, snake] of FIELDS) {
    const value = record[snake];
    if (value !== undefined && value !== null) bead[camel] = value;
  }
  bead.dependencies ??= [];
  return bead as unknown as Bead;
}

/** Converts a Bead to its record, keys in disk order, absent optional keys omitted, dependencies sorted. */
export function toRecord(bead: Bead): BeadRecord {
  const record: Record<string, unknown> = {};
  for (const [camel, snake] of FIELDS) {
    const value = bead[camel];
    if (value === undefined || value === null) continue;
    record[snake] = snake === 'dependencies' ? sortDependencies(value as Dependency[]) : value;
  }
  record.dependencies ??= [];
  return record as unknown as BeadRecord;
}

/** The canonical JSONL line of a bead (compact JSON, SPEC key order, no newline). */
export function stringifyRecord(record: BeadRecord): string {
  const ordered: Record<string, unknown> = {};
  for (const [, snake] of FIELDS) {
    const value = record[snake];
    if (value === undefined || value === null) continue;
    ordered[snake] = snake === 'dependencies' ? sortDependencies(value as Dependency[]) : value;
  }
  ordered.dependencies ??= [];
  return JSON.stringify(ordered);
}

export function sortDependencies(dependencies: readonly Dependency[]): Dependency[] {
  return dependencies
    .map((dependency) => ({ id: dependency.id, type: dependency.type }))
    .sort((a, b) => compareIds(a.id, b.id) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}
