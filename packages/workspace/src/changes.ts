import { resolve } from 'node:path';
import { openBeadStore } from '@sase/beads';
import { computeWaves } from '@sase/scheduler';
import type { ChangeSpec, ChangeStatus } from '@sase/sdd';
import { readWorkRun } from './bead-work.js';
import type { Workspace } from './config.js';
import {
  branchExists,
  commitIdentity,
  conflictingFiles,
  currentBranch,
  git,
  isAncestor,
  revParse,
} from './internal/git.js';
import { markPlanDone } from './plans.js';
import { commitSdd, openSddStore } from './sdd.js';
import { WorkspaceError } from './workspace-error.js';
import { branchOf, removeAgentWorkspace } from './worktrees.js';

/** A ChangeSpec and where it is (SDD-root-relative path). */
export interface ChangeEntry {
  path: string;
  change: ChangeSpec;
}

/** Every ChangeSpec of the workspace (optionally of one status), by path. */
export async function listChanges(
  workspace: Workspace,
  options: { status?: ChangeStatus } = {},
): Promise<ChangeEntry[]> {
  const sdd = await openSddStore(workspace);
  return sdd
    .listChangeSpecs()
    .filter((entry) => options.status === undefined || entry.changeSpec.status === options.status)
    .map((entry) => ({ path: entry.path, change: entry.changeSpec }));
}

/** One ChangeSpec (CHANGE_NOT_FOUND says how to list them). */
export async function readChange(workspace: Workspace, name: string): Promise<ChangeEntry> {
  const sdd = await openSddStore(workspace);
  const { findChangeSpec } = await import('@sase/sdd');
  const change = sdd.readChangeSpec(name);
  return { path: findChangeSpec(sdd, name)?.path ?? '', change };
}

/**
 * The JSON of `sase change show|list --json`: the frontmatter keys (snake_case, as on disk), then `commits`,
 * `hooks`, `mentors`, `comments`, `timestamps` and `path`.
 */
export function formatChangeJson(entry: ChangeEntry): Record<string, unknown> {
  const { change } = entry;
  return {
    name: change.name,
    description: change.description,
    bead: change.bead,
    plan: change.plan,
    parent: change.parent,
    branch: change.branch,
    base: change.base,
    status: change.status,
    pr: change.pr,
    bug: change.bug,
    commits: change.commits.map((commit) => ({
      sha: commit.sha,
      subject: commit.subject,
      chat: commit.chat,
      diff: commit.diff,
      plan: commit.plan,
    })),
    hooks: change.hooks.map((hook) => ({
      name: hook.name,
      runs: hook.runs.map((run) => ({
        number: run.number,
        time: run.time,
        status: run.status,
        exit_code: run.exitCode,
        duration_ms: run.durationMs,
        log: run.log,
        commit: run.commit,
        attempt: run.attempt,
      })),
    })),
    mentors: (change.mentors ?? []).map((review) => ({
      time: review.time,
      mentor: review.mentor,
      verdict: review.verdict,
      attempt: review.attempt,
      commit: review.commit,
      text: review.text,
    })),
    comments: change.comments,
    timestamps: change.timestamps,
    path: entry.path,
  };
}

/** Moves a ChangeSpec along its lifecycle (CHANGE_STATUS_INVALID lists the valid moves). */
export async function setChangeStatus(
  workspace: Workspace,
  name: string,
  status: ChangeStatus,
): Promise<ChangeSpec> {
  const sdd = await openSddStore(workspace);
  const { moveChangeStatus } = await import('@sase/sdd');
  const change = await sdd.updateChangeSpec(name, (current) =>
    moveChangeStatus(current, status, new Date().toISOString()),
  );
  // A tale is done when the change that implements it is submitted.
  if (status === 'submitted' && change.plan !== null && change.plan.startsWith('tales/')) {
    await markPlanDone(workspace, change.plan);
  }
  await commitSdd(workspace, `changes: ${name} ${status}`);
  return change;
}

/** Adds a comment to a ChangeSpec. */
export async function commentOnChange(
  workspace: Workspace,
  name: string,
  text: string,
  author: string,
): Promise<ChangeSpec> {
  if (text.trim() === '') {
    throw new WorkspaceError('PROMPT_USAGE', 'the comment is empty; write what you want to say', {
      exitCode: 2,
    });
  }
  const sdd = await openSddStore(workspace);
  // A ChangeSpec line is `- <time> <author>: <text>`: an author may not hold ": " or a line break.
  const who = author.replace(/\s+/g, ' ').replace(/: /g, ' ').trim() || 'someone';
  const change = await sdd.updateChangeSpec(name, (current) => ({
    ...current,
    comments: [...current.comments, { time: new Date().toISOString(), author: who, text: text.trim() }],
  }));
  await commitSdd(workspace, `changes: ${name} comment by ${author}`);
  return change;
}

/** The author of a comment: git's user.name of the workspace, else $USER. */
export async function commentAuthor(workspace: Workspace): Promise<string> {
  const name = await git(workspace.root, ['config', 'user.name'], { isFailureExpected: true });
  return name.stdout.trim() || process.env.USER || 'someone';
}

/**
 * The change's own work as patches: every commit of its branch that is not in its base or its parents'
 * branches (merges left out), oldest first, with `git log -p`.
 */
export async function changeDiff(workspace: Workspace, name: string): Promise<string> {
  const { change } = await readChange(workspace, name);
  if (!(await branchExists(workspace.root, change.branch))) {
    throw new WorkspaceError(
      'WORKSPACE_NOT_FOUND',
      `the branch ${change.branch} of change ${name} does not exist any more (deleted after landing?); its ` +
        'saved diffs are the DIFF drawers of its commits (sase change show)',
      { branch: change.branch },
    );
  }
  const exclusions = [change.base];
  for (const parent of change.parent) {
    if (await branchExists(workspace.root, branchOf(parent))) exclusions.push(branchOf(parent));
  }
  const log = await git(workspace.root, [
    'log',
    '--no-merges',
    '--reverse',
    '--patch',
    '--stat',
    '--format=fuller',
    change.branch,
    '--not',
    ...exclusions,
  ]);
  return log.stdout;
}

export interface LandedPhase {
  bead: string;
  branch: string;
  /** The merge commit (`Land <bead>: <title>`), or null when the branch was merged already. */
  commit: string | null;
}

export interface LandEpicResult {
  epic: string;
  /** The branch the phases were merged into. */
  branch: string;
  landed: LandedPhase[];
  /** Phases not merged, with why (`no change`, `closed without a change`, `submitted before`). */
  skipped: { bead: string; reason: string }[];
  /** Worktrees removed after landing. */
  removed: string[];
  /** Branches deleted (changes.delete_merged_branches). */
  deletedBranches: string[];
  isEpicClosed: boolean;
  /** The epic's legend, when this land closed its last open epic and so the legend. */
  closedLegend?: string;
}

/**
 * `sase change land <epic>`: merges the epic's phase branches into the branch that was checked out when
 * `sase bead work` ran, in Kahn order, each with a merge commit `Land <bead>: <title>`. It refuses
 * (CHANGE_NOT_READY) before merging anything when a phase's ChangeSpec is not `ready`; it stops at the
 * first conflict with the merge aborted (LAND_CONFLICT naming branch and files), so the checkout is clean.
 * Each merged change moves ready → mailed → submitted. When every phase is in, the epic is closed and the
 * merged worktrees are removed (branches too with `changes.delete_merged_branches: true`). Landing again
 * after a conflict was resolved skips what is in already.
 */
export async function landEpic(workspace: Workspace, epicId: string): Promise<LandEpicResult> {
  const beads = openBeadStore({ dir: workspace.beadsDir });
  let epic: ReturnType<typeof beads.get>;
  let phases: ReturnType<typeof beads.list>;
  try {
    epic = beads.get(epicId);
    phases = beads.list({ parentId: epic.id }).filter((bead) => bead.issueType === 'phase');
  } finally {
    beads.dispose();
  }
  if (epic.issueType !== 'plan' || epic.tier !== 'epic') {
    throw new WorkspaceError(
      'CHANGE_NOT_READY',
      `${epic.id} is not an epic; \`sase change land\` takes an epic`,
      {
        beadId: epic.id,
      },
    );
  }
  const run = readWorkRun(workspace, epic.id);
  if (run === undefined) {
    throw new WorkspaceError(
      'NO_RUN',
      `no \`sase bead work ${epic.id}\` run is recorded (.sase/runs/${epic.id}.json), so there is no branch to land on; run the epic first`,
      { beadId: epic.id },
    );
  }
  const target = run.branch;
  const checkedOut = await currentBranch(workspace.root);
  if (target === null || checkedOut !== target) {
    throw new WorkspaceError(
      'LAND_WRONG_BRANCH',
      target === null
        ? `\`sase bead work ${epic.id}\` ran on a detached HEAD; check out the branch to land on and run \`sase bead work\` again`
        : `the epic lands on ${target}, where \`sase bead work\` ran, but ${checkedOut ?? 'a detached HEAD'} is checked out; \`git switch ${target}\` first`,
      { beadId: epic.id, branch: target ?? '' },
    );
  }
  const ids = new Set(phases.map((phase) => phase.id));
  const { waves } = computeWaves(
    phases.map((phase) => ({ id: phase.id, createdAt: phase.createdAt })),
    phases.flatMap((phase) =>
      phase.dependencies
        .filter((dependency) => dependency.type === 'blocks' && ids.has(dependency.id))
        .map((dependency) => ({ from: phase.id, to: dependency.id })),
    ),
  );
  const order = waves.flat();
  const byId = new Map(phases.map((phase) => [phase.id, phase]));

  const sdd = await openSddStore(workspace);
  const { findChangeSpec, moveChangeStatus } = await import('@sase/sdd');
  const skipped: LandEpicResult['skipped'] = [];
  const toLand: { bead: string; change: ChangeSpec }[] = [];
  const notReady: string[] = [];
  for (const id of order) {
    if (findChangeSpec(sdd, id) === undefined) {
      const status = byId.get(id)!.status;
      if (status === 'closed') skipped.push({ bead: id, reason: 'closed without a change' });
      else notReady.push(`${id} (no change yet: it has not run)`);
      continue;
    }
    const change = sdd.readChangeSpec(id);
    if (change.status === 'archived') skipped.push({ bead: id, reason: 'no change' });
    else if (change.status === 'submitted') skipped.push({ bead: id, reason: 'submitted before' });
    else if (change.status === 'ready' || change.status === 'mailed') toLand.push({ bead: id, change });
    else notReady.push(`${id} (${change.status}${describeChecks(change)})`);
  }
  if (notReady.length > 0) {
    throw new WorkspaceError(
      'CHANGE_NOT_READY',
      `cannot land ${epic.id}: ${notReady.length === 1 ? 'this change is' : 'these changes are'} not ready: ` +
        `${notReady.join(', ')}; see \`sase change show NAME\`, fix and retry the agent (sase agent retry NAME)`,
      { beadId: epic.id },
    );
  }
  await assertCleanCheckout(workspace);

  const landed: LandedPhase[] = [];
  const identity = await commitIdentity(workspace.root);
  const submit = async (name: string) => {
    await sdd.updateChangeSpec(name, (current) => {
      let next = current;
      const time = new Date().toISOString();
      if (next.status === 'ready') next = moveChangeStatus(next, 'mailed', time);
      if (next.status === 'mailed') next = moveChangeStatus(next, 'submitted', time);
      return next;
    });
  };
  try {
    for (const { bead, change } of toLand) {
      const branch = change.branch;
      if (!(await branchExists(workspace.root, branch))) {
        throw new WorkspaceError(
          'CHANGE_NOT_READY',
          `cannot land ${bead}: its branch ${branch} does not exist; retry the agent (sase agent retry ${bead})`,
          { beadId: bead, branch },
        );
      }
      if (await isAncestor(workspace.root, branch, 'HEAD')) {
        landed.push({ bead, branch, commit: null });
        await submit(change.name);
        continue;
      }
      const title = byId.get(bead)?.title ?? change.description;
      const merge = await git(
        workspace.root,
        ['merge', '--no-ff', '--no-edit', '-m', `Land ${bead}: ${title}`, branch],
        { isFailureExpected: true, env: identity },
      );
      if (merge.code !== 0) {
        const files = await conflictingFiles(workspace.root);
        await git(workspace.root, ['merge', '--abort'], { isFailureExpected: true });
        throw new WorkspaceError(
          'LAND_CONFLICT',
          `landing ${bead} conflicts: merging ${branch} into ${target} conflicts in ${
            files.length > 0 ? files.join(', ') : (merge.stderr || merge.stdout).trim().split('\n')[0]
          }; the merge was aborted and ${target} is as it was` +
            (landed.length > 0 ? ` (with ${landed.map((phase) => phase.bead).join(', ')} landed)` : '') +
            `; resolve it on ${branch} (in a worktree of its own) and run \`sase change land ${epic.id}\` again`,
          { beadId: bead, branch, files },
        );
      }
      landed.push({ bead, branch, commit: (await revParse(workspace.root, 'HEAD')) ?? null });
      await submit(change.name);
    }
  } finally {
    if (landed.length > 0) {
      await commitSdd(workspace, `changes: landed ${landed.map((phase) => phase.bead).join(', ')}`).catch(
        () => undefined,
      );
    }
  }

  // Every phase is in: close the epic (and its legend when this was the legend's last open epic), mark its
  // plan done, and tidy the worktrees.
  const store = openBeadStore({ dir: workspace.beadsDir });
  let isEpicClosed = false;
  let closedLegend: string | undefined;
  try {
    const current = store.get(epic.id);
    if (current.status !== 'closed') {
      store.close(epic.id, { reason: `landed ${landed.length} phase(s) on ${target}` });
      isEpicClosed = true;
    }
    closedLegend = closeLegendIfDone(store, current.parentId);
  } finally {
    store.dispose();
  }
  const planPath =
    epic.design === undefined ? undefined : sdd.relativePath(resolve(workspace.root, epic.design));
  if (planPath !== undefined) await markPlanDone(workspace, planPath);
  const removed: string[] = [];
  const deletedBranches: string[] = [];
  for (const phase of landed) {
    try {
      const result = await removeAgentWorkspace({
        root: workspace.root,
        agentName: phase.bead,
        isBranchDeleted: workspace.config.changes.deleteMergedBranches,
      });
      removed.push(phase.bead);
      if (result.isBranchDeleted) deletedBranches.push(result.branch);
    } catch {
      // a worktree with changes of its own is kept; `sase workspace list` shows it
    }
  }
  await commitSdd(workspace, `beads: ${epic.id} landed`).catch(() => undefined);
  return {
    epic: epic.id,
    branch: target,
    landed,
    skipped,
    removed,
    deletedBranches,
    isEpicClosed,
    ...(closedLegend === undefined ? {} : { closedLegend }),
  };
}

/**
 * Closes a legend once every epic it calls for (`epic_count`, at least the epics linked to it) exists and is
 * closed. Returns its id when it was closed now.
 */
function closeLegendIfDone(
  store: ReturnType<typeof openBeadStore>,
  legendId: string | undefined,
): string | undefined {
  if (legendId === undefined) return undefined;
  const legend = store.find(legendId);
  if (legend === undefined || legend.tier !== 'legend' || legend.status === 'closed') return undefined;
  const epics = store.list({ parentId: legend.id }).filter((bead) => bead.issueType === 'plan');
  if (epics.length === 0 || epics.length < (legend.epicCount ?? 0)) return undefined;
  if (epics.some((bead) => bead.status !== 'closed')) return undefined;
  store.close(legend.id, { reason: `all ${epics.length} epic(s) landed` });
  return legend.id;
}

function describeChecks(change: ChangeSpec): string {
  const failing = change.hooks.filter((hook) => hook.runs.at(-1)?.status === 'FAILED');
  return failing.length > 0 ? `: check ${failing.map((hook) => hook.name).join(', ')} failed` : '';
}

/** Landing merges into the checkout: refuse while tracked files have uncommitted changes (the SDD tree aside). */
async function assertCleanCheckout(workspace: Workspace): Promise<void> {
  const status = await git(workspace.root, [
    'status',
    '--porcelain',
    '-z',
    '--untracked-files=no',
    '--no-renames',
  ]);
  const sddPrefix = workspace.config.sdd.versionControlled ? 'sdd/' : undefined;
  const dirty = status.stdout
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.slice(3))
    .filter((path) => path !== '' && (sddPrefix === undefined || !path.startsWith(sddPrefix)));
  if (dirty.length > 0) {
    throw new WorkspaceError(
      'LAND_DIRTY_CHECKOUT',
      `cannot land: the checkout has uncommitted changes in ${dirty.slice(0, 5).join(', ')}${
        dirty.length > 5 ? ` and ${dirty.length - 5} more` : ''
      }; commit or stash them first`,
      { files: dirty },
    );
  }
}
