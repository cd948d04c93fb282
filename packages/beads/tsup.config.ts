import { defineConfig } from 'tsup';

// ESM and CommonJS: CommonJS programs can require() the store, and the `sase bead` commands run from a
// CommonJS bundle because Node 20's ESM loader adds ~15 ms to every start-up (see the CLI README).
export default defineConfig({
  entry: ['src/index.ts', 'src/workspace.ts'],
  format: ['esm', 'cjs'],
  target: 'node20',
  platform: 'node',
  // better-sqlite3's JavaScript is bundled (see src/internal/cache.ts; its licence is in THIRD_PARTY_NOTICES.md).
  // (Not `bindings`, which it uses only when no addon path is given, and this package always gives one.)
  noExternal: ['better-sqlite3'],
  external: ['bindings'],
  // import.meta.url (createRequire) gets a __filename-based shim in the CJS build...
  shims: true,
  // ...and the bundled CommonJS code gets a require() in the ESM build.
  banner: ({ format }) =>
    format === 'esm'
      ? {
          js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        }
      : {},
  // Type declarations are for publishing and type checks; `npm test` and `npm run demo` build without them.
  dts: process.env.SASE_BUILD_DTS !== '0',
  clean: true,
  sourcemap: true,
});
