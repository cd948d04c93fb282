import { resolve } from 'node:path';
import { findWorkspaceRoot } from '@sase/beads/workspace';
import { BEAD_WORK_XPROMPTS } from '@sase/scheduler';
import { type BuiltinXPrompt, loadCatalog, type XPromptCatalog } from '@sase/xprompt';
import { MENTOR_XPROMPTS } from './mentors.js';
import { PLAN_XPROMPTS } from './plans.js';

export interface LoadWorkspaceCatalogOptions {
  cwd: string;
  /** Defaults to the user's home directory; tests pass their own. */
  homeDir?: string;
  /** Built-in xprompts shipped by packages (lowest priority). */
  builtins?: readonly BuiltinXPrompt[];
}

/**
 * The built-in xprompts of a workspace: the bead-work prompts of @sase/scheduler and the plan-loop prompts
 * (`plan/instructions`, `plan/implement`). Any `.xprompts/<name>.md`
 * of the same name shadows them.
 */
export const WORKSPACE_XPROMPTS: readonly BuiltinXPrompt[] = [
  ...BEAD_WORK_XPROMPTS,
  ...PLAN_XPROMPTS,
  ...MENTOR_XPROMPTS,
];

/** The nearest directory up from `cwd` holding `sase.yml`, `.sase/` or `.git`; `cwd` itself when there is none. */
export function findXPromptRoot(cwd: string): string {
  return findWorkspaceRoot(cwd) ?? resolve(cwd);
}

/** Loads the xprompt catalog seen from `cwd`: workspace `.xprompts/` and `xprompts/`, `~/.xprompts/`, built-ins. */
export async function loadWorkspaceCatalog(options: LoadWorkspaceCatalogOptions): Promise<XPromptCatalog> {
  return loadCatalog({
    workspaceRoot: findXPromptRoot(options.cwd),
    ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
    builtins: options.builtins ?? WORKSPACE_XPROMPTS,
  });
}
