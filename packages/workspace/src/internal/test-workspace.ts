// Test helpers (not exported): a real git repository with a SASE workspace in it.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBeadStore, openBeadStore } from '@sase/beads';
import { createSupervisor } from '@sase/scheduler';
import { onTestFinished } from 'vitest';
import { createWorkspaceLifecycle } from '../agent-change.js';
import { findWorkspace, type Workspace } from '../config.js';
import { launcherResolverOf } from '../launchers.js';
import { settleAgent } from '../supervisor.js';

export function gitIn(root: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface TestWorkspaceOptions {
  /** Extra sase.yml text (after the launcher section). */
  config?: string;
  /** Workspace `.xprompts/<name>.md` files (shell scripts for the `sh` launcher). */
  xprompts?: Record<string, string>;
  /** Files of the first commit. */
  files?: Record<string, string>;
}

/**
 * A git repository with one commit, a sase.yml whose default launcher is the shell running each prompt as an
 * `sh` script, `.sase/` ignored, and a bead store (prefix `p`). Removed when the test ends (call it in a test).
 */
export async function createTestWorkspace(options: TestWorkspaceOptions = {}): Promise<Workspace> {
  const root = mkdtempSync(join(tmpdir(), 'sase-workspace-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  gitIn(root, 'init', '-q', '-b', 'main');
  // The identity the tests commit with (what `git config user.name …` writes; one process fewer each).
  appendFileSync(join(root, '.git', 'config'), '[user]\n\tname = Test\n\temail = test@localhost\n');
  writeFileSync(
    join(root, 'sase.yml'),
    `launcher:\n  default: shell\n  shell:\n    command: [sh]\naxe:\n  poll_ms: 100\n${options.config ?? ''}`,
  );
  writeFileSync(join(root, '.gitignore'), '.sase/\n');
  for (const [path, text] of Object.entries(options.files ?? {})) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  for (const [name, text] of Object.entries(options.xprompts ?? {})) {
    const file = join(root, '.xprompts', `${name}.md`);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }
  gitIn(root, 'add', '-A');
  gitIn(root, 'commit', '-q', '-m', 'start');
  mkdirSync(join(root, '.sase'), { recursive: true });
  const workspace = await findWorkspace(root);
  initBeadStore({ dir: workspace.beadsDir, prefix: 'p' });
  return workspace;
}

/** Creates an epic with phases; `phases` maps a phase title to the titles it depends on. */
export function createEpic(
  workspace: Workspace,
  phases: Record<string, string[]>,
): { epic: string; ids: Record<string, string> } {
  const store = openBeadStore({ dir: workspace.beadsDir });
  try {
    const epic = store.create({ title: 'Epic', issueType: 'plan', tier: 'epic' });
    const ids: Record<string, string> = {};
    for (const title of Object.keys(phases)) {
      ids[title] = store.create({ title, issueType: 'phase', parentId: epic.id }).id;
    }
    for (const [title, blockers] of Object.entries(phases)) {
      for (const blocker of blockers) store.addDependency(ids[title]!, ids[blocker]!);
    }
    return { epic: epic.id, ids };
  } finally {
    store.dispose();
  }
}

/** Runs the workspace's agents to the end with an in-process supervisor (the workspace lifecycle and hooks). */
export async function runToEnd(workspace: Workspace, names?: readonly string[]) {
  const supervisor = createSupervisor({
    workspaceRoot: workspace.root,
    resolveLauncher: launcherResolverOf(workspace),
    pollMs: 100,
    lifecycle: createWorkspaceLifecycle(workspace),
    onSettled: (agent) => settleAgent(workspace, agent),
  });
  return supervisor.runUntilSettled(names === undefined ? {} : { names });
}

/** A phase body for the `sh` launcher: `#bead/work_phase` replaced by a script. */
export const PHASE_SCRIPT = `---
input:
  - {name: bead, type: word}
---
mkdir -p src && echo "work of {{ bead }}" > "src/{{ bead }}.txt"
`;

/** A land agent that does nothing (tests call landEpic themselves). */
export const QUIET_LAND = `---
input:
  - {name: epic, type: word}
---
true
`;
