import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

// Every command module is its own entry, so that main.ts can load it with import() only when it runs.
export default defineConfig({
  entry: ['src/bin.ts', 'src/main.ts', 'src/commands/**/*.ts', '!src/**/*.test.ts', '!src/commands/**/register.ts', '!src/**/__fixtures__/**', '!src/testing/**'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  dts: { entry: ['src/main.ts'] },
  clean: true,
  sourcemap: true,
  define: { __SASE_VERSION__: JSON.stringify(version) },
  noExternal: ['commander'],
  // The bundled CommonJS (commander) requires Node built-ins: give ESM chunks a require().
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
