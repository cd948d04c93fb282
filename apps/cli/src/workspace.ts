import { beadStoreDirOf, findWorkspaceRoot, sddRootOf } from '@sase/beads/workspace';
import { loadConfig, type SaseConfig } from './config.js';
import { CliError } from './errors.js';

export interface Workspace {
  /** The workspace root: the nearest directory up from cwd holding sase.yml, .sase/ or .git. */
  root: string;
  config: SaseConfig;
  /** `.sase/sdd` by default, `sdd` when `sdd.version_controlled: true`. */
  sddRoot: string;
  /** `<sddRoot>/beads`. */
  beadsDir: string;
}

/** Finds the workspace around `cwd` and reads its config. Throws NOT_IN_WORKSPACE when there is none. */
export async function findWorkspace(cwd: string): Promise<Workspace> {
  const root = findWorkspaceRoot(cwd);
  if (!root) {
    throw new CliError(
      'NOT_IN_WORKSPACE',
      `${cwd} is not inside a SASE workspace (no sase.yml, .sase/ or .git above it); run \`sase init\` in your project root`,
    );
  }
  const config = await loadConfig(root);
  const options = { versionControlled: config.sdd.versionControlled };
  return { root, config, sddRoot: sddRootOf(root, options), beadsDir: beadStoreDirOf(root, options) };
}
