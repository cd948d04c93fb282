import { createSddStore, type SddStore } from '@sase/sdd';
import { findWorkspace, type Workspace } from '@sase/workspace/config';

/** The workspace around `cwd` and a handle on its SDD tree (`.sase/sdd/` or `sdd/` per sase.yml). */
export async function openSdd(
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ workspace: Workspace; store: SddStore }> {
  const workspace = await findWorkspace(cwd);
  return { workspace, store: sddStoreOf(workspace, env) };
}

/** A handle on the SDD tree of a workspace already found. */
export function sddStoreOf(workspace: Workspace, env: NodeJS.ProcessEnv): SddStore {
  return createSddStore({
    workspaceRoot: workspace.root,
    versionControlled: workspace.config.sdd.versionControlled,
    env,
  });
}

/** Reads all of a stream (stdin for `-` arguments). */
export async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
