import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import { BEAD_STATUSES, DEPENDENCY_TYPES, ISSUE_TYPES, TIERS } from './record.js';

// zod costs ~40 ms to load. The store needs it only to validate a JSONL file it has not seen before, so it
// is required on first use instead of imported at start-up (`sase bead ready` on a warm cache never loads it).
const require = createRequire(import.meta.url);

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function build(z: typeof Zod) {
  const text = z.string();
  const timestamp = z
    .string()
    .regex(ISO_UTC, 'must be a UTC ISO-8601 time ending in Z (2026-11-21T10:00:00.000Z)');
  const dependency = z.strictObject({ id: z.string().min(1), type: z.enum(DEPENDENCY_TYPES) });
  return z.strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*(\.\d+)*$/, 'must look like prefix-7 or prefix-7.2'),
    title: text,
    status: z.enum(BEAD_STATUSES),
    issue_type: z.enum(ISSUE_TYPES),
    tier: z.enum(TIERS).optional(),
    parent_id: text.optional(),
    assignee: text.optional(),
    model: text.optional(),
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
