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

// Two tiers. `npm test` runs every project but the end-to-end ones (names ending in "e2e"); `npm run test:e2e`
// runs those: the real agent CLIs (packages/e2e) and the CLI's system tests (`*.e2e.test.ts`: the demo, `bead
// work` runs of an epic to its land, ACE driven in a pty, a fleet of `sase worker` processes, the packed CLI
// installed with npm).
// `.ci/run` runs both.
//
// The real CLIs mostly wait, so their files run side by side (4 at a time, more than the cores): in a group of
// their own after the other projects, since vitest refuses two projects of one group with different maxWorkers.
// The CLI's system tests follow in a third group.
const projectOverrides: Record<string, { maxWorkers?: number; sequence?: { groupOrder: number } }> = {
  '@sase/e2e': { maxWorkers: 4, sequence: { groupOrder: 1 } },
};
const E2E_GROUP = { maxWorkers: 3, sequence: { groupOrder: 2 } };
// The other files mostly wait on child processes (git, supervisors, agent hosts, the built CLI) too: three at
// a time keep two cores busy (vitest's default on two cores is one file at a time).
const DEFAULT_MAX_WORKERS = 3;
// A worker runs file after file without starting afresh (`isolate: false`): starting a process and importing
// the packages again for each of 114 files cost a third of `npm test`. So a test file leaves no global state
// behind: hooks for what it changes (process.env, timers) are registered by the file itself (a fixture module
// is evaluated once per worker, so its top level must not register hooks or create per-file state). A file
// that needs a fresh module graph (it mocks a module with vi.mock) is named `*.isolated.test.ts`: it runs
// in a project of its own, `<package>-isolated`, with a new worker for each file.

const project = (dir: string, name: string, include: string[], exclude: string[]) => ({
  resolve: { alias },
  test: {
    name,
    root: `${root}${dir}`,
    include,
    exclude: ['**/node_modules/**', ...exclude],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: DEFAULT_MAX_WORKERS,
    // The end-to-end tier mostly waits on processes: its files keep a fresh worker each.
    isolate: name.endsWith('e2e'),
    ...projectOverrides[name],
  },
});

export default defineConfig({
  test: {
    projects: projectDirs.flatMap((dir) => {
      const name = dir.startsWith('apps/') ? `@sase/${dir.slice(5)}` : `@sase/${dir.slice(9)}`;
      const files = readdirSync(`${root}${dir}/src`, { recursive: true }).map(String);
      const main = project(dir, name, ['src/**/*.test.ts'], ['src/**/*.e2e.test.ts', 'src/**/*.isolated.test.ts']);
      const projects = [main];
      if (files.some((file) => file.endsWith('.isolated.test.ts'))) {
        const isolated = project(dir, `${name}-isolated`, ['src/**/*.isolated.test.ts'], []);
        projects.push({ ...isolated, test: { ...isolated.test, isolate: true } });
      }
      if (files.some((file) => file.endsWith('.e2e.test.ts'))) {
        const e2e = project(dir, `${name}-e2e`, ['src/**/*.e2e.test.ts'], []);
        projects.push({ ...e2e, test: { ...e2e.test, ...E2E_GROUP } });
      }
      return projects;
    }),
  },
});
