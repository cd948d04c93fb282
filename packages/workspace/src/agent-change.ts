import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type Bead, openBeadStore } from '@sase/beads';
import type { PromptSection } from '@sase/launcher-core';
import {
  AGENT_FILES,
  type AgentRequest,
  type AttemptContext,
  type AttemptLifecycle,
  type AttemptOutcome,
  createRegistry,
  type PreparedAttempt,
} from '@sase/scheduler';
import type { ChangeSpec, ChangeStatus } from '@sase/sdd';
import { loadWorkspaceCatalog } from './catalog.js';
import type { Workspace } from './config.js';
import { type HookRunResult, runHooks, tailOfFile } from './hooks.js';
import { git } from './internal/git.js';
import { changedFiles, isMentorRequest, mentorOutcome, mentorsFor, writeReviewRound } from './mentors.js';
import { readPlanSubmission } from './plans.js';
import { retryContextOf } from './retry-context.js';
import { openSddStore } from './sdd.js';
import {
  branchOf,
  commitLeftovers,
  ensureAgentWorktree,
  mergeBranches,
  ownCommits,
  worktreePathOf,
} from './worktrees.js';

/** How many lines of a failing check's log reach the retry's prompt. */
export const HOOK_LOG_TAIL_LINES = 60;

/** `.sase/agents/<name>/change/`: the files of an agent's change, kept across its attempts. */
export function changeDirOf(workspace: Workspace, agentName: string): string {
  return join(workspace.root, '.sase', 'agents', agentName, AGENT_FILES.change);
}

/** Where a remote attempt's check results are kept (written by the queue launcher, read by `finish`). */
export function remoteHookResultsFile(changeDir: string, attempt: number): string {
  return join(changeDir, 'hooks', `${attempt}-remote.json`);
}

function readRemoteHookResults(changeDir: string, attempt: number): HookRunResult[] | undefined {
  try {
    const value = JSON.parse(readFileSync(remoteHookResultsFile(changeDir, attempt), 'utf8')) as unknown;
    return Array.isArray(value) ? (value as HookRunResult[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Notes for the next attempt of an agent (a failing check's log tail), read by `prepare`. */
interface NextAttemptNotes {
  forAttempt: number;
  sections: PromptSection[];
}

const NOTES_FILE = 'next-attempt.json';

function writeNextAttemptNotes(changeDir: string, notes: NextAttemptNotes): void {
  mkdirSync(changeDir, { recursive: true });
  const path = join(changeDir, NOTES_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ for_attempt: notes.forAttempt, sections: notes.sections })}\n`);
  copyFileSync(temp, path);
  rmSync(temp, { force: true });
}

function readNextAttemptNotes(changeDir: string, attempt: number): PromptSection[] {
  try {
    const value = JSON.parse(readFileSync(join(changeDir, NOTES_FILE), 'utf8')) as {
      for_attempt?: unknown;
      sections?: unknown;
    };
    if (value.for_attempt !== attempt || !Array.isArray(value.sections)) return [];
    return (value.sections as PromptSection[]).filter(
      (section) => typeof section?.title === 'string' && typeof section.text === 'string',
    );
  } catch {
    return [];
  }
}

/** A `%plan` agent's attempt that plans (not the one that implements its approved plan). */
export function isPlanningAttempt(request: AgentRequest): boolean {
  return request.plan && request.implementsPlan === null;
}

async function expandPlanInstructions(workspace: Workspace, agentName: string): Promise<string> {
  const { expandPromptOrThrow } = await import('@sase/xprompt');
  const catalog = await loadWorkspaceCatalog({ cwd: workspace.root });
  return (
    expandPromptOrThrow(`#plan/instructions(${agentName})`, {
      catalog,
      file: '#plan/instructions',
    }).segments[0]?.text.trim() ?? ''
  );
}

/** What a change is about: its bead (and the plan behind it), or the prompt's first line. */
interface ChangeSubject {
  bead: Bead | undefined;
  description: string;
  /** The plan as the bead names it (workspace-relative), for trailers and drawers. */
  planPath: string | null;
}

function subjectOf(workspace: Workspace, request: AgentRequest): ChangeSubject {
  const firstLine =
    request.prompt
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? request.name;
  let bead: Bead | undefined;
  let planPath: string | null =
    request.implementsPlan === null
      ? null
      : toPosix(relative(workspace.root, join(workspace.sddRoot, request.implementsPlan)));
  if (request.beadId !== null && existsSync(workspace.beadsDir)) {
    const store = openBeadStore({ dir: workspace.beadsDir });
    try {
      bead = store.find(request.beadId);
      const planBead =
        bead?.design !== undefined ? bead : bead?.parentId ? store.find(bead.parentId) : undefined;
      planPath = planBead?.design ?? planPath;
    } finally {
      store.dispose();
    }
  }
  return { bead, description: bead?.title ?? firstLine.slice(0, 200), planPath };
}

/** `<bead-id>: <title>` (or `<agent>: <first line of the prompt>`) and the Sase-* trailers. */
export function uniformCommitMessage(options: {
  agentName: string;
  attempt: number;
  beadId: string | null;
  description: string;
  planPath: string | null;
  chatPath: string;
}): string {
  const subject = `${options.beadId ?? options.agentName}: ${options.description}`.split('\n')[0]!;
  const trailers = [
    `Sase-Agent: ${options.agentName}#${options.attempt}`,
    ...(options.beadId === null ? [] : [`Sase-Bead: ${options.beadId}`]),
    ...(options.planPath === null ? [] : [`Sase-Plan: ${options.planPath}`]),
    `Sase-Chat: ${options.chatPath}`,
  ];
  return `${subject}\n\n${trailers.join('\n')}\n`;
}

/**
 * The uniform commit message of attempt `attempt` of agent `agentName`, as its request reads now (what a
 * remote worker commits the agent's leftovers with; see remote.ts).
 */
export function uniformCommitMessageFor(workspace: Workspace, agentName: string, attempt: number): string {
  const request = createRegistry(workspace.root).get(agentName).request;
  if (request === undefined) return `${agentName}: work of attempt ${attempt}\n`;
  const subject = subjectOf(workspace, request);
  return uniformCommitMessage({
    agentName,
    attempt,
    beadId: request.beadId,
    description: subject.description,
    planPath: subject.planPath,
    chatPath: toPosix(
      relative(workspace.root, join(changeDirOf(workspace, agentName), `chat-${attempt}.jsonl`)),
    ),
  });
}

function toPosix(path: string): string {
  return path.split('\\').join('/');
}

/**
 * The git workflow around each attempt of an agent that has a `worktree` request (every phase agent of
 * `sase bead work`, `sase run --worktree`):
 *
 * - `prepare`: creates (or reuses) its worktree at `.sase/workspaces/<agent>/` on `sase/<agent>`, merges its
 *   blockers' branches in order (a conflict fails the attempt before launch, naming files and branches), and
 *   hands a failing check's log tail from the previous attempt to the agent (launcher `context`). For every
 *   agent, a retry of a failed or killed attempt is told what went wrong (`agents.retry_context`: resume
 *   the CLI's session, or a `## Previous attempt` summary; see retryContextOf).
 * - `finish`: commits what a `completed` agent left uncommitted (`<bead>: <title>` with Sase-* trailers),
 *   turns a completed agent without any commit into `noop`, runs `changes.hooks` in the worktree, and
 *   records it all in the agent's ChangeSpec: `ready` when every check passed; a failing check fails the
 *   attempt (`hook <name> failed (exit N); log: <path>`), so nothing that waits on it starts.
 */
export function createWorkspaceLifecycle(workspace: Workspace): AttemptLifecycle {
  return {
    async prepare(context: AttemptContext): Promise<PreparedAttempt | undefined> {
      const { request } = context;
      const notes = readNextAttemptNotes(changeDirOf(workspace, request.name), request.attempt);
      if (isPlanningAttempt(request)) {
        // `%plan`: plan first. Beside the prompt (never in it: a shell agent's prompt is its script).
        notes.unshift({
          title: 'Plan first',
          text: await expandPlanInstructions(workspace, request.name),
        });
      }
      const retry = retryContextOf(context, workspace.config.agents.retryContext, notes);
      if (request.worktree === null) {
        return retry.context === undefined && retry.resume === undefined ? undefined : retry;
      }
      const worktree = await ensureAgentWorktree({
        root: workspace.root,
        agentName: request.name,
        base: request.worktree.base,
      });
      const merge = await mergeBranches(worktree.path, request.worktree.merge, request.name);
      if (worktree.isCreated || merge.merged.length > 0) {
        context.log(
          `${request.name} (attempt ${request.attempt}): worktree ${relative(workspace.root, worktree.path)}` +
            (merge.merged.length > 0 ? ` with ${merge.merged.join(', ')} merged in` : ''),
        );
      }
      const relativeCwd = request.cwd === '.' ? '' : request.cwd;
      const cwd = resolve(worktree.path, relativeCwd);
      return {
        cwd: existsSync(cwd) ? cwd : worktree.path,
        env: { SASE_WORKTREE: worktree.path, SASE_BRANCH: worktree.branch },
        ...retry,
      };
    },

    async finish(context, outcome): Promise<AttemptOutcome> {
      const { request } = context;
      if (isMentorRequest(request)) {
        // A mentor's work is its verdict in the reviewed change's ChangeSpec; its own edits are never kept.
        if (outcome.outcome !== 'completed') return outcome;
        return (await mentorOutcome(workspace, request)).hasVerdict
          ? outcome
          : { ...outcome, outcome: 'failed', error: 'no verdict' };
      }
      if (isPlanningAttempt(request)) {
        // A planning attempt changes nothing: it ends awaiting approval, or failed without a plan.
        if (outcome.outcome !== 'completed') return outcome;
        return readPlanSubmission(workspace, request.name, request.attempt) === undefined
          ? { ...outcome, outcome: 'failed', error: 'no plan was submitted' }
          : { ...outcome, outcome: 'plan_submitted' };
      }
      if (request.worktree === null) return outcome;
      const path = worktreePathOf(workspace.root, request.name);
      if (!existsSync(join(path, '.git'))) return outcome; // prepare never got that far
      const recorded = await recordChange(workspace, context, outcome, path);
      // An approved tale, implemented and committed.
      return request.implementsPlan !== null && recorded.outcome === 'completed'
        ? { ...recorded, outcome: 'plan_committed' }
        : recorded;
    },
  };
}

async function recordChange(
  workspace: Workspace,
  context: AttemptContext,
  outcome: AttemptOutcome,
  path: string,
): Promise<AttemptOutcome> {
  const { request } = context;
  const worktree = request.worktree!;
  const changeDir = changeDirOf(workspace, request.name);
  mkdirSync(changeDir, { recursive: true });
  const relativeToRoot = (absolute: string) => toPosix(relative(workspace.root, absolute));
  const subject = subjectOf(workspace, request);

  // The chat behind this attempt's commits, copied where a retry does not move it.
  const chat = join(changeDir, `chat-${request.attempt}.jsonl`);
  const transcript = join(context.agentDir, AGENT_FILES.transcript);
  if (existsSync(transcript)) copyFileSync(transcript, chat);
  else writeFileSync(chat, '');

  if (outcome.outcome === 'completed') {
    await commitLeftovers(
      path,
      uniformCommitMessage({
        agentName: request.name,
        attempt: request.attempt,
        beadId: request.beadId,
        description: subject.description,
        planPath: subject.planPath,
        chatPath: relativeToRoot(chat),
      }),
    );
  }
  const commits = await ownCommits(path, worktree.base, worktree.merge);
  const isNoop = outcome.outcome === 'completed' && commits.length === 0;

  const sdd = await openSddStore(workspace);
  const { moveChangeStatus } = await import('@sase/sdd');
  const now = () => new Date().toISOString();
  const planInSdd =
    subject.planPath === null
      ? null
      : (sdd.relativePath(resolve(workspace.root, subject.planPath)) ?? subject.planPath);
  const parents = worktree.merge
    .filter((branch) => branch.startsWith('sase/'))
    .map((branch) => branch.slice('sase/'.length));
  const initial = (): ChangeSpec => ({
    name: request.name,
    description: subject.description,
    bead: request.beadId,
    plan: planInSdd,
    parent: parents,
    branch: branchOf(request.name),
    base: worktree.base,
    status: 'wip',
    pr: null,
    bug: null,
    commits: [],
    hooks: [],
    comments: [],
    timestamps: [{ time: now(), status: 'wip' }],
  });

  // Drawers for the commits the change does not list yet: the saved diff, the chat, the plan.
  const addCommits = async (spec: ChangeSpec): Promise<ChangeSpec> => {
    const known = new Set(spec.commits.map((commit) => commit.sha));
    const added = [];
    for (const commit of commits) {
      if (known.has(commit.sha)) continue;
      const diff = join(changeDir, `${commit.sha.slice(0, 12)}.diff`);
      if (!existsSync(diff)) {
        const shown = await git(path, ['show', '--format=fuller', '--stat', '--patch', commit.sha]);
        writeFileSync(diff, shown.stdout);
      }
      added.push({
        sha: commit.sha,
        subject: commit.subject,
        chat: relativeToRoot(chat),
        diff: relativeToRoot(diff),
        plan: subject.planPath,
      });
    }
    return added.length === 0 ? spec : { ...spec, commits: [...spec.commits, ...added] };
  };

  // Commits (of any outcome) are recorded first; a noop is archived: there is nothing to review or land.
  let spec = await sdd.updateChangeSpec(request.name, (current) => addCommits(current), { create: initial });
  if (outcome.outcome !== 'completed') return outcome;
  if (isNoop) {
    await sdd.updateChangeSpec(request.name, (current) => {
      if (current.status === 'archived') return current;
      const archived = moveChangeStatus(current, 'archived', now());
      return {
        ...archived,
        comments: [
          ...archived.comments,
          {
            time: now(),
            author: 'sase',
            text: `no change: attempt ${request.attempt} completed without changing anything`,
          },
        ],
      };
    });
    return { ...outcome, outcome: 'noop' };
  }

  const head = commits.at(-1)?.sha ?? null;
  const hooks = workspace.config.changes.hooks;
  // An agent run by a `sase worker` had its checks run there, on the same commits (remote.ts).
  const remote = readRemoteHookResults(changeDir, request.attempt);
  const results: HookRunResult[] =
    remote !== undefined
      ? remote
      : hooks.length === 0
        ? []
        : await runHooks({
            hooks,
            cwd: path,
            env: {
              SASE_WORKSPACE: workspace.root,
              SASE_AGENT_NAME: request.name,
              ...(request.beadId === null ? {} : { SASE_BEAD_ID: request.beadId }),
            },
            logFileOf: (hook) => join(changeDir, 'hooks', `${request.attempt}-${hook.name}.log`),
            signal: context.signal,
          });
  const failed = results.find((result) => result.status === 'FAILED');
  const isPassed = failed === undefined && results.length === hooks.length;
  // Checks passed: the change's mentors review it before it is ready (the attempt is `in_review`).
  const mentors =
    isPassed && head !== null && workspace.config.changes.mentors.length > 0
      ? mentorsFor(workspace.config.changes.mentors, await changedFiles(path, worktree.base, worktree.merge))
      : [];
  spec = await sdd.updateChangeSpec(request.name, (current) => {
    let next: ChangeSpec = {
      ...current,
      hooks: current.hooks.map((hook) => ({ ...hook, runs: [...hook.runs] })),
    };
    for (const result of results) {
      let hook = next.hooks.find((entry) => entry.name === result.name);
      if (hook === undefined) {
        hook = { name: result.name, runs: [] };
        next.hooks.push(hook);
      }
      hook.runs.push({
        number: hook.runs.length + 1,
        time: result.startedAt,
        status: result.status,
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        log: relativeToRoot(result.log),
        commit: head,
        attempt: request.attempt,
      });
    }
    const target: ChangeStatus | undefined =
      isPassed && mentors.length === 0
        ? current.status === 'wip' || current.status === 'draft'
          ? 'ready'
          : undefined
        : current.status === 'ready'
          ? 'draft'
          : undefined;
    if (target !== undefined) next = moveChangeStatus(next, target, now());
    return next;
  });
  if (isPassed && mentors.length > 0) {
    writeReviewRound(workspace, request.name, {
      attempt: request.attempt,
      commit: head!,
      outcome: request.implementsPlan === null ? 'completed' : 'plan_committed',
      mentors: mentors.map((mentor) => mentor.name),
      startedAt: new Date().toISOString(),
    });
    return { ...outcome, outcome: 'in_review' };
  }
  if (isPassed) return outcome;
  if (failed === undefined) {
    return { ...outcome, outcome: 'killed', error: 'killed while its checks ran' };
  }
  const log = relativeToRoot(failed.log);
  const exit = failed.exitCode === null ? (failed.reason ?? 'no exit code') : `exit ${failed.exitCode}`;
  const hook = hooks.find((entry) => entry.name === failed.name)!;
  writeNextAttemptNotes(changeDir, {
    forAttempt: request.attempt + 1,
    sections: [
      {
        title: `Check "${failed.name}" failed on the previous attempt`,
        text:
          `SASE ran the check \`${hook.command.join(' ')}\` on your change (attempt ${request.attempt}, commit ` +
          `${head?.slice(0, 12) ?? '?'}) and it failed (${exit}). Your earlier work is still on this branch. ` +
          `The last ${HOOK_LOG_TAIL_LINES} lines of its log (${log}):\n\n` +
          `\`\`\`text\n${tailOfFile(failed.log, HOOK_LOG_TAIL_LINES)}\n\`\`\`\n\nFix what it reports.`,
      },
    ],
  });
  void spec;
  return { ...outcome, outcome: 'failed', error: `hook ${failed.name} failed (${exit}); log: ${log}` };
}
