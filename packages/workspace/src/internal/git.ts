import { execFile } from 'node:child_process';
import { WorkspaceError } from '../workspace-error.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  /** Text for stdin. */
  input?: string;
  /** Return a non-zero exit instead of throwing GIT_FAILED. */
  isFailureExpected?: boolean;
  env?: Record<string, string>;
}

/** The identity SASE commits with when the repository has none configured (a fresh CI machine). */
const FALLBACK_IDENTITY = {
  GIT_AUTHOR_NAME: 'SASE',
  GIT_AUTHOR_EMAIL: 'sase@localhost',
  GIT_COMMITTER_NAME: 'SASE',
  GIT_COMMITTER_EMAIL: 'sase@localhost',
};

const identities = new Map<string, Promise<Record<string, string>>>();

/**
 * Runs the `git` binary in `cwd` (never through a shell). Automatic garbage collection is off for these
 * calls: several agents' processes run git in one repository at the same moment, and a `gc --auto` started
 * by one of them must not repack under the others.
 */
export function git(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      'git',
      ['-c', 'gc.auto=0', '-c', 'core.quotePath=false', ...args],
      {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...options.env },
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code =
          error === null
            ? 0
            : typeof (error as { code?: unknown }).code === 'number'
              ? (error.code as number)
              : -1;
        if (code === -1 && error !== null) {
          reject(
            new WorkspaceError('GIT_FAILED', `cannot run git in ${cwd}: ${error.message}`, { cause: error }),
          );
          return;
        }
        if (code !== 0 && !options.isFailureExpected) {
          reject(
            new WorkspaceError(
              'GIT_FAILED',
              `git ${args.join(' ')} failed in ${cwd} (exit ${code}): ${firstLines(stderr || stdout)}`,
            ),
          );
          return;
        }
        resolvePromise({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

function firstLines(text: string): string {
  return text.trim().split('\n').slice(0, 6).join(' | ') || 'no output';
}

/** The environment for commits in the repository at `cwd`: its own identity, else SASE's. */
export function commitIdentity(cwd: string): Promise<Record<string, string>> {
  let identity = identities.get(cwd);
  if (identity === undefined) {
    identity = (async () => {
      const email = await git(cwd, ['config', 'user.email'], { isFailureExpected: true });
      const name = await git(cwd, ['config', 'user.name'], { isFailureExpected: true });
      if (email.stdout.trim() !== '' && name.stdout.trim() !== '') return {};
      const fromEnvironment = process.env.GIT_AUTHOR_EMAIL && process.env.GIT_COMMITTER_EMAIL;
      return fromEnvironment ? {} : FALLBACK_IDENTITY;
    })();
    identities.set(cwd, identity);
  }
  return identity;
}

/** The full sha of a revision, or undefined when it does not resolve. */
export async function revParse(cwd: string, revision: string): Promise<string | undefined> {
  const result = await git(cwd, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], {
    isFailureExpected: true,
  });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** The checked-out branch (`main`), or undefined on a detached HEAD. */
export async function currentBranch(cwd: string): Promise<string | undefined> {
  const result = await git(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { isFailureExpected: true });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const result = await git(cwd, ['merge-base', '--is-ancestor', ancestor, descendant], {
    isFailureExpected: true,
  });
  return result.code === 0;
}

export async function branchExists(cwd: string, branch: string): Promise<boolean> {
  return (await revParse(cwd, `refs/heads/${branch}`)) !== undefined;
}

/** The paths with unmerged (conflicting) entries in the index of `cwd`. */
export async function conflictingFiles(cwd: string): Promise<string[]> {
  const result = await git(cwd, ['diff', '--name-only', '--diff-filter=U', '-z'], {
    isFailureExpected: true,
  });
  return result.stdout.split('\0').filter(Boolean);
}

/** True when the work tree or the index of `cwd` has changes to tracked or untracked (not ignored) files. */
export async function isDirty(cwd: string): Promise<boolean> {
  const result = await git(cwd, ['status', '--porcelain', '-z', '--untracked-files=all']);
  return result.stdout !== '';
}

/** Throws NOT_A_GIT_REPOSITORY unless `root` is the top of a git work tree. */
export async function assertGitRepository(root: string, what: string): Promise<void> {
  const result = await git(root, ['rev-parse', '--show-toplevel'], { isFailureExpected: true });
  if (result.code !== 0) {
    throw new WorkspaceError(
      'NOT_A_GIT_REPOSITORY',
      `${what} needs a git repository, and ${root} is not one; run \`git init\` and commit once first`,
    );
  }
  if ((await revParse(root, 'HEAD')) === undefined) {
    throw new WorkspaceError(
      'NOT_A_GIT_REPOSITORY',
      `${what} needs a commit to start from, and the repository at ${root} has none yet; commit once first`,
    );
  }
}
