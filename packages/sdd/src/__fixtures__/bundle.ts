import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repository = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Bundles a fixture (TypeScript importing this package's sources) into one ESM file that plain `node` can run
 * as a child process, with the esbuild binary the repository already has. CommonJS dependencies
 * (proper-lockfile) get a `require` through createRequire. Returns the file; its directory is the caller's
 * to remove.
 */
export function bundleFixture(entry: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sase-sdd-fixture-'));
  const outfile = join(dir, 'fixture.mjs');
  execFileSync(
    join(repository, 'node_modules', '.bin', 'esbuild'),
    [
      fileURLToPath(new URL(entry, import.meta.url)),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      '--external:@sase/*',
      '--external:isomorphic-git',
      `--banner:js=import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);`,
      `--outfile=${outfile}`,
      '--log-level=warning',
    ],
    { stdio: 'pipe' },
  );
  return outfile;
}
