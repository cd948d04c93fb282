import * as fs from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SddError } from '../errors.js';

export interface GitAuthor {
  name: string;
  email: string;
}

export const defaultAuthor: GitAuthor = { name: 'SASE', email: 'sase@localhost' };

type IsomorphicGit = typeof import('isomorphic-git');
let loaded: Promise<IsomorphicGit> | undefined;

/** isomorphic-git is loaded on first use, so code that never commits never pays for it. */
function loadGit(): Promise<IsomorphicGit> {
  loaded ??= import('isomorphic-git');
  return loaded;
}

async function wrap<T>(what: string, dir: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SddError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new SddError('SDD_GIT_FAILED', `Git ${what} failed in the SDD repository ${dir}: ${reason}`, {
      file: dir,
      cause: error,
    });
  }
}

/** Creates the repository (branch `main`) unless `dir/.git` exists. Returns true when it was created. */
export async function ensureRepository(dir: string): Promise<boolean> {
  if (fs.existsSync(join(dir, '.git'))) return false;
  const git = await loadGit();
  await wrap('init', dir, () => git.init({ fs, dir, defaultBranch: 'main' }));
  return true;
}

/**
 * Stages every change of the working tree (new, modified and deleted files; ignored files stay out) and
 * commits it. Returns the commit id, or undefined when there was nothing to commit.
 */
export async function commitAll(
  dir: string,
  message: string,
  author: GitAuthor,
): Promise<string | undefined> {
  const git = await loadGit();
  return withCommitLock(dir, () =>
    wrap('commit', dir, async () => {
      const matrix = await git.statusMatrix({ fs, dir });
      const changed = matrix.filter(
        ([, head, workdir, stage]) => !(head === 1 && workdir === 1 && stage === 1),
      );
      if (changed.length === 0) return undefined;
      for (const [filepath, , workdir, stage] of changed) {
        if (workdir === 0) await git.remove({ fs, dir, filepath });
        else if (stage !== workdir) await git.add({ fs, dir, filepath });
      }
      return git.commit({ fs, dir, message, author });
    }),
  );
}

/**
 * Runs `fn` holding the SDD repository's commit lock (`.git/sase-commit.lock`, proper-lockfile: a directory
 * made atomically, its mtime refreshed while held, taken over when stale after 10 s). isomorphic-git does
 * not lock across processes, and `sase plan`, `sase sdd commit` and the supervisor commit here; two commits
 * at once could both take the same parent, and the second ref update would drop the first commit.
 */
async function withCommitLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const { lock } = await import('proper-lockfile');
  let release: () => Promise<void>;
  try {
    release = await lock(join(dir, '.git', 'sase-commit'), {
      realpath: false,
      stale: 10_000,
      retries: { retries: 120, minTimeout: 50, maxTimeout: 500 },
    });
  } catch (error) {
    throw new SddError(
      'SDD_GIT_FAILED',
      `could not take the commit lock of the SDD repository ${dir} (${(error as Error).message}); another ` +
        'sase process is committing there: try again',
      { file: dir, cause: error },
    );
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * The commit author: $GIT_AUTHOR_NAME / $GIT_AUTHOR_EMAIL, else `user.name` / `user.email` from the
 * repository's config, then ~/.gitconfig, then $XDG_CONFIG_HOME/git/config; else `SASE <sase@localhost>`.
 */
export async function resolveAuthor(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
  moreRepositories: readonly string[] = [],
): Promise<GitAuthor> {
  const home = env.HOME ?? homedir();
  const files = [
    join(dir, '.git', 'config'),
    ...moreRepositories.map((repository) => join(repository, '.git', 'config')),
    join(home, '.gitconfig'),
    join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'git', 'config'),
  ];
  let name = env.GIT_AUTHOR_NAME;
  let email = env.GIT_AUTHOR_EMAIL;
  for (const file of files) {
    if (name && email) break;
    const user = readUserSection(file);
    name ||= user.name;
    email ||= user.email;
  }
  return { name: name || defaultAuthor.name, email: email || defaultAuthor.email };
}

/** `[user] name = ... / email = ...` of one git config file (a small reader: no includes, no conditionals). */
export function readUserSection(file: string): Partial<GitAuthor> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const user: Partial<GitAuthor> = {};
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]\s"]+)(?:\s+"[^"]*")?\]$/.exec(line);
    if (header) {
      section = (header[1] ?? '').toLowerCase();
      continue;
    }
    if (section !== 'user') continue;
    const entry = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (!entry) continue;
    const key = (entry[1] ?? '').toLowerCase();
    const value = (entry[2] ?? '').replace(/^"(.*)"$/, '$1').trim();
    if (key === 'name' && value) user.name = value;
    if (key === 'email' && value) user.email = value;
  }
  return user;
}
