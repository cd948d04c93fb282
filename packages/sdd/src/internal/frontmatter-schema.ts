import { stringify } from 'yaml';
import { z } from 'zod';
import type { Diagnostic } from '../diagnostic.js';
import { changeNamePattern, isValidChangeName } from '../names.js';
import type { FrontmatterDocument, KeyPath } from './markdown.js';

/** A UTC ISO-8601 time as SASE writes them (`2026-11-03T10:00:00.000Z`; seconds fraction optional). */
export const utcTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
export const utcTimeExpectation = 'expected a UTC ISO-8601 time such as 2026-11-03T10:00:00.000Z';

const utcTime = z.string().regex(utcTimePattern, utcTimeExpectation);
const nonEmpty = z.string().min(1, 'expected a non-empty string');
const phaseId = z.union([nonEmpty, z.number().int()]).transform((value) => String(value));

export const phaseSchema = z.strictObject({
  id: phaseId,
  title: nonEmpty,
  depends_on: z.array(phaseId).default([]),
  description: z.string().optional(),
  model: nonEmpty.optional(),
  bead: nonEmpty.optional(),
});

export const planSchema = z.strictObject({
  prompt: nonEmpty.optional(),
  tier: z.enum(['tale', 'epic', 'legend']),
  title: nonEmpty,
  status: z.enum(['wip', 'done']),
  create_time: utcTime,
  round: z.number().int().min(1).optional(),
  bead: nonEmpty.optional(),
  prompt_sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hexadecimal digits')
    .optional(),
  model: nonEmpty.optional(),
  approved_by: nonEmpty.optional(),
  approved_at: utcTime.optional(),
  agent: nonEmpty.optional(),
  phases: z.array(phaseSchema).optional(),
  epic_count: z.number().int().min(0).optional(),
  epics: z.array(nonEmpty).optional(),
});

export const planDraftSchema = planSchema.partial();

export const promptSnapshotSchema = z.strictObject({
  plan: nonEmpty,
});

/** Every ChangeSpec status, in lifecycle order. */
export const changeStatusValues = [
  'wip',
  'draft',
  'ready',
  'mailed',
  'submitted',
  'reverted',
  'archived',
] as const;

/** A commit sha as git prints it: 7 to 64 lowercase hexadecimal digits (abbreviated, sha-1 or sha-256). */
export const commitShaPattern = /^[0-9a-f]{7,64}$/;

const changeName = z
  .string()
  .refine(
    isValidChangeName,
    `expected an agent name such as demo-1.2 (pattern ${changeNamePattern.source}, no "..")`,
  );
const oneLine = nonEmpty.regex(/^[^\r\n]*$/, 'expected one line (no line breaks)');
/** `pr: 42` is read as `'42'`, like phase ids. */
const reference = z
  .union([nonEmpty, z.number().int()])
  .transform((value) => String(value))
  .nullable()
  .default(null);

/** The frontmatter of a ChangeSpec. `bead`, `plan`, `pr` and `bug` may be null or left out (null); `parent` defaults to []. */
export const changeSpecSchema = z.strictObject({
  name: changeName,
  description: oneLine,
  bead: nonEmpty.nullable().default(null),
  plan: nonEmpty.nullable().default(null),
  parent: z.array(changeName).default([]),
  branch: oneLine,
  base: z.string().regex(commitShaPattern, 'expected a commit sha (7 to 64 lowercase hexadecimal digits)'),
  status: z.enum(changeStatusValues),
  pr: reference,
  bug: reference,
});

export type ChangeSpecOnDisk = z.output<typeof changeSpecSchema>;

export type PlanOnDisk = z.output<typeof planSchema>;
export type PhaseOnDisk = z.output<typeof phaseSchema>;

/**
 * The frontmatter of a parsed file checked against `schema`: its value, or the diagnostics that stop it: no
 * frontmatter at all (`missing` says what a file of this kind starts with), YAML errors, schema issues.
 */
export function readFrontmatter<T>(
  schema: z.ZodType<T>,
  document: FrontmatterDocument,
  file: string,
  what: string,
  missing: string,
): { value?: T; diagnostics: Diagnostic[] } {
  if (!document.hasFrontmatter) {
    if (document.diagnostics.length) return { diagnostics: document.diagnostics };
    return {
      diagnostics: [
        { reason: missing, file, line: 1, column: 1, ruleId: 'frontmatter-missing', fatal: true },
      ],
    };
  }
  if (document.diagnostics.length) return { diagnostics: document.diagnostics };
  return checkFrontmatter(schema, document, file, what);
}

/** Runs a zod schema over frontmatter data and turns each issue into a diagnostic at the key's line. */
export function checkFrontmatter<T>(
  schema: z.ZodType<T>,
  document: FrontmatterDocument,
  file: string,
  what: string,
): { value?: T; diagnostics: Diagnostic[] } {
  const result = schema.safeParse(document.data ?? {});
  if (result.success) return { value: result.data, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((step): step is string | number => typeof step !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        diagnostics.push({
          reason: `Unknown ${what} frontmatter key "${describePath(keyPath)}"; remove it or fix its spelling`,
          file,
          ...document.locate(keyPath),
          ruleId: 'frontmatter-schema',
          fatal: true,
        });
      }
      continue;
    }
    const where = path.length ? `"${describePath(path)}"` : 'frontmatter';
    diagnostics.push({
      reason: `Invalid ${what} ${where}: ${issue.message}`,
      file,
      ...document.locate(path),
      ruleId: 'frontmatter-schema',
      fatal: true,
    });
  }
  return { diagnostics };
}

/** `phases[2].depends_on` */
export function describePath(path: KeyPath): string {
  return path
    .map((step, index) => (typeof step === 'number' ? `[${step}]` : index ? `.${step}` : step))
    .join('');
}

/** `---\n<yaml>---\n<body>` with stable key order (the order of the object given) and no line folding. */
export function stringifyFrontmatter(data: Record<string, unknown>, body: string): string {
  const yaml = Object.keys(data).length ? stringify(data, { lineWidth: 0, minContentWidth: 0 }) : '';
  return `---\n${yaml}---\n${body}`;
}

/** Drops undefined values, keeping key order. */
export function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
