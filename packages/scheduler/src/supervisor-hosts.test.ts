import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { countStandbyShells } from '@sase/launcher-core';
import { describe, expect, it } from 'vitest';
import { useSupervisorCommand } from './__fixtures__/bundle.js';
import { countLines, isAlive, processesWith, waitFor } from './__fixtures__/processes.js';
import { useSupervisorsDir } from './__fixtures__/supervisors-dir.js';
import { createTestWorkspace, readLines, resolveShell } from './__fixtures__/test-workspace.js';
import { createRegistry } from './registry.js';
import { runAgentHost } from './run-attempt.js';
import { submitSegments } from './submit-segments.js';
import { createSupervisor, type SupervisorOptions } from './supervisor.js';
import { waitForAgents } from './wait-for-agents.js';

useSupervisorsDir();

const { fixture: fixturePath, onCleanup } = useSupervisorCommand();

function setup() {
  const { root, cleanup } = createTestWorkspace();
  onCleanup(cleanup);
  const registry = createRegistry(root);
  const launches = join(root, 'launches');
  const agent = (seconds: number) => `echo "$SASE_AGENT_NAME" >> "${launches}"\nsleep ${seconds}\n`;
  const lines: string[] = [];
  const supervise = (options: Partial<SupervisorOptions> = {}) => {
    const supervisor = createSupervisor({
      workspaceRoot: root,
      resolveLauncher: resolveShell,
      pollMs: 200,
      agentHost: { command: [process.execPath, fixturePath(), 'host'] },
      log: (line) => lines.push(line),
      ...options,
    });
    onCleanup(() => supervisor.stop());
    return supervisor;
  };
  return { root, registry, launches, agent, lines, supervise };
}

const hostProcesses = (root: string) => processesWith(fixturePath(), 'host', root);

describe('warm agent hosts', () => {
  it('start the agents one blocker releases in warm hosts, several per host, each exactly once', async () => {
    const { root, registry, launches, agent, lines, supervise } = setup();
    const names = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'];
    submitSegments(registry, [
      { prompt: agent(0.8), directives: { name: 'blocker' } },
      ...names.map((name) => ({ prompt: agent(0.3), directives: { name, wait: ['blocker'] } })),
    ]);
    const supervisor = supervise();
    const states = await supervisor.runUntilSettled();
    expect(states.every((state) => state.state === 'completed')).toBe(true);
    expect(countLines(readLines(launches))).toEqual(
      Object.fromEntries(['blocker', ...names].map((name) => [name, 1])),
    );
    const hostOf = (name: string) =>
      lines.find((line) => line.startsWith(`${name} (attempt 1): agent host pid`)) ?? '';
    for (const name of names) expect(hostOf(name)).toMatch(/\(warm\)$/);
    const hostPids = new Set(names.map((name) => hostOf(name).match(/pid (\d+)/)?.[1]));
    expect(hostPids.size).toBeLessThan(names.length); // hosts run several attempts each
    expect(hostPids.size).toBeGreaterThan(0);
    await waitFor(() => hostProcesses(root).length === 0);
  }, 60_000);

  it('a warm host killed while it runs three agents: each is stopped and recorded killed, once', async () => {
    const { registry, launches, agent, supervise } = setup();
    submitSegments(registry, [
      { prompt: agent(0.2), directives: { name: 'blocker' } },
      ...['x', 'y', 'z'].map((name) => ({ prompt: agent(30), directives: { name, wait: ['blocker'] } })),
    ]);
    const supervisor = supervise({
      agentHost: { command: [process.execPath, fixturePath(), 'host'], maxSpareHosts: 1 },
    });
    await supervisor.start();
    await waitFor(() => ['x', 'y', 'z'].every((name) => registry.read(name)?.running?.pid != null));
    const running = ['x', 'y', 'z'].map((name) => registry.read(name)?.running);
    const hosts = new Set(running.map((record) => record?.hostPid));
    for (const host of hosts) process.kill(host as number, 'SIGKILL');
    const states = await waitForAgents(registry, { names: ['x', 'y', 'z'], timeoutMs: 30_000 });
    expect(states.map((state) => state.state)).toEqual(['killed', 'killed', 'killed']);
    for (const record of running) expect(isAlive(record?.pid as number)).toBe(false);
    expect(registry.read('x')?.done?.error).toMatch(
      /exited without recording an outcome.*orphaned agent process/,
    );
    expect(countLines(readLines(launches))).toEqual({ blocker: 1, x: 1, y: 1, z: 1 });
  }, 60_000);

  it('stop({agents: "keep"}) leaves agents in hosts running; they record their outcomes', async () => {
    const { registry, launches, agent, supervise } = setup();
    submitSegments(registry, [{ prompt: agent(1), directives: { name: 'kept' } }]);
    const supervisor = supervise();
    await supervisor.start();
    await waitFor(() => registry.read('kept')?.running?.pid != null);
    await supervisor.stop('restarting', { agents: 'keep' });
    const states = await waitForAgents(registry, { timeoutMs: 30_000 });
    expect(states.map((state) => state.state)).toEqual(['completed']);
    expect(readLines(launches)).toEqual(['kept']);
  }, 60_000);
});

describe('runAgentHost as a warm host', () => {
  it('runs every assignment of its input, at once, and resolves when the input has ended and they are done', async () => {
    const { registry, launches, agent } = setup();
    // Twelve at once: more than the ten listeners Node allows one AbortSignal before it warns of a leak.
    const more = Array.from({ length: 10 }, (_, index) => `more-${index}`);
    submitSegments(registry, [
      { prompt: agent(0.5), directives: { name: 'one' } },
      { prompt: agent(0.5), directives: { name: 'two' } },
      ...more.map((name) => ({ prompt: agent(0.5), directives: { name } })),
    ]);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    onCleanup(() => {
      process.off('warning', onWarning);
    });
    const input = new PassThrough();
    const logged: string[] = [];
    const host = runAgentHost({
      workspaceRoot: registry.workspaceRoot,
      resolveLauncher: resolveShell,
      input,
      log: (line) => logged.push(line),
    });
    // Standby shells first, as a supervisor asks for them while the agents' blocker runs.
    input.write('{"standby":3}\n');
    await waitFor(() => countStandbyShells() === 3);
    input.write('{"name":"one","attempt":1}\nnot json\n{"name":"two",');
    input.write('"attempt":1}\n');
    for (const name of more) input.write(`${JSON.stringify({ name, attempt: 1 })}\n`);
    await waitFor(() => readLines(launches).length === 12);
    expect(countStandbyShells()).toBe(0); // three of the agents started in them
    expect(registry.read('one')?.done).toBeUndefined(); // both run at the same time
    input.end();
    expect(await host).toMatchObject({ status: 'finished', done: { name: 'one', outcome: 'completed' } });
    expect(registry.read('two')?.done?.outcome).toBe('completed');
    for (const name of more) expect(registry.read(name)?.done?.outcome).toBe('completed');
    expect(warnings.filter((warning) => warning.includes('MaxListeners'))).toEqual([]);
    expect(
      logged.some((line) =>
        line.includes('ignoring a line that is neither {"name", "attempt"} nor {"standby"}: not json'),
      ),
    ).toBe(true);
  }, 30_000);
});
