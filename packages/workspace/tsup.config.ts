import { defineConfig } from 'tsup';

export default defineConfig({
  // `./config` is the light entry (sase.yml and finding the workspace) that the CLI's CommonJS bead lane
  // bundles; everything else loads its heavy dependencies (@sase/sdd, the adapters) only when called.
  entry: ['src/index.ts', 'src/config.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  // Type declarations are for publishing and type checks; `npm test` and `npm run demo` build without them.
  dts: process.env.SASE_BUILD_DTS !== '0',
  clean: true,
  sourcemap: true,
});
