import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSupervisorCommand } from './__fixtures__/bundle.js';
import { processesWith, standbyShellsOf, waitFor } from './__fixtures__/processes.js';
import { useSupervisorsDir } from './__fixtures__/supervisors-dir.js';
import { createTestWorkspace, resolveShell } from './__fixtures__/test-workspace.js';
import { createRegistry } from './registry.js';
import { submitSegments } from './submit-segments.js';
import { createSupervisor, type SupervisorOptions } from './supervisor.js';

useSupervisorsDir();

const { fixture: fixturePath, onCleanup } = useSupervisorCommand();

/** A blocker that runs until the file `go` exists, and four agents waiting on it. */
function setup(options: Partial<SupervisorOptions>) {
  const { root, cleanup } = createTestWorkspace();
  onCleanup(cleanup);
  const registry = createRegistry(root);
  const go = join(root, 'go');
  const dependants = ['d1', 'd2', 'd3', 'd4'];
  submitSegments(registry, [
    { prompt: `while [ ! -e "${go}" ]; do sleep 0.05; done\n`, directives: { name: 'blocker' } },
    // Each dependant writes its pid (that of the shell the shell launcher runs: the agent's process).
    ...dependants.map((name) => ({
      prompt: `echo $$ > "${root}/pid.${name}"\nsleep 0.2\n`,
      directives: { name, wait: ['blocker'] },
    })),
  ]);
  const supervisor = createSupervisor({
    workspaceRoot: root,
    resolveLauncher: resolveShell,
    pollMs: 200,
    ...options,
  });
  onCleanup(() => supervisor.stop());
  const pidOf = (name: string) => Number(readFileSync(join(root, `pid.${name}`), 'utf8'));
  return { root, registry, go, dependants, supervisor, pidOf };
}

describe('standby shells of a supervisor', () => {
  it('in-process: one per agent a running blocker will release, which then start in them; none after stop', async () => {
    const { registry, go, dependants, supervisor, pidOf } = setup({});
    const settled = supervisor.runUntilSettled();
    await waitFor(() => registry.read('blocker')?.running?.pid != null);
    await waitFor(() => standbyShellsOf([process.pid]).length === 4);
    const standby = standbyShellsOf([process.pid]);
    writeFileSync(go, '');
    const states = await settled;
    expect(states.every((state) => state.state === 'completed')).toBe(true);
    // Each dependant's process is one of the shells (exec keeps the pid).
    expect(dependants.map(pidOf).every((pid) => standby.includes(pid))).toBe(true);
    expect(standbyShellsOf([process.pid])).toEqual([]);
  }, 60_000);

  it('with agent hosts: the hosts keep them, the released agents start in them, and they end with the hosts', async () => {
    const { root, registry, go, dependants, supervisor, pidOf } = setup({
      agentHost: { command: [process.execPath, fixturePath(), 'host'] },
    });
    const hosts = () => processesWith(fixturePath(), 'host', root);
    await supervisor.start();
    await waitFor(() => registry.read('blocker')?.running?.pid != null);
    await waitFor(() => standbyShellsOf(hosts()).length >= 4);
    const standby = standbyShellsOf(hosts());
    writeFileSync(go, '');
    await waitFor(() => dependants.every((name) => registry.read(name)?.done !== undefined));
    expect(dependants.map(pidOf).every((pid) => standby.includes(pid))).toBe(true);
    expect(dependants.map((name) => registry.read(name)?.done?.outcome)).toEqual(
      dependants.map(() => 'completed'),
    );
    await supervisor.stop();
    await waitFor(() => hosts().length === 0 && standby.every((pid) => !existsSync(`/proc/${pid}`)));
  }, 60_000);

  it.each([
    ['in-process', false],
    ['with agent hosts', true],
  ])(
    '%s: each wave of agents gets its shells, the second as the first',
    async (_mode, isHosted) => {
      const { root, cleanup } = createTestWorkspace();
      onCleanup(cleanup);
      const registry = createRegistry(root);
      const gate = (file: string) => `while [ ! -e "${join(root, file)}" ]; do sleep 0.05; done\n`;
      const pid = (name: string) => `echo $$ > "${root}/pid.${name}"\n`;
      submitSegments(registry, [
        { prompt: gate('go1'), directives: { name: 'blocker' } },
        ...['w1a', 'w1b'].map((name) => ({
          prompt: `${pid(name)}${gate('go2')}`,
          directives: { name, wait: ['blocker'] },
        })),
        ...['w2a', 'w2b'].map((name) => ({
          prompt: `${pid(name)}sleep 0.1\n`,
          directives: { name, wait: ['w1a', 'w1b'] },
        })),
      ]);
      const supervisor = createSupervisor({
        workspaceRoot: root,
        resolveLauncher: resolveShell,
        pollMs: 200,
        ...(isHosted ? { agentHost: { command: [process.execPath, fixturePath(), 'host'] } } : {}),
      });
      onCleanup(() => supervisor.stop());
      const hosts = () => (isHosted ? processesWith(fixturePath(), 'host', root) : [process.pid]);
      const pidOf = (name: string) => Number(readFileSync(join(root, `pid.${name}`), 'utf8'));
      await supervisor.start();
      for (const [go, wave, next] of [
        ['go1', ['w1a', 'w1b'], 'blocker'],
        ['go2', ['w2a', 'w2b'], 'w1a'],
      ] as const) {
        await waitFor(() => registry.read(next)?.running?.pid != null);
        await waitFor(() => standbyShellsOf(hosts()).length >= wave.length);
        const standby = standbyShellsOf(hosts());
        writeFileSync(join(root, go), '');
        await waitFor(() => wave.every((name) => existsSync(join(root, `pid.${name}`))));
        await waitFor(() =>
          wave.every((name) => readFileSync(join(root, `pid.${name}`), 'utf8').endsWith('\n')),
        );
        expect(wave.map(pidOf).every((each) => standby.includes(each))).toBe(true);
      }
      await waitFor(
        () => registry.read('w2b')?.done !== undefined && registry.read('w2a')?.done !== undefined,
      );
    },
    60_000,
  );

  it('maxStandbyShells: 0 keeps none', async () => {
    const { registry, go, supervisor } = setup({ maxStandbyShells: 0 });
    const settled = supervisor.runUntilSettled();
    await waitFor(() => registry.read('blocker')?.running?.pid != null);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(standbyShellsOf([process.pid])).toEqual([]);
    writeFileSync(go, '');
    expect((await settled).every((state) => state.state === 'completed')).toBe(true);
  }, 60_000);
});
