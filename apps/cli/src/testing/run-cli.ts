import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
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

/** A new temporary git repository to use as a workspace, removed when the test that creates it ends. */
export function createTempWorkspace(name = 'ws'): string {
  const parent = mkdtempSync(join(tmpdir(), 'sase-cli-'));
  try {
    onTestFinished(() => rmSync(parent, { recursive: true, force: true }));
  } catch {
    // created outside a test (a hook): the run's temporary directory takes it
  }
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', dir]);
  return dir;
}
