import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import type { CliIo } from '../io.js';
import { main } from '../main.js';

/** An io that records what a command prints (not a terminal). For tests only. */
export function captureIo(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    isTty: false,
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
  };
  return io;
}

/** Runs `sase <argv>` in-process in `cwd`, capturing its output. For tests only. */
export async function runCli(
  cwd: string,
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo();
  const code = await main(argv, { cwd, io });
  return { code, stdout: io.out, stderr: io.err };
}

/**
 * A new temporary directory named `<prefix>-XXXXXX`, removed when the test that creates it ends, or after the
 * file's tests when it is created while they are collected (at the top of a file or in a describe).
 */
export function createTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    try {
      afterAll(remove);
    } catch {
      // created in a hook: the run's temporary directory (npm test's) takes it
    }
  }
  return dir;
}

/** A new temporary git repository to use as a workspace, removed when the test that creates it ends. */
export function createTempWorkspace(name = 'ws'): string {
  const parent = createTempDir('sase-cli');
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', dir]);
  return dir;
}
