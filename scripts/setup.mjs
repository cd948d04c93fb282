// Installs the workspace's dependencies with the pinned pnpm, needing only Node 20 and npm, and builds.
// Used by `npm test`, `npm run demo` and .ci/run, so a fresh clone works with no other tool installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
const { packageManager } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const pnpmVersion = packageManager.split('@')[1];

export const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
  // better-sqlite3 compiles from source where no prebuilt binary fits; build against the local headers.
  ...(process.env.npm_config_nodedir === undefined && existsSync('/usr/include/node/node.h')
    ? { npm_config_nodedir: '/usr' }
    : {}),
};

function pnpmCommand() {
  try {
    const version = execFileSync('pnpm', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (version === pnpmVersion) return ['pnpm'];
  } catch {
    // not installed: fall through to npx
  }
  return ['npx', '--yes', `pnpm@${pnpmVersion}`];
}

export function run(argv, options = {}) {
  const result = spawnSync(argv[0], argv.slice(1), { cwd: root, env, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`\n${argv.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

export function pnpm(args, options) {
  run([...pnpmCommand(), ...args], options);
}

/**
 * Install (frozen lockfile in CI) and build `filter` (default: everything) with Turborepo, without type
 * declarations (`SASE_BUILD_DTS=0`: they are for publishing and type checks, and generating them took two
 * thirds of the build; `pnpm build` makes them).
 *
 * The real agent CLIs that only the end-to-end tier runs (`packages/e2e`: Claude Code, Codex and Gemini CLI,
 * native binaries of hundreds of MB) are installed only with `agentClis`: pnpm reads every byte of a
 * package's binaries to link them (about 28 s for these three on each install, even when nothing changed),
 * against 2–4 s for all the rest. A later install without them keeps them.
 */
export function setup({ filter, agentClis = false } = {}) {
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 20) {
    console.error(`SASE needs Node.js 20 or newer; this is ${process.version}`);
    process.exit(1);
  }
  pnpm([
    'install',
    ...(process.env.CI ? ['--frozen-lockfile'] : []),
    ...(agentClis ? [] : ['--filter=!@sase/e2e']),
    '--reporter=append-only',
  ]);
  pnpm(
    ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...(filter ? [`--filter=${filter}`] : [])],
    { env: { ...env, SASE_BUILD_DTS: '0' } },
  );
}

// `npm run setup`: everything, the end-to-end tier's agent CLIs too.
if (process.argv[1] === fileURLToPath(import.meta.url)) setup({ agentClis: true });
