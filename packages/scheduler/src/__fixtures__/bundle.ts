import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';

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

/**
 * For a test file whose tests run supervisors and agent hosts as processes: bundles `supervisor-command.ts`
 * once for the file (removed after it), and runs the cleanups each test registers after that test, last first.
 */
export function useSupervisorCommand(): {
  /** The bundled `supervisor-command` (`node <it> serve|host|start …`). */
  fixture(): string;
  onCleanup(cleanup: () => Promise<void> | void): void;
} {
  let fixture: string | undefined;
  beforeAll(() => {
    fixture = bundleFixture('./supervisor-command.ts');
  }, 60_000);
  afterAll(() => {
    if (fixture !== undefined) rmSync(dirname(fixture), { recursive: true, force: true });
  });
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  }, 60_000);
  return {
    fixture: () => fixture as string,
    onCleanup: (cleanup) => void cleanups.push(cleanup),
  };
}
