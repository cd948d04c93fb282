import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repository = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Bundles a fixture (TypeScript, importing workspace packages from their sources) into one ESM file that
 * plain `node` can run as a child process. Uses the esbuild binary the repository already has (via tsup).
 */
export function bundleFixture(entry: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sase-fixture-'));
  const tsconfig = join(dir, 'tsconfig.json');
  const paths: Record<string, string[]> = {};
  for (const name of ['launcher-core', 'launcher-shell', 'scheduler']) {
    paths[`@sase/${name}`] = [join(repository, 'packages', name, 'src', 'index.ts')];
  }
  writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { baseUrl: repository, paths } }));
  const outfile = join(dir, 'fixture.mjs');
  execFileSync(
    join(repository, 'node_modules', '.bin', 'esbuild'),
    [
      fileURLToPath(new URL(entry, import.meta.url)),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      `--tsconfig=${tsconfig}`,
      `--outfile=${outfile}`,
      '--log-level=warning',
    ],
    { stdio: 'pipe' },
  );
  return outfile;
}
