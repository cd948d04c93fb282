import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../io.js';
import { main } from '../main.js';

/** Runs `sase <argv>` in-process in `cwd`, capturing its output. For tests only. */
export async function runCli(
  cwd: string,
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTty: false,
  };
  const code = await main(argv, { cwd, io });
  return { code, stdout, stderr };
}

/** A new temporary git repository to use as a workspace. */
export function createTempWorkspace(name = 'ws'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'sase-cli-')), name);
  execFileSync('mkdir', ['-p', dir]);
  execFileSync('git', ['init', '-q', dir]);
  return dir;
}
