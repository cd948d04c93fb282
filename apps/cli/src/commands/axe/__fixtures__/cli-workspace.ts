import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stopSupervisorProcess } from '@sase/scheduler';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { bundleTestBin } from './bundle-test-bin.js';

export { captureIo } from '../../../testing/run-cli.js';

/**
 * A git workspace whose shell launcher runs `sh` (so each prompt is a shell script) and whose supervisor
 * polls every 200 ms.
 */
export function createAgentWorkspace(): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'sase-cli-axe-'));
  execFileSync('git', ['init', '-q', root]);
  writeFileSync(join(root, 'sase.yml'), 'launcher:\n  default: shell\n  shell:\n    command: [sh]\naxe:\n  poll_ms: 200\n');
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Bundles the test binary and points SASE_BIN_JS at it (the supervisor and agent hosts run it). */
export function useTestBin(): { bin: string; dispose(): void } {
  const bin = bundleTestBin();
  const previous = process.env.SASE_BIN_JS;
  process.env.SASE_BIN_JS = bin;
  return {
    bin,
    dispose() {
      if (previous === undefined) delete process.env.SASE_BIN_JS;
      else process.env.SASE_BIN_JS = previous;
      rmSync(dirname(bin), { recursive: true, force: true });
    },
  };
}

/**
 * For a test file whose tests run real supervisors: bundles the test binary for the file, and gives each test
 * workspaces (createAgentWorkspace) whose supervisor is stopped and directory removed after the test.
 */
export function useSupervisedWorkspaces(): { workspace(): string; bin(): string } {
  let testBin: ReturnType<typeof useTestBin> | undefined;
  beforeAll(() => {
    testBin = useTestBin();
  }, 60_000);
  afterAll(() => testBin?.dispose());
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  }, 60_000);
  return {
    workspace() {
      const { root, cleanup } = createAgentWorkspace();
      cleanups.push(cleanup);
      cleanups.push(() => stopSupervisorProcess(root));
      return root;
    },
    bin: () => testBin!.bin,
  };
}
