import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { openBeadStore } from '@sase/beads';
import type { PromptSection } from '@sase/launcher-core';
import { type AgentSnapshot, createRegistry } from '@sase/scheduler';
import type { Plan, PlanApprovalState, PlanTier, SddEntry } from '@sase/sdd';
import type { BuiltinXPrompt } from '@sase/xprompt';
import { startBeadWork } from './bead-work.js';
import { loadWorkspaceCatalog } from './catalog.js';
import type { Workspace } from './config.js';
import { git } from './internal/git.js';
import { commitSdd, openSddStore } from './sdd.js';
import { WorkspaceError } from './workspace-error.js';

/** The built-in xprompts of the plan-approval loop; `.xprompts/plan/*.md` in the workspace overrides them. */
export const PLAN_XPROMPTS: readonly BuiltinXPrompt[] = [
  {
    name: 'plan/instructions',
    source: '@sase/workspace',
    text: `---
description: What a %plan agent is told to do before it changes anything
input:
  - {name: agent, type: word}
---
Plan first: do not change any file yet. Work out how you would do the task, then write the plan as a
Markdown file (a title, the approach, the steps, how you will check the result) and submit it for approval:

    sase plan submit <file> --tier tale --agent {{ agent }}

(\`--tier epic\` with a \`phases:\` list in its frontmatter when the work is an epic of several phases.) Then
stop: a person (or your own \`%approve\`) approves or rejects the plan; you are started again either to
implement it or to plan again with the feedback.
`,
  },
  {
    name: 'plan/implement',
    source: '@sase/workspace',
    text: `---
description: What an agent is told when its approved plan is to be implemented
input:
  - {name: plan, type: line}
---
Your plan ({{ plan }}) was approved. Implement it now, exactly as approved: make the changes, check them,
and finish. What you leave uncommitted is committed for you.
`,
  },
];

/** `.sase/agents/<agent>/change/plan-<attempt>.json`: what `sase plan submit --agent` recorded for an attempt. */
export interface PlanSubmission {
  /** SDD-root-relative path of the plan. */
  plan: string;
  tier: PlanTier;
  attempt: number;
  submittedAt: string;
}

function submissionFileOf(workspace: Workspace, agentName: string, attempt: number): string {
  return join(workspace.root, '.sase', 'agents', agentName, 'change', `plan-${attempt}.json`);
}

/** The plan an attempt of an agent submitted, if any. */
export function readPlanSubmission(
  workspace: Workspace,
  agentName: string,
  attempt: number,
): PlanSubmission | undefined {
  try {
    const value = JSON.parse(readFileSync(submissionFileOf(workspace, agentName, attempt), 'utf8')) as Record<
      string,
      unknown
    >;
    return {
      plan: String(value.plan),
      tier: value.tier as PlanTier,
      attempt: Number(value.attempt),
      submittedAt: String(value.submitted_at),
    };
  } catch {
    return undefined;
  }
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temp, path);
}

/** Notes for an attempt of an agent (read by the lifecycle's `prepare`, as launcher `context`). */
export function writeAttemptNotes(
  workspace: Workspace,
  agentName: string,
  attempt: number,
  sections: PromptSection[],
): void {
  writeJson(join(workspace.root, '.sase', 'agents', agentName, 'change', 'next-attempt.json'), {
    for_attempt: attempt,
    sections,
  });
}

export interface SubmitAgentPlanOptions {
  workspace: Workspace;
  /** The running agent that submits (`--agent NAME`). */
  agent: string;
  planText: string;
  planFile?: string;
  tier: PlanTier;
  name?: string;
  questionsAndAnswers?: string;
  questionsAndAnswersFile?: string;
  model?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * `sase plan submit <file> --agent NAME`: submits the plan of a running `%plan` agent. The prompt snapshot is
 * the agent's own prompt (its request), the plan records `agent: NAME`, and the submission is recorded for
 * the agent's current attempt, so that when its run ends its outcome is `plan_submitted` (state `plan`).
 */
export async function submitAgentPlan(options: SubmitAgentPlanOptions) {
  const { workspace } = options;
  const env = options.env ?? process.env;
  const registry = createRegistry(workspace.root);
  const snapshot = registry.get(options.agent);
  const request = snapshot.request;
  if (request === undefined || snapshot.done !== undefined || snapshot.claim === undefined) {
    throw new WorkspaceError(
      'AGENT_NOT_PLANNING',
      `agent ${options.agent} is not running, so it cannot submit a plan now` +
        (snapshot.done ? ` (its attempt ${snapshot.done.attempt} ended ${snapshot.done.outcome})` : ''),
      { agentName: options.agent },
    );
  }
  const sdd = await openSddStore(workspace, env);
  const { submitPlan } = await import('@sase/sdd');
  const home = env.HOME || homedir();
  const result = await submitPlan({
    store: sdd,
    planText: options.planText,
    ...(options.planFile === undefined ? {} : { planFile: options.planFile }),
    tier: options.tier,
    ...(options.name === undefined ? {} : { name: options.name }),
    promptText: request.prompt,
    promptFile: registry.agentFile(options.agent, 'prompt.md'),
    ...(options.questionsAndAnswers === undefined
      ? {}
      : {
          questionsAndAnswers: options.questionsAndAnswers,
          ...(options.questionsAndAnswersFile === undefined
            ? {}
            : { questionsAndAnswersFile: options.questionsAndAnswersFile }),
        }),
    ...(options.model !== undefined
      ? { model: options.model }
      : request.model
        ? { model: request.model }
        : {}),
    agent: options.agent,
    promptExpansion: { homeDirectory: home, builtins: [] },
    refreshPulseFile: join(home, '.sase', '.ace_refresh_pulse'),
  });
  writeJson(submissionFileOf(workspace, options.agent, request.attempt), {
    plan: result.plan,
    tier: result.tier,
    attempt: request.attempt,
    submitted_at: new Date().toISOString(),
  });
  registry.notify();
  return result;
}

/** Who approves or rejects by default: git's user.name of the workspace (then global), else $USER. */
export async function reviewerName(
  workspace: Workspace,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const name = await git(workspace.root, ['config', 'user.name'], { isFailureExpected: true });
  return name.stdout.trim() || env.USER || 'unknown';
}

/** The agent a plan's current round came from, when that agent still waits for the decision on it. */
function waitingAgentOf(
  workspace: Workspace,
  planPath: string,
  plan: Plan,
): { snapshot: AgentSnapshot; attempt: number } | undefined {
  const agent = plan.frontmatter.agent;
  if (agent === undefined) return undefined;
  const registry = createRegistry(workspace.root);
  const snapshot = registry.read(agent);
  const done = snapshot?.done;
  if (snapshot === undefined || done === undefined || done.outcome !== 'plan_submitted') return undefined;
  const submission = readPlanSubmission(workspace, agent, done.attempt);
  if (submission?.plan !== planPath) return undefined;
  return { snapshot, attempt: done.attempt };
}

/**
 * When another process (the supervisor settling the planner, or a second reviewer) made the decision on the
 * plan first, what it made of the plan's agent — so that the loser of that race still reports the agent
 * released and its next attempt.
 */
function decidedElsewhere(
  workspace: Workspace,
  planPath: string,
  plan: Plan,
  outcome: NonNullable<PlanDecision['outcome']>,
): Pick<PlanDecision, 'agent' | 'outcome' | 'nextAttempt'> {
  const agent = plan.frontmatter.agent;
  if (agent === undefined) return {};
  const registry = createRegistry(workspace.root);
  const current = registry.read(agent)?.request?.attempt;
  if (current === undefined) return {};
  for (const attempt of [current, current - 1]) {
    if (readPlanSubmission(workspace, agent, attempt)?.plan !== planPath) continue;
    if (registry.decisionOf(agent, attempt) !== outcome) continue;
    return { agent, outcome, nextAttempt: attempt + 1 };
  }
  return {};
}

async function expandBuiltin(workspace: Workspace, reference: string): Promise<string> {
  const { expandPromptOrThrow } = await import('@sase/xprompt');
  const catalog = await loadWorkspaceCatalog({ cwd: workspace.root });
  return expandPromptOrThrow(reference, { catalog, file: reference }).segments[0]?.text.trim() ?? '';
}

export interface PlanDecision {
  /** SDD-root-relative path of the plan. */
  plan: string;
  tier: PlanTier;
  /** The agent released by the decision, if the plan came from one. */
  agent?: string;
  /** What became of it: `plan_approved` (a new attempt implements it), `epic_approved`, or `plan_rejected`. */
  outcome?: 'plan_approved' | 'epic_approved' | 'plan_rejected';
  /** The attempt started for the agent (implementation, or planning again). */
  nextAttempt?: number;
}

export interface ApprovePlanForOptions {
  workspace: Workspace;
  /** A plan name or path. */
  plan: string;
  cwd?: string;
  by?: string;
  env?: NodeJS.ProcessEnv;
}

export type ApprovePlanForResult = PlanDecision & {
  bead: string;
  phases: string[];
  isAlreadyApproved: boolean;
  /** `legends.auto_work`: the agents of the approved epic's `bead work`, started at once. */
  workStarted?: string[];
};

/**
 * `sase plan approve`: promotes the plan to beads (@sase/sdd `approvePlan`) and, for a plan submitted by a
 * `%plan` agent that awaits the decision, releases it: a tale gets a new attempt that implements it (the
 * attempt's outcome is `plan_approved`; the next one's prompt carries the approved plan and the built-in
 * `#plan/implement`); an epic's agent ends `epic_approved` (which satisfies `%wait`), and when the agent
 * planned it for a legend the epic bead gets the legend as `parent_id` (and with `legends.auto_work` its
 * `bead work` starts at once).
 */
export async function approvePlanFor(options: ApprovePlanForOptions): Promise<ApprovePlanForResult> {
  const { workspace } = options;
  const env = options.env ?? process.env;
  const sdd = await openSddStore(workspace, env);
  const { approvePlan } = await import('@sase/sdd');
  const approved = await approvePlan({
    store: sdd,
    plan: options.plan,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env,
    ...(options.by === undefined ? {} : { approvedBy: options.by }),
    ...(workspace.config.beads.prefix ? { beadPrefix: workspace.config.beads.prefix } : {}),
  });
  const plan = sdd.readPlan(approved.plan);
  const result: ApprovePlanForResult = {
    plan: approved.plan,
    tier: plan.frontmatter.tier,
    bead: approved.bead,
    phases: approved.phases,
    isAlreadyApproved: approved.isAlreadyApproved,
  };
  const waiting = waitingAgentOf(workspace, approved.plan, plan);
  const outcome = plan.frontmatter.tier === 'tale' ? 'plan_approved' : 'epic_approved';
  if (waiting === undefined)
    return { ...result, ...decidedElsewhere(workspace, approved.plan, plan, outcome) };
  const registry = createRegistry(workspace.root);
  const { snapshot, attempt } = waiting;
  const request = snapshot.request!;
  result.agent = snapshot.name;
  if (plan.frontmatter.tier === 'tale') {
    if (!registry.decide(snapshot.name, attempt, 'plan_approved')) {
      return { ...result, ...decidedElsewhere(workspace, approved.plan, plan, outcome) };
    }
    const implement = await expandBuiltin(
      workspace,
      `#plan/implement([[${sdd.workspacePath(approved.plan)}]])`,
    );
    writeAttemptNotes(workspace, snapshot.name, attempt + 1, [
      { title: 'Implement the approved plan', text: `${implement}\n\n${plan.body.trim()}` },
    ]);
    registry.startNextAttempt(snapshot.name, {
      ...request,
      attempt: attempt + 1,
      implementsPlan: approved.plan,
      submittedAt: new Date().toISOString(),
    });
    return { ...result, outcome: 'plan_approved', nextAttempt: attempt + 1 };
  }
  if (!registry.decide(snapshot.name, attempt, 'epic_approved')) {
    return { ...result, ...decidedElsewhere(workspace, approved.plan, plan, outcome) };
  }
  result.outcome = 'epic_approved';
  const legend = request.beadId;
  if (legend !== null && plan.frontmatter.tier === 'epic') {
    const store = openBeadStore({ dir: workspace.beadsDir });
    try {
      const owner = store.find(legend);
      if (owner?.tier === 'legend') store.update(approved.bead, { parentId: owner.id });
    } finally {
      store.dispose();
    }
    await commitSdd(workspace, `beads: ${approved.bead} planned for ${legend}`).catch(() => undefined);
    if (workspace.config.legends.autoWork) {
      const work = await startBeadWork({ workspace, id: approved.bead });
      result.workStarted = work.agents.map((agent) => agent.name);
    }
  }
  return result;
}

export interface RejectPlanForOptions {
  workspace: Workspace;
  plan: string;
  feedback: string;
  cwd?: string;
  by?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * `sase plan reject`: records the rejection in the plan (a `### Review (round N)` section: who, when, the
 * feedback) and, for a plan submitted by a `%plan` agent that awaits the decision, starts a new planning
 * attempt of it (the rejected attempt's outcome is `plan_rejected`, which never satisfies `%wait`) whose
 * prompt carries the previous plan and the feedback.
 */
export async function rejectPlanFor(options: RejectPlanForOptions): Promise<PlanDecision> {
  const { workspace } = options;
  const env = options.env ?? process.env;
  if (options.feedback.trim() === '') {
    throw new WorkspaceError('PROMPT_USAGE', 'the feedback is empty: say what the plan should change', {
      exitCode: 2,
    });
  }
  const sdd = await openSddStore(workspace, env);
  const entry = sdd.resolvePlan(options.plan, options.cwd === undefined ? {} : { cwd: options.cwd });
  const plan = sdd.readPlan(entry.path);
  const { addPlanReview, planApprovalState } = await import('@sase/sdd');
  if (planApprovalState(plan) === 'approved') {
    throw new WorkspaceError(
      'PLAN_APPROVED',
      `${sdd.workspacePath(entry.path)} is approved (bead ${plan.frontmatter.bead ?? '?'}); an approved plan cannot be rejected`,
    );
  }
  const by = options.by ?? (await reviewerName(workspace, env));
  sdd.writePlan(
    entry.path,
    addPlanReview(plan, {
      round: plan.frontmatter.round ?? 1,
      by: by.replace(/\s+/g, ' '),
      at: new Date().toISOString(),
      verdict: 'rejected',
      feedback: options.feedback,
    }),
  );
  await commitSdd(
    workspace,
    `plan: reject ${entry.path.slice(0, -3)} (round ${plan.frontmatter.round ?? 1})`,
  );
  const result: PlanDecision = { plan: entry.path, tier: plan.frontmatter.tier };
  // Looked up after the rejection is written: an agent still running then finds it when its run settles
  // (applyPlanDecision); one that settled before is released here — by whichever of us decides first.
  const waiting = waitingAgentOf(workspace, entry.path, plan);
  if (waiting === undefined)
    return { ...result, ...decidedElsewhere(workspace, entry.path, plan, 'plan_rejected') };
  return {
    ...result,
    ...(await releaseRejected(workspace, waiting, entry.path, plan, by, options.feedback)),
  };
}

/** Releases an agent whose plan was rejected: a new planning attempt with the plan and the feedback. */
async function releaseRejected(
  workspace: Workspace,
  waiting: { snapshot: AgentSnapshot; attempt: number },
  planPath: string,
  plan: Plan,
  by: string,
  feedback: string,
): Promise<Pick<PlanDecision, 'agent' | 'outcome' | 'nextAttempt'>> {
  const registry = createRegistry(workspace.root);
  const { snapshot, attempt } = waiting;
  const firstLine = feedback.trim().split('\n')[0]!;
  if (!registry.decide(snapshot.name, attempt, 'plan_rejected', `plan rejected by ${by}: ${firstLine}`)) {
    return decidedElsewhere(workspace, planPath, plan, 'plan_rejected');
  }
  const { parsePlanReviews } = await import('@sase/sdd');
  writeAttemptNotes(workspace, snapshot.name, attempt + 1, [
    { title: 'Your previous plan', text: parsePlanReviews(plan.body).rest.trim() },
    {
      title: 'Feedback on it',
      text: `${by} rejected it:\n\n${feedback.trim()}\n\nPlan again with this in mind, and submit the new plan the same way.`,
    },
  ]);
  registry.startNextAttempt(snapshot.name, {
    ...snapshot.request!,
    attempt: attempt + 1,
    submittedAt: new Date().toISOString(),
  });
  return { agent: snapshot.name, outcome: 'plan_rejected', nextAttempt: attempt + 1 };
}

/**
 * When a `%plan` agent's attempt settles `plan_submitted`: applies a decision already taken on its plan —
 * `%approve` on the agent, or a person's `sase plan approve|reject` between the agent's `sase plan submit` and
 * the end of its run (the decision is in the plan; the agent could not be released while it ran). Returns
 * undefined when the plan still awaits a decision.
 */
export async function applyPlanDecision(
  workspace: Workspace,
  agent: string,
  attempt: number,
  isSelfApproved: boolean,
): Promise<PlanDecision | undefined> {
  const submission = readPlanSubmission(workspace, agent, attempt);
  if (submission === undefined) return undefined;
  if (isSelfApproved) return approvePlanFor({ workspace, plan: submission.plan, by: `${agent} (%approve)` });
  const sdd = await openSddStore(workspace);
  const entry = sdd.resolvePlan(submission.plan);
  const plan = sdd.readPlan(entry.path);
  const { parsePlanReviews, planApprovalState } = await import('@sase/sdd');
  const state = planApprovalState(plan);
  if (state === 'approved') return approvePlanFor({ workspace, plan: submission.plan });
  if (state !== 'rejected') return undefined;
  const waiting = waitingAgentOf(workspace, entry.path, plan);
  const review = parsePlanReviews(plan.body).reviews.at(-1);
  if (waiting === undefined || review === undefined) return undefined;
  return {
    plan: entry.path,
    tier: plan.frontmatter.tier,
    ...(await releaseRejected(workspace, waiting, entry.path, plan, review.by, review.feedback)),
  };
}

/** One plan with its approval state, as `sase plan list|show` print it. */
export interface PlanListing {
  /** SDD-root-relative path. */
  path: string;
  name: string;
  tier: PlanTier;
  title: string;
  /** `wip`, or `done` once its epic closed or its tale's change was submitted. */
  status: 'wip' | 'done';
  state: PlanApprovalState;
  round: number;
  agent: string | null;
  bead: string | null;
  approvedBy: string | null;
  createTime: string;
}

function listingOf(entry: SddEntry, plan: Plan, state: PlanApprovalState): PlanListing {
  return {
    path: entry.path,
    name: entry.name,
    tier: plan.frontmatter.tier,
    title: plan.frontmatter.title,
    status: plan.frontmatter.status,
    state,
    round: plan.frontmatter.round ?? 1,
    agent: plan.frontmatter.agent ?? null,
    bead: plan.frontmatter.bead ?? null,
    approvedBy: plan.frontmatter.approvedBy ?? null,
    createTime: plan.frontmatter.createTime,
  };
}

/** Every plan (tales, epics, legends) with its approval state; those awaiting approval first. */
export async function listPlans(
  workspace: Workspace,
  options: { state?: PlanApprovalState } = {},
): Promise<PlanListing[]> {
  const sdd = await openSddStore(workspace);
  if (!existsSync(sdd.root)) return [];
  const { parsePlan, planApprovalState } = await import('@sase/sdd');
  const order: Record<PlanApprovalState, number> = { awaiting: 0, rejected: 1, approved: 2 };
  const listings: PlanListing[] = [];
  for (const entry of sdd.list()) {
    if (entry.kind === 'prompts') continue;
    const { plan } = parsePlan(sdd.readText(entry.path), { file: entry.path });
    if (plan === undefined) continue;
    const state = planApprovalState(plan);
    if (options.state !== undefined && state !== options.state) continue;
    listings.push(listingOf(entry, plan, state));
  }
  return listings.sort(
    (left, right) => order[left.state] - order[right.state] || left.path.localeCompare(right.path),
  );
}

/** One plan, its approval state, reviews and body. */
export async function showPlan(
  workspace: Workspace,
  reference: string,
  options: { cwd?: string } = {},
): Promise<PlanListing & { body: string; reviews: import('@sase/sdd').PlanReview[] }> {
  const sdd = await openSddStore(workspace);
  const entry = sdd.resolvePlan(reference, options);
  const plan = sdd.readPlan(entry.path);
  const { parsePlanReviews, planApprovalState } = await import('@sase/sdd');
  return {
    ...listingOf(entry, plan, planApprovalState(plan)),
    body: plan.body,
    reviews: parsePlanReviews(plan.body).reviews,
  };
}

/** Marks a plan `status: done` (its epic closed, or its tale's change was submitted). */
export async function markPlanDone(workspace: Workspace, planPath: string): Promise<void> {
  const sdd = await openSddStore(workspace);
  if (!sdd.exists(planPath)) return;
  const plan = sdd.readPlan(planPath);
  if (plan.frontmatter.status === 'done') return;
  sdd.writePlan(planPath, { ...plan, frontmatter: { ...plan.frontmatter, status: 'done' } });
}
