import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SddStore } from '@sase/sdd';
import type { Workspace } from './config.js';
import { git } from './internal/git.js';

/**
 * A handle on the workspace's SDD tree (`.sase/sdd/` or `sdd/` per sase.yml). @sase/sdd (remark, yaml, zod,
 * isomorphic-git) is loaded on the first call only: commands that never touch plans do not pay for it.
 */
export async function openSddStore(
  workspace: Workspace,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SddStore> {
  const { createSddStore } = await import('@sase/sdd');
  return createSddStore({
    workspaceRoot: workspace.root,
    versionControlled: workspace.config.sdd.versionControlled,
    env,
  });
}

/**
 * Commits what is pending in the standalone SDD repository (`.sase/sdd/`), if it exists: bead outcomes,
 * ChangeSpecs. A version-controlled tree (`sdd/`) ships with the project's own commits, so nothing happens
 * there. Resolves to the commit, or undefined when nothing was committed.
 */
export async function commitSdd(workspace: Workspace, message: string): Promise<string | undefined> {
  if (workspace.config.sdd.versionControlled) return undefined;
  if (!existsSync(join(workspace.sddRoot, '.git'))) return undefined;
  const store = await openSddStore(workspace);
  return (await store.commit(await withChangedBeads(workspace, message))) ?? undefined;
}

/**
 * The commit message, naming every bead the commit changes that the message does not name already: agents
 * edit the store at any moment, so an outcome's commit may carry another bead's change made meanwhile.
 */
async function withChangedBeads(workspace: Workspace, message: string): Promise<string> {
  const file = join(workspace.beadsDir, 'issues.jsonl');
  const head = await git(workspace.sddRoot, ['show', 'HEAD:beads/issues.jsonl'], { isFailureExpected: true });
  let current: string;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    return message;
  }
  const before = new Set(head.code === 0 ? head.stdout.split('\n') : []);
  const changed = current
    .split('\n')
    .filter((line) => line !== '' && !before.has(line))
    .map((line) => /^\{"id":"([^"]+)"/.exec(line)?.[1])
    .filter(
      (id): id is string =>
        id !== undefined && !new RegExp(`(^|[\\s(:])${escapeRegExp(id)}([\\s),:]|$)`).test(message),
    );
  return changed.length === 0 ? message : `${message}\n\nAlso changed: ${changed.join(', ')}\n`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
