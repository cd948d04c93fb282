import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createShell } from '@sase/launcher-shell';
import { afterEach, expect, it } from 'vitest';
import { useSupervisorsDir } from './__fixtures__/supervisors-dir.js';
import { createTestWorkspace } from './__fixtures__/test-workspace.js';
import { computeWaves, createRegistry, createSupervisor, submitSegments } from './index.js';

useSupervisorsDir();

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

it('runs the README example: a diamond with the shell launcher, in-process', async () => {
  const { root: workspaceRoot, cleanup } = createTestWorkspace();
  cleanups.push(cleanup);
  const lines: string[] = [];
  const console = { log: (value: unknown) => lines.push(JSON.stringify(value)) };

  const registry = createRegistry(workspaceRoot);
  submitSegments(registry, [
    { prompt: 'echo a >> order.log', directives: { name: 'a' } },
    { prompt: 'echo b >> order.log', directives: { name: 'b', wait: ['a'] } },
    { prompt: 'echo c >> order.log', directives: { name: 'c', wait: ['a'] } },
    { prompt: 'echo d >> order.log', directives: { name: 'd', wait: ['b', 'c'] } },
  ]);

  const supervisor = createSupervisor({
    workspaceRoot,
    resolveLauncher: () => createShell({ command: ['sh'] }), // each prompt is a shell script
  });
  const states = await supervisor.runUntilSettled();
  console.log(states.map((agent) => `${agent.name}: ${agent.state}`));

  expect(lines).toEqual([JSON.stringify(['a: completed', 'b: completed', 'c: completed', 'd: completed'])]);
  const order = readFileSync(join(workspaceRoot, 'order.log'), 'utf8').trim().split('\n');
  expect(order[0]).toBe('a');
  expect(order[3]).toBe('d');
  expect(supervisor.isRunning).toBe(false);
});

it('runs the README waves example', () => {
  expect(
    computeWaves([{ id: 'p-2' }, { id: 'p-10' }, { id: 'p-1' }], [{ from: 'p-10', to: 'p-1' }]).waves,
  ).toEqual([['p-1', 'p-2'], ['p-10']]);
});
