import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

/** The repository's pinned pnpm: on PATH when it is that version, else through npx (as scripts/setup.mjs). */
function pnpmArgv(): string[] {
  const { packageManager } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
    packageManager: string;
  };
  const version = packageManager.split('@')[1]!;
  try {
    const found = execFileSync('pnpm', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (found.trim() === version) return ['pnpm'];
  } catch {
    // not installed
  }
  return ['npx', '--yes', `pnpm@${version}`];
}

/** The workspace packages @sase/cli depends on (directly or through each other), as directories. */
function workspacePackages(): string[] {
  const dirs = ['apps/cli', ...readdirSync(join(repo, 'packages')).map((dir) => `packages/${dir}`)];
  return dirs.filter((dir) => existsSync(join(repo, dir, 'dist')));
}

describe('the packed CLI', () => {
  it('installs from its tarballs into an empty directory and runs', () => {
    const packs = mkdtempSync(join(tmpdir(), 'sase-packs-'));
    const [pnpm, ...pnpmArgs] = pnpmArgv();
    for (const dir of workspacePackages()) {
      // pnpm pack turns workspace:* ranges into the real versions, as publishing does.
      execFileSync(pnpm!, [...pnpmArgs, 'pack', '--pack-destination', packs], {
        cwd: join(repo, dir),
        stdio: 'ignore',
      });
    }
    const install = mkdtempSync(join(tmpdir(), 'sase-install-'));
    execFileSync('npm', ['init', '-y'], { cwd: install, stdio: 'ignore' });
    const tarballs = readdirSync(packs).map((file) => join(packs, file));
    // Scripts are skipped to avoid compiling better-sqlite3 a second time (~90 s here); its addon is copied
    // from the workspace's build instead. Everything else is exactly what a user's install gets.
    execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', ...tarballs], {
      cwd: install,
      stdio: 'ignore',
    });
    const beadsRequire = createRequire(join(repo, 'packages/beads/package.json'));
    const addon = join(
      dirname(beadsRequire.resolve('better-sqlite3/package.json')),
      'build/Release/better_sqlite3.node',
    );
    const target = join(install, 'node_modules/better-sqlite3/build/Release');
    mkdirSync(target, { recursive: true });
    copyFileSync(addon, join(target, 'better_sqlite3.node'));

    const bin = join(install, 'node_modules/.bin/sase');
    const version = JSON.parse(readFileSync(join(repo, 'apps/cli/package.json'), 'utf8')).version;
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toBe(version);
    const workspace = join(install, 'project');
    mkdirSync(workspace);
    execFileSync('git', ['init', '-q'], { cwd: workspace });
    execFileSync(bin, ['init', '--prefix', 'pk'], { cwd: workspace });
    execFileSync(bin, ['bead', 'create', '-t', 'packed'], { cwd: workspace });
    const ready = JSON.parse(
      execFileSync(bin, ['bead', 'ready', '--json'], { cwd: workspace, encoding: 'utf8' }),
    );
    expect(ready.map((bead: { id: string }) => bead.id)).toEqual(['pk-1']);
  }, 300_000);
});
