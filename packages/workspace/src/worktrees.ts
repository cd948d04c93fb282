import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import lockfile from 'proper-lockfile';
import {
  branchExists,
  commitIdentity,
  conflictingFiles,
  currentBranch,
  type GitResult,
  git,
  isAncestor,
  isDirty,
  revParse,
} from './internal/git.js';
import { WorkspaceError } from './workspace-error.js';

/** `.sase/workspaces`: one git worktree per agent that works on a branch of its own. */
export const WORKSPACES_DIR = join('.sase', 'workspaces');

/** `<root>/.sase/workspaces/<agent>`: the worktree of an agent. */
export function worktreePathOf(root: string, agentName: string): string {
  return join(resolve(root), WORKSPACES_DIR, agentName);
}

/** `sase/<agent>`: the branch of an agent's worktree. */
export function branchOf(agentName: string): string {
  return `sase/${agentName}`;
}

/**
 * Holds a lock on the workspace's worktree list while `fn` runs: `git worktree add`, `remove` and `prune`
 * of several agent hosts at the same moment are serialised.
 */
export async function withWorktreeLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const directory = join(resolve(root), WORKSPACES_DIR);
  mkdirSync(directory, { recursive: true });
  const release = await lockfile.lock(directory, {
    lockfilePath: `${directory}.lock`,
    retries: { retries: 2000, minTimeout: 5, maxTimeout: 40, factor: 1.2 },
    stale: 30_000,
    realpath: false,
  });
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}

export interface EnsureWorktreeOptions {
  root: string;
  agentName: string;
  /** The commit a new branch starts from. */
  base: string;
}

export interface EnsuredWorktree {
  path: string;
  branch: string;
  /** True when this call created the worktree (false: an earlier attempt's worktree is reused as it is). */
  isCreated: boolean;
}

/**
 * Gives an agent its worktree at `.sase/workspaces/<agent>/` on the branch `sase/<agent>`, created with
 * `git worktree add` from `base`. An existing worktree (an earlier attempt's) is reused as it is, so work
 * survives a retry; an existing branch without a worktree (its worktree was removed) gets a new worktree.
 *
 * Agent hosts add worktrees at the same moment. Each has its own name, branch and index, and git locks the
 * refs it writes; but `git worktree add` reads the other worktrees' administrative files, and one being
 * added at that moment may be half written ("failed to read .git/worktrees/<x>/commondir"). That read
 * fails before anything is written, so such an add is simply tried again after a short random pause: a
 * lock around every add would serialise the agents of a wave (about 300 ms each on a loaded machine).
 */
export async function ensureAgentWorktree(options: EnsureWorktreeOptions): Promise<EnsuredWorktree> {
  const path = worktreePathOf(options.root, options.agentName);
  const branch = branchOf(options.agentName);
  if (existsSync(join(path, '.git'))) return { path, branch, isCreated: false };
  mkdirSync(join(resolve(options.root), WORKSPACES_DIR), { recursive: true });
  const add = () =>
    addRetryingRaces(options.root, ['worktree', 'add', '--quiet', '-b', branch, path, options.base]);
  let result = await add();
  if (
    result.code !== 0 &&
    /already exists/.test(result.stderr) &&
    (await branchExists(options.root, branch))
  ) {
    // The branch outlived its worktree (removed by hand, or by `sase workspace rm --keep-branch`).
    result = await addRetryingRaces(options.root, ['worktree', 'add', '--quiet', path, branch]);
  }
  if (result.code !== 0 && /already registered|missing but/.test(result.stderr)) {
    // A worktree directory deleted by hand is still registered: forget it, then add again.
    await withWorktreeLock(options.root, () => git(options.root, ['worktree', 'prune']));
    result = (await branchExists(options.root, branch))
      ? await addRetryingRaces(options.root, ['worktree', 'add', '--quiet', path, branch])
      : await add();
  }
  if (result.code !== 0) {
    if (existsSync(join(path, '.git'))) return { path, branch, isCreated: false }; // another process was first
    throw new WorkspaceError(
      'GIT_FAILED',
      `cannot create the worktree of ${options.agentName} (${relative(options.root, path)}/ on ${branch} from ` +
        `${options.base.slice(0, 12)}): ${(result.stderr || result.stdout).trim().split('\n')[0]}`,
      { agentName: options.agentName, branch },
    );
  }
  return { path, branch, isCreated: true };
}

/** Runs a `git worktree add`, again after a short random pause while it trips over another add under way. */
async function addRetryingRaces(root: string, args: string[]): Promise<GitResult> {
  for (let round = 0; ; round++) {
    const result = await git(root, args, { isFailureExpected: true });
    if (result.code === 0 || round >= 20 || !/\.git\/worktrees\//.test(result.stderr)) return result;
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
  }
}

export interface MergeBranchesResult {
  /** Branches merged now. */
  merged: string[];
  /** Branches that were already part of the worktree's history. */
  present: string[];
  /** Branches that do not exist (a blocker closed without a branch of its own). */
  missing: string[];
}

/**
 * Merges `branches` into the worktree at `path`, in order, each with a merge commit, skipping those already
 * in its history. On a conflict the merge is aborted (the worktree is left as it was before that merge) and
 * MERGE_CONFLICT names the conflicting files and the branches.
 */
export async function mergeBranches(
  path: string,
  branches: readonly string[],
  agentName: string,
): Promise<MergeBranchesResult> {
  const result: MergeBranchesResult = { merged: [], present: [], missing: [] };
  const identity = await commitIdentity(path);
  for (const branch of branches) {
    if (!(await branchExists(path, branch))) {
      result.missing.push(branch);
      continue;
    }
    if (await isAncestor(path, branch, 'HEAD')) {
      result.present.push(branch);
      continue;
    }
    const merge = await git(
      path,
      ['merge', '--no-ff', '--no-edit', '-m', `Merge ${branch} into ${branchOf(agentName)}`, branch],
      { isFailureExpected: true, env: identity },
    );
    if (merge.code === 0) {
      result.merged.push(branch);
      continue;
    }
    const files = await conflictingFiles(path);
    await git(path, ['merge', '--abort'], { isFailureExpected: true });
    const others = [...result.merged, ...result.present];
    throw new WorkspaceError(
      'MERGE_CONFLICT',
      files.length > 0
        ? `merging the blockers' branches conflicts: ${branch} conflicts with ${
            others.length > 0 ? others.join(', ') : `the base of ${branchOf(agentName)}`
          } in ${files.join(', ')}; resolve it (for example by retrying a blocker on top of the other) and retry ${agentName}`
        : `merging ${branch} into ${branchOf(agentName)} failed: ${(merge.stderr || merge.stdout).trim().split('\n')[0]}`,
      { agentName, branch, files },
    );
  }
  return result;
}

export interface CommittedWork {
  /** The commit SASE made of what the agent left uncommitted, if there was anything. */
  commit?: string;
}

/** Commits everything the agent left in its worktree (tracked and untracked, not ignored) with `message`. */
export async function commitLeftovers(path: string, message: string): Promise<CommittedWork> {
  await git(path, ['add', '--all']);
  const result = await git(path, ['commit', '--quiet', '--no-verify', '-F', '-'], {
    input: message,
    env: await commitIdentity(path),
    isFailureExpected: true,
  });
  if (result.code === 0) return { commit: (await revParse(path, 'HEAD')) as string };
  if ((await git(path, ['diff', '--cached', '--quiet'], { isFailureExpected: true })).code === 0) return {};
  throw new WorkspaceError(
    'GIT_FAILED',
    `cannot commit the work left in ${path}: ${(result.stderr || result.stdout).trim().split('\n')[0]}`,
  );
}

export interface BranchCommit {
  sha: string;
  subject: string;
}

/**
 * The commits of the agent's branch that are its own work: reachable from HEAD but not from the base or the
 * merged branches, merge commits left out, oldest first.
 */
export async function ownCommits(
  path: string,
  base: string,
  merged: readonly string[],
): Promise<BranchCommit[]> {
  const existing = new Set(
    merged.length === 0
      ? []
      : (
          await git(path, [
            'for-each-ref',
            '--format=%(refname:short)',
            ...merged.map((branch) => `refs/heads/${branch}`),
          ])
        ).stdout
          .split('\n')
          .filter(Boolean),
  );
  const exclusions = [base, ...merged.filter((branch) => existing.has(branch))];
  const result = await git(path, [
    'log',
    '--no-merges',
    '--reverse',
    '--format=%H%x00%s',
    'HEAD',
    '--not',
    ...exclusions,
  ]);
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sha = '', subject = ''] = line.split('\0');
      return { sha, subject };
    });
}

/** One agent worktree of the workspace, as `sase workspace list` shows it. */
export interface AgentWorkspaceInfo {
  agentName: string;
  /** Absolute path. */
  path: string;
  branch: string | null;
  head: string | null;
  /** True when the branch's commits are all in the checked-out branch of the workspace. */
  isMerged: boolean;
  /** True when the worktree has uncommitted changes. */
  isDirty: boolean;
  /** False when git no longer knows the directory as a worktree (prunable). */
  isRegistered: boolean;
}

/** Every agent worktree under `.sase/workspaces/`, by agent name. */
export async function listAgentWorkspaces(root: string): Promise<AgentWorkspaceInfo[]> {
  const base = join(resolve(root), WORKSPACES_DIR);
  const listing = await git(root, ['worktree', 'list', '--porcelain', '-z'], { isFailureExpected: true });
  const registered = new Map<string, { head: string | null; branch: string | null }>();
  let current: { path?: string; head: string | null; branch: string | null } = { head: null, branch: null };
  for (const field of `${listing.stdout}\0`.split('\0')) {
    if (field === '') {
      if (current.path !== undefined) registered.set(resolve(current.path), current);
      current = { head: null, branch: null };
    } else if (field.startsWith('worktree ')) current.path = field.slice(9);
    else if (field.startsWith('HEAD ')) current.head = field.slice(5);
    else if (field.startsWith('branch ')) current.branch = field.slice(7).replace(/^refs\/heads\//, '');
  }
  const names = new Set<string>();
  for (const path of registered.keys()) {
    if (path.startsWith(base + sep)) names.add(relative(base, path).split(sep)[0]!);
  }
  if (existsSync(base)) {
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (entry.isDirectory()) names.add(entry.name);
    }
  }
  const target = await currentBranch(root);
  const infos: AgentWorkspaceInfo[] = [];
  for (const agentName of [...names].sort()) {
    const path = join(base, agentName);
    const entry = registered.get(path);
    const branch = entry?.branch ?? null;
    const head = entry?.head ?? null;
    infos.push({
      agentName,
      path,
      branch,
      head,
      isMerged: head !== null && (await isAncestor(root, head, target ?? 'HEAD')),
      isDirty: entry !== undefined && existsSync(path) ? await isDirty(path) : false,
      isRegistered: entry !== undefined,
    });
  }
  return infos;
}

export interface RemoveAgentWorkspaceOptions {
  root: string;
  agentName: string;
  /** Remove a worktree with uncommitted changes and delete a branch whose commits are not merged. */
  isForced?: boolean;
  /** Delete the branch too (when merged, or with isForced). Default true. */
  isBranchDeleted?: boolean;
}

export interface RemovedAgentWorkspace {
  agentName: string;
  path: string;
  branch: string;
  isBranchDeleted: boolean;
}

/**
 * Removes an agent's worktree and, unless asked to keep it, its branch. Refuses (WORKSPACE_UNMERGED) to drop
 * commits that are not merged into the checked-out branch, or uncommitted changes, unless `isForced`.
 */
export async function removeAgentWorkspace(
  options: RemoveAgentWorkspaceOptions,
): Promise<RemovedAgentWorkspace> {
  const { root, agentName } = options;
  const path = worktreePathOf(root, agentName);
  const branch = branchOf(agentName);
  const hasBranch = await branchExists(root, branch);
  if (!existsSync(path) && !hasBranch) {
    throw new WorkspaceError(
      'WORKSPACE_NOT_FOUND',
      `agent ${agentName} has no workspace (no ${relative(root, path)}/ and no branch ${branch}); see \`sase workspace list\``,
      { agentName },
    );
  }
  if (!options.isForced) {
    if (existsSync(join(path, '.git')) && (await isDirty(path))) {
      throw new WorkspaceError(
        'WORKSPACE_UNMERGED',
        `the workspace of ${agentName} (${relative(root, path)}/) has uncommitted changes; commit them, or pass --force to drop them`,
        { agentName, branch },
      );
    }
    const target = (await currentBranch(root)) ?? 'HEAD';
    if (hasBranch && (options.isBranchDeleted ?? true) && !(await isAncestor(root, branch, target))) {
      throw new WorkspaceError(
        'WORKSPACE_UNMERGED',
        `branch ${branch} has commits that are not merged into ${target}; land it (sase change land) or pass --force to delete it anyway`,
        { agentName, branch },
      );
    }
  }
  await withWorktreeLock(root, async () => {
    if (existsSync(join(path, '.git'))) {
      await git(root, ['worktree', 'remove', ...(options.isForced ? ['--force', '--force'] : []), path]);
    }
    // A directory git does not know as a worktree (an interrupted `worktree add`) holds nothing of git's.
    rmSync(path, { recursive: true, force: true });
    await git(root, ['worktree', 'prune']);
  });
  let isBranchDeleted = false;
  if (hasBranch && (options.isBranchDeleted ?? true)) {
    await git(root, ['branch', options.isForced ? '-D' : '-d', '--quiet', branch], {
      isFailureExpected: !options.isForced,
    });
    isBranchDeleted = !(await branchExists(root, branch));
  }
  return { agentName, path, branch, isBranchDeleted };
}
