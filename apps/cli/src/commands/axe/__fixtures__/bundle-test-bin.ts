import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repository = fileURLToPath(new URL('../../../../../../', import.meta.url));

function workspacePackages(): string[] {
  return readdirSync(join(repository, 'packages')).map((name) => join(repository, 'packages', name));
}

/** Links each package of `from` (a pnpm node_modules) into `to`, unless `to` has one of that name already. */
function linkDependencies(from: string, to: string): void {
  mkdirSync(join(to, '@sase'), { recursive: true });
  for (const entry of readdirSync(from)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@')
      ? readdirSync(join(from, entry)).map((name) => `${entry}/${name}`)
      : [entry];
    for (const name of names) {
      if (existsSync(join(to, name))) continue;
      mkdirSync(dirname(join(to, name)), { recursive: true });
      symlinkSync(join(from, name), join(to, name), 'dir');
    }
  }
}

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
  paths['@sase/workspace/config'] = [join(repository, 'packages', 'workspace', 'src', 'config.ts')];
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { baseUrl: repository, paths } }));
  // The bundle imports npm packages at run time (commander, yaml, zod, better-sqlite3...): give it a
  // node_modules with every dependency of the CLI and of the workspace packages it bundles.
  const modules = join(dir, 'node_modules');
  const owners = [join(repository, 'apps', 'cli'), ...workspacePackages()];
  for (const owner of owners) {
    // packages/e2e has none after `npm test`'s install (which leaves out the real agent CLIs).
    if (existsSync(join(owner, 'node_modules'))) linkDependencies(join(owner, 'node_modules'), modules);
  }
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
