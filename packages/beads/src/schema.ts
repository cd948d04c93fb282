import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import { controlCharacterIndex, ISO_UTC, isRealUtcTime, MODEL_NAME } from './field-rules.js';
import { BEAD_STATUSES, type BeadRecord, DEPENDENCY_TYPES, ISSUE_TYPES, TIERS } from './record.js';

// zod costs ~40 ms to load. The store needs it only to validate a JSONL file it has not seen before, so it
// is required on first use instead of imported at start-up (`sase bead ready` on a warm cache never loads it).
const require = createRequire(import.meta.url);

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.\d+)*$/;

function build(z: typeof Zod) {
  const text = z.string();
  const oneLine = z
    .string()
    .refine(
      (value) => controlCharacterIndex(value) === -1,
      'must be one line without control characters (newline, tab, escape, ...)',
    );
  const timestamp = z
    .string()
    .regex(ISO_UTC, 'must be a UTC ISO-8601 time ending in Z (2026-11-21T10:00:00.000Z)')
    .refine(
      isRealUtcTime,
      'is not a real time: the month must be 01-12, the day within its month, hours 00-23, minutes and seconds 00-59',
    );
  const dependency = z.strictObject({ id: z.string().min(1), type: z.enum(DEPENDENCY_TYPES) });
  return z.strictObject({
    id: z.string().regex(ID, 'must look like prefix-7 or prefix-7.2'),
    title: oneLine,
    status: z.enum(BEAD_STATUSES),
    issue_type: z.enum(ISSUE_TYPES),
    tier: z.enum(TIERS).optional(),
    parent_id: text.optional(),
    assignee: oneLine.optional(),
    model: z
      .string()
      .regex(
        MODEL_NAME,
        'must be a model name: letters, digits and . _ : / @ + [ ] -, not starting with -, no spaces (e.g. opus, gpt-5.1)',
      )
      .optional(),
    design: text.optional(),
    is_ready_to_work: z.boolean().optional(),
    epic_count: z.number().int().nonnegative().optional(),
    description: text.optional(),
    notes: text.optional(),
    close_reason: text.optional(),
    created_at: timestamp,
    updated_at: timestamp,
    closed_at: timestamp.optional(),
    dependencies: z.array(dependency).default([]),
  });
}

export type BeadRecordSchema = ReturnType<typeof build>;

let schema: BeadRecordSchema | undefined;

/**
 * The zod schema of one issues.jsonl line (snake_case, unknown keys refused). Loaded on first call.
 * `getBeadRecordSchema().parse(JSON.parse(line))` validates a line the way the store does.
 */
export function getBeadRecordSchema(): BeadRecordSchema {
  schema ??= build(require('zod') as typeof Zod);
  return schema;
}

const TEXT_KEYS = [
  'title',
  'parent_id',
  'assignee',
  'model',
  'design',
  'description',
  'notes',
  'close_reason',
];
const ALLOWED_KEYS = new Set([
  'id',
  'status',
  'issue_type',
  'tier',
  'is_ready_to_work',
  'epic_count',
  'created_at',
  'updated_at',
  'closed_at',
  'dependencies',
  ...TEXT_KEYS,
]);
const STATUSES = new Set<unknown>(BEAD_STATUSES);
const ISSUE_TYPE_SET = new Set<unknown>(ISSUE_TYPES);
const TIER_SET = new Set<unknown>(TIERS);
const DEPENDENCY_TYPE_SET = new Set<unknown>(DEPENDENCY_TYPES);

/**
 * A fast check of the common case: true only when `value` certainly satisfies the zod schema (it then gets
 * the schema's one default, `dependencies: []`, in place). When it returns false the caller asks zod, which
 * decides and explains. The cache uses it to validate 100,000 lines without zod's per-object cost, and
 * without loading zod at all for a valid file; a test checks that the two agree.
 */
export function isValidRecordFast(value: unknown): value is BeadRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) if (!ALLOWED_KEYS.has(key)) return false;
  if (typeof record.id !== 'string' || !ID.test(record.id)) return false;
  if (typeof record.title !== 'string') return false;
  if (!STATUSES.has(record.status) || !ISSUE_TYPE_SET.has(record.issue_type)) return false;
  if (record.tier !== undefined && !TIER_SET.has(record.tier)) return false;
  for (const key of TEXT_KEYS) if (record[key] !== undefined && typeof record[key] !== 'string') return false;
  if (controlCharacterIndex(record.title) !== -1) return false;
  if (record.assignee !== undefined && controlCharacterIndex(record.assignee as string) !== -1) return false;
  if (record.model !== undefined && !MODEL_NAME.test(record.model as string)) return false;
  if (record.is_ready_to_work !== undefined && typeof record.is_ready_to_work !== 'boolean') return false;
  const count = record.epic_count;
  if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 0))
    return false;
  for (const key of ['created_at', 'updated_at']) {
    if (typeof record[key] !== 'string' || !isRealUtcTime(record[key] as string)) return false;
  }
  if (
    record.closed_at !== undefined &&
    (typeof record.closed_at !== 'string' || !isRealUtcTime(record.closed_at))
  ) {
    return false;
  }
  const dependencies = record.dependencies;
  if (dependencies === undefined) {
    record.dependencies = [];
    return true;
  }
  if (!Array.isArray(dependencies)) return false;
  for (const dependency of dependencies) {
    if (typeof dependency !== 'object' || dependency === null || Array.isArray(dependency)) return false;
    const keys = Object.keys(dependency);
    if (keys.length !== 2 || !('id' in dependency) || !('type' in dependency)) return false;
    const { id, type } = dependency as { id: unknown; type: unknown };
    if (typeof id !== 'string' || id === '' || !DEPENDENCY_TYPE_SET.has(type)) return false;
  }
  return true;
}
