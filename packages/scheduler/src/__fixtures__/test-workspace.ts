import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LauncherV1 } from '@sase/launcher-core';
import { createShell } from '@sase/launcher-shell';

/** A fresh workspace directory and a cleanup. */
export function createTestWorkspace(): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'sase-scheduler-'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The shell launcher running `sh` with the prompt on stdin: each test agent's prompt is a shell script. */
export function resolveShell(id: string): LauncherV1 {
  if (id !== 'shell') throw new Error(`unknown launcher ${id}`);
  return createShell({ command: ['sh'] });
}

/** Lines of a file the test agents append to (`echo $SASE_AGENT_NAME >> launches`). */
export function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
