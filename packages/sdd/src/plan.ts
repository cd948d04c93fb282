import type { Diagnostic } from './diagnostic.js';
import {
  compact,
  type PhaseOnDisk,
  type PlanOnDisk,
  planDraftSchema,
  planSchema,
  readFrontmatter,
  stringifyFrontmatter,
} from './internal/frontmatter-schema.js';
import { type FrontmatterDocument, type Location, parseFrontmatterDocument } from './internal/markdown.js';

/** `tale` (ordinary plan), `epic` (executable, multi-phase) or `legend` (coordinates epics). */
export type PlanTier = 'tale' | 'epic' | 'legend';
export type PlanStatus = 'wip' | 'done';

export const planTiers: readonly PlanTier[] = ['tale', 'epic', 'legend'];

/** One phase of an epic. On disk: `{id, title, depends_on, description, model, bead}`. */
export interface PlanPhase {
  /** Unique within the epic. Numbers in YAML are read as strings (`id: 1` is `'1'`). */
  id: string;
  title: string;
  /** Ids of phases of the same epic that must finish first. */
  dependsOn: string[];
  description?: string;
  model?: string;
  /** The phase bead, written by `approvePlan`. */
  bead?: string;
}

/** A plan's frontmatter in camelCase; on disk the keys are snake_case (`create_time`, `prompt_sha256`, ...). */
export interface PlanFrontmatter {
  /** Path of the prompt snapshot, relative to the SDD root (`prompts/202611/auth-rework.md`). */
  prompt?: string;
  tier: PlanTier;
  title: string;
  status: PlanStatus;
  /** UTC ISO-8601 time of the first submission. */
  createTime: string;
  /** Submission round: 1 for the first `plan submit`, one more for each resubmission under the same name. */
  round?: number;
  /** The plan bead, written by `approvePlan`. */
  bead?: string;
  /** sha256 (hex) of the prompt snapshot's body. */
  promptSha256?: string;
  model?: string;
  approvedBy?: string;
  approvedAt?: string;
  /** The agent that submitted this round (`sase plan submit --agent NAME`); approving or rejecting releases it. */
  agent?: string;
  /** Epics only. */
  phases?: PlanPhase[];
  /** Legends only: how many epics the legend plans. */
  epicCount?: number;
  /** Legends only: the epics it owns, as names or SDD-root-relative paths. */
  epics?: string[];
}

/** A plan file: frontmatter plus the Markdown body, kept byte for byte. */
export interface Plan {
  frontmatter: PlanFrontmatter;
  body: string;
}

export interface ParseOptions {
  /** The file name used in diagnostics. */
  file?: string;
}

export interface PlanParseResult {
  /** Present when there is no error diagnostic. */
  plan?: Plan;
  diagnostics: Diagnostic[];
}

/** A plan as submitted: any frontmatter key may be missing, and the body's first `# ` heading is reported. */
export interface PlanDraft {
  frontmatter: Partial<PlanFrontmatter>;
  body: string;
  firstHeading?: string;
}

export interface PlanDraftParseResult {
  draft?: PlanDraft;
  diagnostics: Diagnostic[];
}

/** @internal The parse result plus a way to find the line of a frontmatter key. */
export interface PlanDocument extends PlanParseResult {
  locate(path: ReadonlyArray<string | number>): Location;
  document: FrontmatterDocument;
}

/** @internal */
export function parsePlanDocument(text: string, file: string): PlanDocument {
  const document = parseFrontmatterDocument(text, file);
  const base = { locate: document.locate, document };
  const checked = readFrontmatter(
    planSchema,
    document,
    file,
    'plan',
    'Plan has no YAML frontmatter; a plan starts with a `---` block holding tier, title, status and create_time',
  );
  if (!checked.value) return { ...base, diagnostics: checked.diagnostics };
  return {
    ...base,
    plan: { frontmatter: planFromDisk(checked.value), body: document.body },
    diagnostics: [],
  };
}

/** Parses a plan file. Never throws for bad input: problems come back as diagnostics. */
export function parsePlan(text: string, options: ParseOptions = {}): PlanParseResult {
  const { plan, diagnostics } = parsePlanDocument(text, options.file ?? '<plan>');
  return plan ? { plan, diagnostics } : { diagnostics };
}

/**
 * Parses a plan as an agent or a person submits it: frontmatter is optional and every key in it is optional,
 * but unknown keys and wrong types are still errors.
 */
export function parsePlanDraft(text: string, options: ParseOptions = {}): PlanDraftParseResult {
  const file = options.file ?? '<plan>';
  const document = parseFrontmatterDocument(text, file);
  const heading = document.firstHeading ? { firstHeading: document.firstHeading } : {};
  if (!document.hasFrontmatter && document.diagnostics.length) return { diagnostics: document.diagnostics };
  if (!document.hasFrontmatter)
    return { draft: { frontmatter: {}, body: document.body, ...heading }, diagnostics: [] };
  // The frontmatter is there (see above), so readFrontmatter passes on only YAML and schema problems.
  const checked = readFrontmatter(planDraftSchema, document, file, 'plan', '');
  if (!checked.value) return { diagnostics: checked.diagnostics };
  return {
    draft: { frontmatter: planFromDisk(checked.value), body: document.body, ...heading },
    diagnostics: [],
  };
}

/** Writes a plan file. `parsePlan(stringifyPlan(plan)).plan` deep-equals `plan`; the body is kept as is. */
export function stringifyPlan(plan: Plan): string {
  return stringifyFrontmatter(planToDisk(plan.frontmatter), plan.body);
}

function planFromDisk<T extends Partial<PlanOnDisk>>(
  disk: T,
): T extends PlanOnDisk ? PlanFrontmatter : Partial<PlanFrontmatter>;
function planFromDisk(disk: Partial<PlanOnDisk>): Partial<PlanFrontmatter> {
  return compact({
    prompt: disk.prompt,
    tier: disk.tier,
    title: disk.title,
    status: disk.status,
    createTime: disk.create_time,
    round: disk.round,
    bead: disk.bead,
    promptSha256: disk.prompt_sha256,
    model: disk.model,
    approvedBy: disk.approved_by,
    approvedAt: disk.approved_at,
    agent: disk.agent,
    phases: disk.phases?.map(phaseFromDisk),
    epicCount: disk.epic_count,
    epics: disk.epics,
  }) as Partial<PlanFrontmatter>;
}

function phaseFromDisk(disk: PhaseOnDisk): PlanPhase {
  return compact({
    id: disk.id,
    title: disk.title,
    dependsOn: disk.depends_on,
    description: disk.description,
    model: disk.model,
    bead: disk.bead,
  }) as unknown as PlanPhase;
}

function planToDisk(frontmatter: PlanFrontmatter): Record<string, unknown> {
  return compact({
    prompt: frontmatter.prompt,
    tier: frontmatter.tier,
    title: frontmatter.title,
    status: frontmatter.status,
    create_time: frontmatter.createTime,
    round: frontmatter.round,
    bead: frontmatter.bead,
    prompt_sha256: frontmatter.promptSha256,
    model: frontmatter.model,
    approved_by: frontmatter.approvedBy,
    approved_at: frontmatter.approvedAt,
    agent: frontmatter.agent,
    phases: frontmatter.phases?.map((phase) =>
      compact({
        id: phase.id,
        title: phase.title,
        depends_on: phase.dependsOn,
        description: phase.description,
        model: phase.model,
        bead: phase.bead,
      }),
    ),
    epic_count: frontmatter.epicCount,
    epics: frontmatter.epics,
  });
}
