import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { findWorkspaceRoot } from './workspace.js';

const directory = mkdtempSync(join(tmpdir(), 'sase-workspace-root-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

it("finds the workspace that owns an agent's worktree, not the worktree itself", () => {
  const root = join(directory, 'project');
  const worktree = join(root, '.sase', 'workspaces', 'p-1.2');
  mkdirSync(join(worktree, 'src'), { recursive: true });
  // A git worktree has a .git file: without the rule, the worktree would be its own workspace.
  mkdirSync(join(worktree, '.git'));
  expect(findWorkspaceRoot(worktree)).toBe(root);
  expect(findWorkspaceRoot(join(worktree, 'src'))).toBe(root);
  expect(findWorkspaceRoot(root)).toBe(root);
});
