import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentRequest, createRegistry, isWaitSatisfying } from '@sase/scheduler';
import type { ChangeMentorVerdict, ChangeSpec } from '@sase/sdd';
import type { BuiltinXPrompt } from '@sase/xprompt';
import { changeDirOf } from './agent-change.js';
import { recordBeadOutcome } from './bead-outcome.js';
import type { MentorConfig, Workspace } from './config.js';
import { git } from './internal/git.js';
import { notify } from './notify.js';
import { writeAttemptNotes } from './plans.js';
import { commitSdd, openSddStore } from './sdd.js';
import { submitPrompt } from './submit.js';
import { WorkspaceError } from './workspace-error.js';

/** The built-in mentor prompt; `.xprompts/change/review.md` in the workspace overrides it. */
export const MENTOR_XPROMPTS: readonly BuiltinXPrompt[] = [
  {
    name: 'change/review',
    source: '@sase/workspace',
    text: `---
description: What a mentor is asked to do with a change
input:
  - {name: change, type: word}
---
You are a mentor: review change {{ change }}, which another agent made. Do not change its files (what you
edit here is never merged).

1. \`sase change show {{ change }}\` gives its bead, its plan and its commits; read the plan.
2. \`sase change diff {{ change }}\` gives its diff. Check it against the plan: does it do what the plan
   asks, correctly, with nothing missing and nothing extra?
3. Record your verdict, with what you found:
   \`sase change review {{ change }} --mentor $SASE_MENTOR --approve -m "<why it is right>"\`, or
   \`sase change review {{ change }} --mentor $SASE_MENTOR --request-changes -m "<what to change>"\`.
`,
  },
];

/** After a decision: the reviewed agent's bead in step with its decided outcome. */
function settleBead(workspace: Workspace, agentName: string): void {
  const snapshot = createRegistry(workspace.root).read(agentName);
  if (snapshot?.done !== undefined && snapshot.request?.beadId != null) {
    recordBeadOutcome(workspace, snapshot.done, snapshot.request.beadId);
  }
}

/** `<agent>.mentor.<mentor>`: the agent a mentor reviews a change as. */
export function mentorAgentName(changeName: string, mentor: string): string {
  return `${changeName}.mentor.${mentor}`;
}

/** `change/review-round.json`: the review a change awaits (which attempt, which commit, which mentors). */
export interface ReviewRound {
  attempt: number;
  commit: string;
  /** What the attempt's outcome becomes when every mentor approves (`completed`, `plan_committed`). */
  outcome: 'completed' | 'plan_committed';
  mentors: string[];
  startedAt: string;
}

const ROUND_FILE = 'review-round.json';

export function readReviewRound(workspace: Workspace, changeName: string): ReviewRound | undefined {
  try {
    const value = JSON.parse(
      readFileSync(join(changeDirOf(workspace, changeName), ROUND_FILE), 'utf8'),
    ) as Record<string, unknown>;
    return {
      attempt: Number(value.attempt),
      commit: String(value.commit),
      outcome: value.outcome === 'plan_committed' ? 'plan_committed' : 'completed',
      mentors: Array.isArray(value.mentors) ? value.mentors.map(String) : [],
      startedAt: String(value.started_at),
    };
  } catch {
    return undefined;
  }
}

export function writeReviewRound(workspace: Workspace, changeName: string, round: ReviewRound): void {
  const directory = changeDirOf(workspace, changeName);
  mkdirSync(directory, { recursive: true });
  const file = join(directory, ROUND_FILE);
  writeFileSync(
    `${file}.tmp`,
    `${JSON.stringify({ attempt: round.attempt, commit: round.commit, outcome: round.outcome, mentors: round.mentors, started_at: round.startedAt }, null, 2)}\n`,
  );
  renameSync(`${file}.tmp`, file);
}

/** A glob of `when` (`*` within a path segment, `**` across them, `?` one character) as a regular expression. */
function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let index = 0; index < glob.length; index++) {
    const character = glob[index]!;
    if (character === '*' && glob[index + 1] === '*') {
      pattern += '.*';
      index++;
      if (glob[index + 1] === '/') index++;
    } else if (character === '*') pattern += '[^/]*';
    else if (character === '?') pattern += '[^/]';
    else pattern += character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

/** The mentors that review a change touching `files` (sase.yml `changes.mentors`, by their `when`). */
export function mentorsFor(mentors: readonly MentorConfig[], files: readonly string[]): MentorConfig[] {
  return mentors.filter(
    (mentor) =>
      mentor.when === 'always' ||
      mentor.when.some((glob) => {
        const pattern = globToRegExp(glob);
        return files.some(
          (file) => pattern.test(file) || (!glob.includes('/') && pattern.test(file.split('/').pop()!)),
        );
      }),
  );
}

/** The files a change's own commits touch (its blockers' merges left out). */
export async function changedFiles(path: string, base: string, merged: readonly string[]): Promise<string[]> {
  const exclusions = [base];
  for (const branch of merged) {
    const exists = await git(path, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], {
      isFailureExpected: true,
    });
    if (exists.code === 0) exclusions.push(branch);
  }
  const log = await git(path, [
    'log',
    '--no-merges',
    '--name-only',
    '--format=',
    'HEAD',
    '--not',
    ...exclusions,
  ]);
  return [...new Set(log.stdout.split('\n').filter(Boolean))].sort();
}

/**
 * Starts the mentors of a change that awaits review (its agent's outcome is `in_review`): one agent per
 * mentor, `<agent>.mentor.<name>` (a new attempt each round), in a worktree of its own starting at the
 * change's commit (a mentor's edits are never merged), with the mentor's prompt (`#change/review(<change>)`).
 */
export async function startMentors(
  workspace: Workspace,
  changeName: string,
  round: ReviewRound,
): Promise<string[]> {
  const started: string[] = [];
  for (const name of round.mentors) {
    const mentor = workspace.config.changes.mentors.find((each) => each.name === name);
    if (mentor === undefined) continue;
    const agent = mentorAgentName(changeName, name);
    const directives = [
      `%name:!${agent}`,
      '%approve',
      ...(mentor.model === undefined ? [] : [`%model:${mentor.model}`]),
    ];
    await submitPrompt({
      workspace,
      text: `${directives.join(' ')}\n#${mentor.prompt}(${changeName})\n`,
      file: `<mentor ${name} of ${changeName}>`,
      ...(mentor.launcher === undefined ? {} : { launcher: mentor.launcher }),
      isWorktree: false,
      decorate: (input) => ({
        ...input,
        env: { ...input.env, SASE_MENTOR: name, SASE_REVIEWED_CHANGE: changeName },
        worktree: { base: round.commit, merge: [] },
      }),
    });
    started.push(agent);
  }
  return started;
}

/** True for an attempt of a mentor (its lifecycle neither commits nor records a change of its own). */
export function isMentorRequest(request: AgentRequest): boolean {
  return request.env.SASE_MENTOR !== undefined && request.env.SASE_REVIEWED_CHANGE !== undefined;
}

/** The outcome of a mentor's attempt: `failed` (`no verdict`) when it ended without recording one. */
export async function mentorOutcome(
  workspace: Workspace,
  request: AgentRequest,
): Promise<{ hasVerdict: boolean }> {
  const change = request.env.SASE_REVIEWED_CHANGE!;
  const round = readReviewRound(workspace, change);
  const sdd = await openSddStore(workspace);
  const spec = sdd.readChangeSpec(change);
  const hasVerdict = (spec.mentors ?? []).some(
    (review) =>
      review.mentor === request.env.SASE_MENTOR &&
      (round === undefined || (review.commit === round.commit && review.time >= round.startedAt)),
  );
  return { hasVerdict };
}

export interface ReviewChangeOptions {
  workspace: Workspace;
  change: string;
  mentor: string;
  verdict: ChangeMentorVerdict;
  text: string;
}

/**
 * `sase change review <change> --mentor <name> --approve|--request-changes -m <text>`: records a mentor's
 * verdict on the commit under review in the ChangeSpec's `## Mentors`.
 */
export async function reviewChange(options: ReviewChangeOptions): Promise<ChangeSpec> {
  const { workspace } = options;
  if (!workspace.config.changes.mentors.some((mentor) => mentor.name === options.mentor)) {
    throw new WorkspaceError(
      'MENTOR_UNKNOWN',
      `no mentor named "${options.mentor}" in sase.yml changes.mentors` +
        (workspace.config.changes.mentors.length === 0
          ? ' (none is configured)'
          : `; the mentors are ${workspace.config.changes.mentors.map((mentor) => mentor.name).join(', ')}`),
    );
  }
  const round = readReviewRound(workspace, options.change);
  const sdd = await openSddStore(workspace);
  const spec = await sdd.updateChangeSpec(options.change, (current) => ({
    ...current,
    mentors: [
      ...(current.mentors ?? []),
      {
        time: new Date().toISOString(),
        mentor: options.mentor,
        verdict: options.verdict,
        attempt: round?.attempt ?? null,
        commit: round?.commit ?? current.commits.at(-1)?.sha ?? null,
        text: options.text.trim().replace(/\r\n/g, '\n'),
      },
    ],
  }));
  await commitSdd(workspace, `changes: ${options.change} ${options.verdict} by mentor ${options.mentor}`);
  return spec;
}

/**
 * After a mentor settles (the supervisor's onSettled): decides the reviewed agent's `in_review` attempt once
 * every mentor of the round has a verdict on its commit. Any `request_changes` fails it (`mentor <name>
 * requested changes`; the review text goes to its next attempt); all `approve` makes the change `ready` and
 * the attempt's outcome what it was to be (`completed`, `plan_committed`).
 */
export async function decideReview(workspace: Workspace, changeName: string): Promise<void> {
  const round = readReviewRound(workspace, changeName);
  if (round === undefined) return;
  const registry = createRegistry(workspace.root);
  const reviewed = registry.read(changeName);
  if (reviewed?.done?.outcome !== 'in_review' || reviewed.done.attempt !== round.attempt) return;
  const sdd = await openSddStore(workspace);
  const spec = sdd.readChangeSpec(changeName);
  const latest = new Map<string, NonNullable<ChangeSpec['mentors']>[number]>();
  for (const review of spec.mentors ?? []) {
    if (
      review.commit === round.commit &&
      review.time >= round.startedAt &&
      round.mentors.includes(review.mentor)
    ) {
      latest.set(review.mentor, review);
    }
  }
  // A mentor of this round that ended (failed, killed) without a verdict: no review, so no landing.
  const silent = round.mentors.filter((mentor) => {
    if (latest.has(mentor)) return false;
    const done = registry.read(mentorAgentName(changeName, mentor))?.done;
    return done !== undefined && done.finishedAt >= round.startedAt && !isWaitSatisfying(done.outcome);
  });
  if (silent.length > 0 && ![...latest.values()].some((review) => review.verdict === 'request_changes')) {
    const error = `mentor ${silent.join(', mentor ')} ended without a verdict; retry the mentor or this agent`;
    if (registry.decide(changeName, round.attempt, 'failed', error)) settleBead(workspace, changeName);
    return;
  }
  const requested = [...latest.values()].filter((review) => review.verdict === 'request_changes');
  const { moveChangeStatus } = await import('@sase/sdd');
  if (requested.length > 0) {
    const names = requested.map((review) => review.mentor);
    const error = `mentor ${names.join(', mentor ')} requested changes`;
    if (!registry.decide(changeName, round.attempt, 'failed', error)) return;
    settleBead(workspace, changeName);
    writeAttemptNotes(
      workspace,
      changeName,
      round.attempt + 1,
      requested.map((review) => ({ title: `Mentor ${review.mentor} requested changes`, text: review.text })),
    );
    for (const review of requested) {
      void notify(workspace, `mentor_requested_changes:${changeName}#${round.attempt}:${review.mentor}`, {
        event: 'mentor_requested_changes',
        agent: changeName,
        attempt: round.attempt,
        change: changeName,
        ...(spec.bead === null ? {} : { bead: spec.bead }),
        outcome: 'failed',
        error: `mentor ${review.mentor} requested changes: ${review.text.split('\n')[0]}`,
      });
    }
    return;
  }
  if (round.mentors.some((mentor) => latest.get(mentor)?.verdict !== 'approve')) return;
  await sdd.updateChangeSpec(changeName, (current) =>
    current.status === 'wip' || current.status === 'draft'
      ? moveChangeStatus(current, 'ready', new Date().toISOString())
      : current,
  );
  if (!registry.decide(changeName, round.attempt, round.outcome)) return;
  settleBead(workspace, changeName);
  await commitSdd(workspace, `changes: ${changeName} ready (approved by ${round.mentors.join(', ')})`);
  void notify(workspace, `change_ready:${changeName}#${round.attempt}`, {
    event: 'change_ready',
    agent: changeName,
    attempt: round.attempt,
    change: changeName,
    ...(spec.bead === null ? {} : { bead: spec.bead }),
    outcome: round.outcome,
  });
}
