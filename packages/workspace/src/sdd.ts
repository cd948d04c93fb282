import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SddStore } from '@sase/sdd';
import type { Workspace } from './config.js';

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
  return (await store.commit(message)) ?? undefined;
}
