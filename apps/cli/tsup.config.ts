import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * commander requires child_process at load time (~2 ms: it pulls in net, streams and more) but uses it only
 * for executable subcommands, which sase does not have: hand it a stand-in that loads it on first use.
 */
const lazyChildProcess: Plugin = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${sep}commander${sep}`)
        ? { path: 'child_process', namespace: 'lazy-child-process' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const shared = {
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  define: { __SASE_VERSION__: JSON.stringify(version) },
  // commander is bundled: one file instead of a package resolved through node_modules at every start-up.
  noExternal: ['commander'],
  esbuildPlugins: [lazyChildProcess],
  // Keep `node:` specifiers (tsup would strip them before lazyChildProcess sees them).
  removeNodeProtocol: false,
} satisfies Options;

/** Modules the CommonJS bundles load at run time instead of inlining (paths relative to dist/). */
const LOADED_AT_RUN_TIME: Record<string, string> = {
  // bin.cjs: the bead bundle and the full ESM CLI.
  './bead-main.cjs': './bead-main.cjs',
  './main.js': './main.js',
  // bead-main.cjs: `bead work` is the ESM build's module (bin.cjs routes it to main.js anyway).
  './work.js': './commands/bead/work.js',
  // @sase/beads has the workspace helpers too: one file to load instead of two.
  '@sase/beads/workspace': '@sase/beads',
};

export default defineConfig([
  {
    // The full CLI as ESM. Every command module is its own entry, so that it is loaded with import() only
    // when it runs.
    ...shared,
    entry: [
      'src/main.ts',
      'src/commands/**/*.ts',
      '!src/**/*.test.ts',
      '!src/commands/**/register.ts',
      '!src/**/__fixtures__/**',
      '!src/testing/**',
    ],
    format: ['esm'],
    splitting: true,
    dts: process.env.SASE_BUILD_DTS === '0' ? false : { entry: ['src/main.ts'] },
    clean: false, // both builds write to dist/: the build script empties it first
    // The bundled CommonJS (commander) requires Node built-ins: give ESM chunks a require().
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  },
  {
    // The binary and the bead commands as CommonJS bundles (see bin.ts).
    ...shared,
    entry: ['src/bin.ts', 'src/bead-main.ts'],
    format: ['cjs'],
    splitting: false,
    clean: false,
    // The one resolution tsup's own externals would take first (it is matched by the lane plugin below).
    // @sase/workspace/config (sase.yml, finding the workspace) is inlined: it is small, and its ESM build
    // cannot be require()d. Its yaml and zod are loaded at run time, and only for a changed sase.yml.
    noExternal: [...shared.noExternal, '@sase/beads/workspace', '@sase/workspace/config'],
    esbuildPlugins: [
      lazyChildProcess,
      {
        name: 'loaded-at-run-time',
        setup(build) {
          build.onResolve({ filter: /^(\.\/[\w-]+\.c?js|@sase\/beads\/workspace)$/ }, (args) => {
            const path = LOADED_AT_RUN_TIME[args.path];
            return path === undefined ? undefined : { path, external: true };
          });
        },
      },
    ],
  },
]);
