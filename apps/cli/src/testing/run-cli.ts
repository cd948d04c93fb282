import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** A new temporary git repository to use as a workspace. */
export function createTempWorkspace(name = 'ws'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'sase-cli-')), name);
  execFileSync('mkdir', ['-p', dir]);
  execFileSync('git', ['init', '-q', dir]);
  return dir;
}
