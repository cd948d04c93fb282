// Writes the standard files of a library package (package.json, tsconfig.json, tsup.config.ts).
// Usage: node scripts/new-package.mjs <dir> <name> "<description>" [dep@version ...]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, name, description, ...deps] = process.argv.slice(2);
if (!dir || !name || !description) {
  console.error('usage: node scripts/new-package.mjs <dir> <name> "<description>" [dep@version ...]');
  process.exit(2);
}
mkdirSync(join(dir, 'src'), { recursive: true });
const dependencies = {};
for (const dep of deps) {
  const at = dep.lastIndexOf('@');
  dependencies[dep.slice(0, at)] = dep.slice(at + 1);
}
const pkg = {
  name,
  version: '0.1.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  files: ['dist'],
  main: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    '.': { types: './dist/index.d.ts', import: './dist/index.js' },
    './package.json': './package.json',
  },
  engines: { node: '>=20.12' },
  publishConfig: { access: 'public' },
  scripts: {
    build: 'tsup',
    typecheck: 'tsc --noEmit',
    lint: 'biome check src',
    test: `vitest run --config ../../vitest.config.ts --project ${name}`,
    'check:pkg': 'publint --strict && attw --pack . --profile esm-only',
  },
  dependencies,
  devDependencies: {},
};
if (!existsSync(join(dir, 'package.json')))
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  join(dir, 'tsconfig.json'),
  `${JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { outDir: 'dist', rootDir: 'src' }, include: ['src'] }, null, 2)}\n`,
);
if (!existsSync(join(dir, 'tsup.config.ts')))
  writeFileSync(
    join(dir, 'tsup.config.ts'),
    `import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  clean: true,
  sourcemap: true,
});
`,
  );
