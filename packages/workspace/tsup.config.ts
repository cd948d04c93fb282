import { defineConfig } from 'tsup';

export default defineConfig({
  // `./config` is the light entry (sase.yml and finding the workspace) that the CLI's CommonJS bead lane
  // bundles; everything else loads its heavy dependencies (@sase/sdd, the adapters) only when called.
  entry: ['src/index.ts', 'src/config.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  clean: true,
  sourcemap: true,
});
