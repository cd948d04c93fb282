import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repository = fileURLToPath(new URL('../../../../../../', import.meta.url));

/**
 * Bundles test-bin.ts (and every workspace package, from its sources) into one ESM file that plain node runs,
 * with the esbuild binary the repository already has (through tsup). Returns its path.
 */
export function bundleTestBin(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sase-cli-bin-'));
  const paths: Record<string, string[]> = {};
  for (const name of readdirSync(join(repository, 'packages'))) {
    paths[`@sase/${name}`] = [join(repository, 'packages', name, 'src', 'index.ts')];
  }
  paths['@sase/beads/workspace'] = [join(repository, 'packages', 'beads', 'src', 'workspace.ts')];
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { baseUrl: repository, paths } }));
  // The bundle imports npm packages (commander, yaml, zod) at run time: let it find the CLI's node_modules.
  symlinkSync(join(repository, 'apps', 'cli', 'node_modules'), join(dir, 'node_modules'), 'dir');
  const outfile = join(dir, 'sase.mjs');
  execFileSync(
    join(repository, 'node_modules', '.bin', 'esbuild'),
    [
      fileURLToPath(new URL('./test-bin.ts', import.meta.url)),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      `--tsconfig=${tsconfig}`,
      `--outfile=${outfile}`,
      // Workspace packages come from their sources (tsconfig paths); npm packages stay external.
      '--packages=external',
      '--log-level=error',
    ],
    { stdio: 'pipe', cwd: join(repository, 'apps', 'cli') },
  );
  return outfile;
}
