import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources of every workspace package (no build needed), except the
// CLI's end-to-end tests, which spawn the built `sase` binary.
const root = fileURLToPath(new URL('.', import.meta.url));
// `@sase/x` → packages/x/src/index.ts and `@sase/x/sub` → packages/x/src/sub.ts (subpath exports).
const alias: { find: RegExp; replacement: string }[] = [];
for (const dir of readdirSync(`${root}packages`)) {
  const src = `${root}packages/${dir}/src`;
  if (!existsSync(`${src}/index.ts`)) continue;
  alias.push({ find: new RegExp(`^@sase/${dir}$`), replacement: `${src}/index.ts` });
  alias.push({ find: new RegExp(`^@sase/${dir}/([a-z-]+)$`), replacement: `${src}/$1.ts` });
}
const projectDirs = ['packages', 'apps'].flatMap((group) =>
  readdirSync(`${root}${group}`)
    .filter((dir) => existsSync(`${root}${group}/${dir}/src`))
    .map((dir) => `${group}/${dir}`),
);

// The end-to-end suite (packages/e2e) mostly waits on real agent CLIs, so its files run side by side (4 at a time,
// more than the cores): in a group of its own after the other projects, since vitest refuses two projects of one
// group with different maxWorkers.
const projectOverrides: Record<string, { maxWorkers?: number; sequence?: { groupOrder: number } }> = {
  '@sase/e2e': { maxWorkers: 4, sequence: { groupOrder: 1 } },
};
// The other files mostly wait on child processes (git, supervisors, agent hosts, the built CLI) too: three at
// a time keep two cores busy (vitest's default on two cores is one file at a time).
const DEFAULT_MAX_WORKERS = 3;

export default defineConfig({
  test: {
    projects: projectDirs.map((dir) => {
      const name = dir.startsWith('apps/') ? `@sase/${dir.slice(5)}` : `@sase/${dir.slice(9)}`;
      return {
        resolve: { alias },
        test: {
          name,
          root: `${root}${dir}`,
          include: ['src/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          maxWorkers: DEFAULT_MAX_WORKERS,
          ...projectOverrides[name],
        },
      };
    }),
  },
});
