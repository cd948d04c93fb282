// The library hooks for a supervisor that exits when idle and one whose configuration changes (issue 14).
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './__fixtures__/processes.js';
import { useSupervisorsDir } from './__fixtures__/supervisors-dir.js';
import { createTestWorkspace, resolveShell } from './__fixtures__/test-workspace.js';
import { createRegistry } from './registry.js';
import { submitSegments } from './submit-segments.js';
import { createSupervisor, type SupervisorOptions, type SupervisorStopEvent } from './supervisor.js';

useSupervisorsDir();

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function workspace(): string {
  const { root, cleanup } = createTestWorkspace();
  cleanups.push(cleanup);
  return root;
}

function setup(options: Partial<SupervisorOptions> = {}) {
  const root = options.workspaceRoot ?? workspace();
  const registry = createRegistry(root);
  const stops: SupervisorStopEvent[] = [];
  const lines: string[] = [];
  const supervisor = createSupervisor({
    workspaceRoot: root,
    resolveLauncher: resolveShell,
    pollMs: 100,
    log: (line) => lines.push(line),
    onStop: (event) => stops.push(event),
    ...options,
  });
  cleanups.push(() => supervisor.stop());
  return { root, registry, supervisor, stops, lines };
}

describe('idleExitMs', () => {
  it('stops the supervisor once no agent has been waiting, running or settling for that long', async () => {
    let settled = 0;
    const { registry, supervisor, stops, lines } = setup({
      idleExitMs: 300,
      onSettled: async () => {
        await new Promise((resolve) => setTimeout(resolve, 400)); // settling counts as work
        settled++;
      },
    });
    submitSegments(registry, [{ prompt: 'sleep 0.2', directives: { name: 'a' } }]);
    const started = Date.now();
    await supervisor.start();
    await waitFor(() => stops.length > 0, 10_000);
    expect(settled).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // 200 running + 400 settling + 300 idle
    expect(stops).toEqual([
      { cause: 'idle', reason: 'idle for 0.3 s (idleExitMs): no agent waiting, running or settling' },
    ]);
    expect(supervisor.isRunning).toBe(false);
    expect(lines).toContain(
      `supervisor ${process.pid} stopping: idle for 0.3 s (idleExitMs): no agent waiting, running or settling`,
    );
  });

  it('an agent waiting for its %time is work; one parked behind a failed agent is not', async () => {
    const { registry, supervisor, stops } = setup({ idleExitMs: 200 });
    submitSegments(registry, [{ prompt: 'true', directives: { name: 'later', time: '+1h' } }]);
    await supervisor.start();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(stops).toEqual([]);

    const parked = setup({ idleExitMs: 200 });
    submitSegments(parked.registry, [
      { prompt: 'exit 3', directives: { name: 'fails' } },
      { prompt: 'true', directives: { name: 'parked', wait: ['fails'] } },
    ]);
    await parked.supervisor.start();
    await waitFor(() => parked.stops.length > 0, 10_000);
    expect(parked.stops[0]?.cause).toBe('idle');
    expect(parked.registry.read('parked')?.waiting?.isParked).toBe(true);
  });
});

describe('watchFiles', () => {
  it('calls onFilesChanged with the files whose content changed, however they were written', async () => {
    const changes: string[][] = [];
    const root = workspace();
    writeFileSync(join(root, 'sase.yml'), 'a: 1\n');
    const { supervisor, lines } = setup({
      workspaceRoot: root,
      watchFiles: ['sase.yml', 'missing.yml'],
      onFilesChanged: (files) => changes.push(files),
    });
    await supervisor.start();
    writeFileSync(join(root, 'sase.yml'), 'a: 2\n'); // in place
    await waitFor(() => changes.length === 1);
    writeFileSync(join(root, '.sase.yml.tmp'), 'a: 3\n');
    renameSync(join(root, '.sase.yml.tmp'), join(root, 'sase.yml')); // replaced, as editors and tools do
    await waitFor(() => changes.length === 2);
    writeFileSync(join(root, 'sase.yml'), 'a: 3\n'); // same content: no change
    writeFileSync(join(root, 'missing.yml'), 'now here\n');
    await waitFor(() => changes.length === 3);
    expect(changes).toEqual([
      [join(root, 'sase.yml')],
      [join(root, 'sase.yml')],
      [join(root, 'missing.yml')],
    ]);
    expect(lines).toContain(`supervisor ${process.pid}: ${join(root, 'sase.yml')} changed`);
    await supervisor.stop();
    writeFileSync(join(root, 'sase.yml'), 'a: 4\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changes).toHaveLength(3);
  });

  it('onStop reports a stop() call as cause "stop"', async () => {
    const { supervisor, stops } = setup();
    await supervisor.start();
    await supervisor.stop('done here');
    expect(stops).toEqual([{ cause: 'stop', reason: 'done here' }]);
  });
});
