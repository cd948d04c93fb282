import { defineConfig } from 'tsup';

export default defineConfig({
  // `./testing` starts a throw-away redis-server for tests and benchmarks.
  entry: ['src/index.ts', 'src/testing.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  // Type declarations are for publishing and type checks; `npm test` and `npm run demo` build without them.
  dts: process.env.SASE_BUILD_DTS !== '0',
  clean: true,
  sourcemap: true,
});
