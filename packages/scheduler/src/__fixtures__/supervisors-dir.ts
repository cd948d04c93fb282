/**
 * For the tests that start supervisors: their registry of live supervisors (`SASE_SUPERVISORS_DIR`, see
 * supervisorsDirOf) is a temporary directory of the test file, inherited by the processes it starts, instead
 * of the user's home. Call it at the top level of the test file; it returns the directory, removed (and the
 * variable restored) after the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export function useSupervisorsDir(): string {
  const previous = process.env.SASE_SUPERVISORS_DIR;
  const dir = mkdtempSync(join(tmpdir(), 'sase-supervisors-'));
  process.env.SASE_SUPERVISORS_DIR = dir;
  afterAll(() => {
    if (previous === undefined) delete process.env.SASE_SUPERVISORS_DIR;
    else process.env.SASE_SUPERVISORS_DIR = previous;
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
