import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Files or directories whose presence marks a workspace root, nearest first wins. */
const MARKERS = ['sase.yml', '.sase', '.git'];

/** Agents' git worktrees live at `<root>/.sase/workspaces/<agent>/`; they belong to the workspace at <root>. */
const AGENT_WORKTREE = /^(.*?)[\\/]\.sase[\\/]workspaces[\\/][^\\/]+(?:[\\/]|$)/;

/**
 * Walks up from `cwd` to the nearest directory holding `sase.yml`, `.sase/` or `.git`, and returns it, or
 * undefined when there is none up to the file system root. Inside an agent's worktree
 * (`<root>/.sase/workspaces/<agent>/...`) it is the workspace that owns the worktree, `<root>`: an agent
 * that runs `sase bead close` in its worktree changes the workspace's store, not a copy.
 */
export function findWorkspaceRoot(cwd: string): string | undefined {
  const owner = AGENT_WORKTREE.exec(resolve(cwd));
  if (owner?.[1] && existsSync(join(owner[1], '.sase'))) return owner[1];
  let dir = resolve(cwd);
  for (;;) {
    if (MARKERS.some((marker) => existsSync(join(dir, marker)))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The SDD root of a workspace: `sdd/` when version controlled, else `.sase/sdd/` (SPEC section 1). */
export function sddRootOf(workspaceRoot: string, options: { versionControlled?: boolean } = {}): string {
  return options.versionControlled ? join(workspaceRoot, 'sdd') : join(workspaceRoot, '.sase', 'sdd');
}

/** The bead store directory of a workspace: `<sdd-root>/beads`. */
export function beadStoreDirOf(workspaceRoot: string, options: { versionControlled?: boolean } = {}): string {
  return join(sddRootOf(workspaceRoot, options), 'beads');
}

/** The default prefix for a workspace directory: its name, lower-cased, non-alphanumerics folded to `-`. */
export function defaultPrefixFor(workspaceRoot: string): string {
  const base = resolve(workspaceRoot).split(/[\\/]/).pop() ?? '';
  const slug = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'bead' : slug;
}
