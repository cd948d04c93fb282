import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh workspace directory for a test, with an empty HOME beside it (no user git config leaks in). */
export function createTestWorkspace(): { workspaceRoot: string; home: string; env: NodeJS.ProcessEnv } {
  const base = mkdtempSync(join(tmpdir(), 'sase-sdd-'));
  const workspaceRoot = join(base, 'myapp');
  const home = join(base, 'home');
  execFileSync('mkdir', ['-p', workspaceRoot, home]);
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
