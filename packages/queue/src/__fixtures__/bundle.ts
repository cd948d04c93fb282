import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repository = fileURLToPath(new URL('../../../../', import.meta.url));
const cache = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));

/**
 * Bundles a fixture (TypeScript, importing @sase/queue from its sources) into one ESM file that plain `node`
 * runs as a child process. bullmq and ioredis stay external: the file is written below this package's
 * node_modules, where node finds them.
 */
export function bundleFixture(entry: string): string {
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'sase-fixture-'));
  const tsconfig = join(dir, 'tsconfig.json');
  const paths = { '@sase/queue': [join(repository, 'packages', 'queue', 'src', 'index.ts')] };
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
      '--external:bullmq',
      '--external:ioredis',
      `--tsconfig=${tsconfig}`,
      `--outfile=${outfile}`,
      '--log-level=warning',
    ],
    { stdio: 'pipe' },
  );
  return outfile;
}
