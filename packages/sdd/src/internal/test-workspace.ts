import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * A fresh workspace directory for a test, with an empty HOME beside it (no user git config leaks in), removed
 * when the test ends.
 */
export function createTestWorkspace(): { workspaceRoot: string; home: string; env: NodeJS.ProcessEnv } {
  const base = mkdtempSync(join(tmpdir(), 'sase-sdd-'));
  try {
    onTestFinished(() => rmSync(base, { recursive: true, force: true }));
  } catch {
    // created outside a test (a hook): the run's temporary directory takes it
  }
  const workspaceRoot = join(base, 'myapp');
  const home = join(base, 'home');
  mkdirSync(workspaceRoot, { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(workspaceRoot, 'sase.yml'), '');
  return { workspaceRoot, home, env: { HOME: home, USER: 'tester', PATH: process.env.PATH } };
}

/** Runs the real `git` binary with a clean environment and returns its stdout. */
export function runGit(dir: string, args: string[], home: string): string {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1' },
  });
}
