import { execFileSync } from 'node:child_process';
import { openBeadStore } from '@sase/beads';
import { expect, it } from 'vitest';
import { createTestWorkspace } from './internal/test-workspace.js';
import { commitSdd, openSddStore } from './sdd.js';

it('an SDD commit names every bead it changes, also those changed meanwhile by someone else', async () => {
  const workspace = await createTestWorkspace();
  await (await openSddStore(workspace)).init();
  const store = openBeadStore({ dir: workspace.beadsDir });
  const first = store.create({ title: 'First' }).id;
  const second = store.create({ title: 'Second' }).id;
  store.dispose();
  await commitSdd(workspace, `beads: ${first} closed (agent ${first}, attempt 1: completed)`);
  const log = execFileSync('git', ['log', '-1', '--format=%B'], { cwd: workspace.sddRoot, encoding: 'utf8' });
  expect(log.trim()).toBe(
    `beads: ${first} closed (agent ${first}, attempt 1: completed)\n\nAlso changed: ${second}`,
  );
});
