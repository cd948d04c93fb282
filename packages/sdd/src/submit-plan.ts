import { closeSync, mkdirSync, openSync, utimesSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { type Diagnostic, hasErrors } from './diagnostic.js';
import { SddError } from './errors.js';
import {
  type ExpandedPrompt,
  type ExpandPromptOptions,
  expandPromptForSnapshot,
  type PromptExpander,
} from './expand-prompt.js';
import { sha256Hex } from './internal/hash.js';
import { parseFrontmatterDocument } from './internal/markdown.js';
import { kindOfTier, monthOf, sddPath } from './layout.js';
import { assertValidPlanName, slugifyPlanName } from './names.js';
import { checkPhases } from './phases.js';
import { type Plan, type PlanFrontmatter, type PlanTier, parsePlanDraft, planTiers } from './plan.js';
import { formatPlanReview, parsePlanReviews } from './plan-reviews.js';
import { mergeQuestionsAndAnswers, parseQuestionsAndAnswers } from './questions-and-answers.js';
import type { SddStore } from './sdd-store.js';

export interface SubmitPlanOptions {
  store: SddStore;
  /** The plan as written by the agent or person: Markdown, frontmatter optional. */
  planText: string;
  /** Where planText came from (diagnostics; default name). */
  planFile?: string;
  tier: PlanTier;
  /** The plan name (a slug). Default: the slugified title, else the slugified file name. */
  name?: string;
  /**
   * The prompt the plan was made from, unexpanded (`#xprompt` references and `%directives` allowed). When
   * omitted on a resubmission the previous round's snapshot is kept; on a first submission it is required.
   */
  promptText?: string;
  /** Where promptText came from (diagnostics). */
  promptFile?: string;
  /**
   * The prompt to use when promptText is omitted and there is no previous round to keep, e.g. the running
   * agent's `$SASE_ARTIFACTS_DIR/prompt.md`.
   */
  defaultPrompt?: { text: string; file?: string };
  /** A Markdown file of `Q:` / `A:` pairs, merged into the plan's `### Questions and Answers` section. */
  questionsAndAnswers?: string;
  questionsAndAnswersFile?: string;
  /** The model annotation; default the prompt's `%model`, else the plan's own `model:`, else the previous round's. */
  model?: string;
  /** The submit time (UTC); picks `{YYYYMM}` for a new plan. Default now. */
  now?: Date;
  /** Turns the prompt into its snapshot; default `expandPromptForSnapshot` (@sase/xprompt). */
  expandPrompt?: PromptExpander;
  /** Passed to the expander: where `~/.xprompts/` is, and built-in xprompts. */
  promptExpansion?: Pick<ExpandPromptOptions, 'homeDirectory' | 'builtins'>;
  /** A file to touch afterwards, e.g. `~/.sase/.ace_refresh_pulse`. */
  refreshPulseFile?: string;
  /** The agent submitting it (`sase plan submit --agent NAME`), recorded as `agent:` of this round. */
  agent?: string;
}

export interface SubmitPlanResult {
  name: string;
  tier: PlanTier;
  /** 1 for a new plan, then one more per resubmission. */
  round: number;
  /** Plan path relative to the SDD root. */
  plan: string;
  /** Prompt snapshot path relative to the SDD root. */
  prompt: string;
  /** The commit made in standalone mode. */
  commit?: string;
  /** Problems that did not stop the submission (e.g. phases on a tale, which are dropped). */
  warnings: Diagnostic[];
}

/**
 * Writes a plan round: the expanded prompt snapshot and the plan, cross-linked (`prompt:` / `plan:`), with
 * `prompt_sha256`, `model`, `title`, `status: wip`, `create_time` and `round`; merges Q&A; refreshes MAP.md;
 * commits in standalone mode (`plan: submit epics/202611/name (round 2)`); touches the refresh pulse file.
 * Submitting an existing name again (found in any month) replaces that plan as its next round.
 */
export async function submitPlan(options: SubmitPlanOptions): Promise<SubmitPlanResult> {
  const { store, tier } = options;
  if (!planTiers.includes(tier)) {
    throw new SddError('INVALID_TIER', `Invalid tier "${tier}"; use one of ${planTiers.join(', ')}`);
  }
  const planFile = options.planFile ?? '<plan>';
  const parsed = parsePlanDraft(options.planText, { file: planFile });
  if (!parsed.draft) throw invalidPlan(planFile, parsed.diagnostics);
  const draft = parsed.draft;
  const name =
    options.name !== undefined ? assertValidPlanName(options.name) : defaultName(draft, options.planFile);

  const qaFile = options.questionsAndAnswersFile ?? '<questions and answers>';
  const qa =
    options.questionsAndAnswers === undefined
      ? { entries: [], diagnostics: [] }
      : parseQuestionsAndAnswers(options.questionsAndAnswers, { file: qaFile });
  if (qa.diagnostics.length) {
    const first = qa.diagnostics[0]!;
    throw new SddError(
      'INVALID_QUESTIONS_AND_ANSWERS',
      `Invalid Q&A file ${qaFile}:${first.line}: ${first.reason}; write "Q: question" lines each followed by "A: answer"`,
      { file: qaFile, line: first.line, diagnostics: qa.diagnostics },
    );
  }

  await store.ensureInitialized();
  const found = store.findPlans(name);
  if (found.length > 1) {
    throw new SddError(
      'AMBIGUOUS_PLAN',
      `Plan name "${name}" matches ${found.map((each) => each.path).join(', ')}; remove the stray copy`,
      { plan: name },
    );
  }
  const existing = found[0];
  if (existing && existing.kind !== kindOfTier(tier)) {
    throw new SddError(
      'PLAN_TIER_MISMATCH',
      `Plan "${name}" already exists as ${existing.path}; resubmit it with --tier ${existing.kind.slice(0, -1)} or choose another --name`,
      { plan: name, file: existing.path },
    );
  }
  const previous: Plan | undefined = existing ? store.readPlan(existing.path) : undefined;
  if (previous?.frontmatter.bead) {
    throw new SddError(
      'PLAN_ALREADY_APPROVED',
      `Plan ${existing!.path} is approved as bead ${previous.frontmatter.bead} and cannot be replaced; submit the revision under a new --name`,
      { plan: name, file: existing!.path },
    );
  }

  const now = options.now ?? new Date();
  const month = existing?.month ?? monthOf(now);
  const planPath = sddPath(kindOfTier(tier), month, name);
  const promptPath = previous?.frontmatter.prompt ?? sddPath('prompts', month, name);

  let expanded: ExpandedPrompt;
  const expand = (text: string, file: string | undefined) =>
    (options.expandPrompt ?? expandPromptForSnapshot)(text, {
      ...options.promptExpansion,
      workspaceRoot: store.workspaceRoot,
      ...(file ? { file } : {}),
    });
  if (options.promptText !== undefined) {
    expanded = await expand(options.promptText, options.promptFile);
  } else if (previous && store.exists(promptPath)) {
    expanded = { text: store.readPromptSnapshot(promptPath).body };
  } else if (options.defaultPrompt) {
    expanded = await expand(options.defaultPrompt.text, options.defaultPrompt.file);
  } else {
    throw new SddError(
      'PROMPT_REQUIRED',
      `Plan "${name}" is new, so its prompt is required: pass --prompt FILE (or --prompt - to read stdin)`,
      { plan: name },
    );
  }

  const warnings: Diagnostic[] = [];
  const own = draft.frontmatter;
  const warn = (key: string, reason: string) =>
    warnings.push({
      reason,
      file: planFile,
      ...parseFrontmatterDocument(options.planText, planFile).locate([key]),
      ruleId: 'plan-tier-keys',
      fatal: false,
    });
  if (own.phases && tier !== 'epic')
    warn('phases', `phases are ignored on tier ${tier}; only epics have phases`);
  if ((own.epicCount !== undefined || own.epics) && tier !== 'legend') {
    warn(
      own.epicCount !== undefined ? 'epic_count' : 'epics',
      `epic_count and epics are ignored on tier ${tier}; only legends own epics`,
    );
  }
  const phases = tier === 'epic' ? (own.phases ?? previous?.frontmatter.phases) : undefined;
  if (phases) {
    const problems = checkPhases(phases, { file: planFile });
    if (hasErrors(problems)) throw invalidPlan(planFile, problems);
  }
  const epics = tier === 'legend' ? (own.epics ?? previous?.frontmatter.epics) : undefined;
  const epicCount =
    tier === 'legend' ? (own.epicCount ?? previous?.frontmatter.epicCount ?? epics?.length) : undefined;
  const model = options.model ?? expanded.model ?? own.model ?? previous?.frontmatter.model;

  const frontmatter: PlanFrontmatter = {
    prompt: promptPath,
    tier,
    title: own.title ?? draft.firstHeading ?? previous?.frontmatter.title ?? name,
    status: 'wip',
    createTime: previous?.frontmatter.createTime ?? now.toISOString(),
    round: previous ? (previous.frontmatter.round ?? 1) + 1 : 1,
    promptSha256: sha256Hex(expanded.text),
    ...(model ? { model } : {}),
    ...(phases ? { phases: phases.map(({ bead: _bead, ...phase }) => phase) } : {}),
    ...(epicCount !== undefined ? { epicCount } : {}),
    ...(epics ? { epics } : {}),
    ...(options.agent === undefined ? {} : { agent: options.agent }),
  };
  // Reviews of earlier rounds stay with the plan, after the new round's text.
  const previousReviews = previous ? parsePlanReviews(previous.body) : undefined;
  const merged = mergeQuestionsAndAnswers({
    ...(previousReviews ? { previousBody: previousReviews.rest } : {}),
    body: parsePlanReviews(draft.body).rest,
    added: qa.entries,
    file: planFile,
  });
  const body = (previousReviews?.reviews ?? []).reduce(
    (text, review) => `${text.replace(/\s*$/, '')}\n\n${formatPlanReview(review)}`,
    merged,
  );

  store.writePromptSnapshot(promptPath, { frontmatter: { plan: planPath }, body: expanded.text });
  store.writePlan(planPath, { frontmatter, body });
  store.refreshGeneratedFiles();
  const round = frontmatter.round!;
  const commit = await store.commit(`plan: submit ${planPath.slice(0, -3)} (round ${round})`);
  if (options.refreshPulseFile) touchFile(options.refreshPulseFile);
  return { name, tier, round, plan: planPath, prompt: promptPath, ...(commit ? { commit } : {}), warnings };
}

function defaultName(
  draft: { frontmatter: Partial<PlanFrontmatter>; firstHeading?: string },
  file?: string,
): string {
  const candidates = [
    draft.frontmatter.title,
    draft.firstHeading,
    file && file !== '-' ? basename(file, extname(file)) : undefined,
  ];
  for (const candidate of candidates) {
    const slug = candidate ? slugifyPlanName(candidate) : '';
    if (slug) return assertValidPlanName(slug);
  }
  throw new SddError(
    'INVALID_PLAN_NAME',
    'Cannot derive a plan name: the plan has no title or `# ` heading and no file name; pass --name such as "auth-rework"',
  );
}

function invalidPlan(file: string, diagnostics: Diagnostic[]): SddError {
  const first = diagnostics.find((each) => each.fatal) ?? diagnostics[0];
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more problem(s))` : '';
  return new SddError(
    'INVALID_PLAN',
    `Invalid plan ${file}${first ? `:${first.line}: ${first.reason} [${first.ruleId}]` : ''}${more}`,
    { file, ...(first ? { line: first.line, column: first.column } : {}), diagnostics },
  );
}

/** Creates the file if missing and sets its modification time to now (what `touch` does). */
export function touchFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  closeSync(openSync(file, 'a'));
  const now = new Date();
  utimesSync(file, now, now);
}
