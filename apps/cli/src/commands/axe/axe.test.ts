import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { agentStates, createRegistry, readSupervisorStatus } from '@sase/scheduler';
import { describe, expect, it } from 'vitest';
import { Command } from '../../commander.js';
import { CliRuntime } from '../../runtime.js';
import { registerAgent } from '../agent/register.js';
import { submit } from '../run/submit.js';
import { captureIo, useSupervisedWorkspaces } from './__fixtures__/cli-workspace.js';
import { registerAxe } from './register.js';
import { axeStart } from './start.js';
import { axeStatus } from './status.js';
import { axeStop } from './stop.js';

const run = promisify(execFile);
const { workspace, bin } = useSupervisedWorkspaces();

const diamond = (root: string) => {
  const log = join(root, 'order.log');
  const step = (name: string, extra = '') =>
    `echo "start ${name}" >> "${log}"\nsleep 0.3\n${extra}\necho "end ${name}" >> "${log}"`;
  return {
    log,
    text: (bExtra = '') =>
      [
        `%name:a\n${step('a')}\n`,
        `%name:b %wait:a\n${step('b', bExtra)}\n`,
        `%name:c %wait:a\n${step('c')}\n`,
        `%name:d %wait:b,c\n${step('d')}\n`,
      ].join('---\n'),
  };
};

describe('sase run (multi-prompt), sase axe', () => {
  it('submits a diamond, starts the supervisor, and --wait follows it to the end in dependency order', async () => {
    const root = workspace();
    const { log, text } = diamond(root);
    writeFileSync(join(root, 'diamond.md'), text());
    const io = captureIo();
    const code = await submit({ cwd: root, io, json: false, file: 'diamond.md', isWaiting: true });
    expect(io.err).not.toMatch(/internal error/);
    expect(code).toBe(0);
    expect(io.out).toMatch(/^a +completed/m);
    expect(io.out).toMatch(/^d +completed/m);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.indexOf('end a')).toBeLessThan(lines.indexOf('start b'));
    expect(lines.indexOf('end a')).toBeLessThan(lines.indexOf('start c'));
    expect(lines.indexOf('end b')).toBeLessThan(lines.indexOf('start d'));
    expect(lines.indexOf('end c')).toBeLessThan(lines.indexOf('start d'));

    const status = captureIo();
    expect(await axeStatus({ cwd: root, io: status, json: true })).toBe(0);
    const parsed = JSON.parse(status.out);
    expect(parsed).toMatchObject({ running: true, pid: expect.any(Number) });
    expect(parsed.agents).toEqual([
      { name: 'a', state: 'completed', attempt: 1, waits_on: [], reason: null },
      { name: 'b', state: 'completed', attempt: 1, waits_on: [], reason: null },
      { name: 'c', state: 'completed', attempt: 1, waits_on: [], reason: null },
      { name: 'd', state: 'completed', attempt: 1, waits_on: [], reason: null },
    ]);
    const stop = captureIo();
    expect(await axeStop({ cwd: root, io: stop, json: true })).toBe(0);
    expect(JSON.parse(stop.out)).toEqual({ running: false, pid: parsed.pid, was_running: true });
    const after = captureIo();
    await axeStatus({ cwd: root, io: after, json: true });
    expect(JSON.parse(after.out)).toMatchObject({ running: false, pid: null });
  }, 120_000);

  it('without --wait returns at once with the agent names; unnamed segments get names', async () => {
    const root = workspace();
    const io = captureIo();
    const code = await submit({
      cwd: root,
      io,
      json: true,
      text: 'sleep 0.2\necho one\n---\n%wait\necho two\n',
    });
    expect(code).toBe(0);
    const result = JSON.parse(io.out);
    expect(
      result.agents.map((agent: { name: string; waits: string[] }) => [agent.name, agent.waits]),
    ).toEqual([
      ['sleep-0-2-1', []],
      ['echo-two-1', ['sleep-0-2-1']],
    ]);
    expect(result.supervisor_pid).toEqual(expect.any(Number));
  }, 60_000);

  it('--wait exits 1 when an agent fails, showing the parked dependant and its reason', async () => {
    const root = workspace();
    const { text } = diamond(root);
    writeFileSync(join(root, 'diamond.md'), text('exit 4'));
    const io = captureIo();
    const code = await submit({ cwd: root, io, json: false, file: 'diamond.md', isWaiting: true });
    expect(code).toBe(1);
    expect(io.out).toMatch(/^b +failed +1 +the agent exited with code 4$/m);
    expect(io.out).toMatch(/^d +waiting +1 +parked: b failed \(exit 4\)/m);
    expect(io.err).toContain('sase agent retry');
    const states = agentStates(createRegistry(root));
    expect(states.find((state) => state.name === 'd')).toMatchObject({ isParked: true, waitsOn: ['b'] });
  }, 120_000);

  it('two `sase axe start` at once leave one supervisor; start is idempotent', async () => {
    const root = workspace();
    const results = await Promise.all(
      [1, 2].map(() => run(process.execPath, [bin(), 'axe', 'start', '--json'], { cwd: root })),
    );
    const [first, second] = results.map(({ stdout }) => JSON.parse(stdout));
    expect(first.pid).toBe(second.pid);
    expect([first.started, second.started].filter(Boolean).length).toBeLessThanOrEqual(1);
    const again = captureIo();
    await axeStart({ cwd: root, io: again, json: false });
    expect(again.out).toBe(`supervisor already running (pid ${first.pid}); log: .sase/axe/log\n`);
    const log = readFileSync(join(root, '.sase', 'axe', 'log'), 'utf8');
    expect(log.match(/supervisor \d+ started/g)).toHaveLength(1);
  }, 60_000);

  it('reloads sase.yml when it changes (the next agent runs with it; a broken one is logged and ignored), and stops by itself when idle for axe.idle_exit_s', async () => {
    const root = workspace();
    const config = join(root, 'sase.yml');
    const logFile = join(root, '.sase', 'axe', 'log');
    const until = async (test: () => boolean, what: string) => {
      for (const deadline = Date.now() + 20_000; !test(); ) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}: ${readFileSync(logFile, 'utf8')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const log = () => readFileSync(logFile, 'utf8');
    await axeStart({ cwd: root, io: captureIo(), json: false });
    // A typo in sase.yml: logged, the running configuration kept.
    writeFileSync(config, 'launcher:\n  default: shell\n  shell:\n    comand: [sh]\naxe:\n  poll_ms: 200\n');
    await until(() => log().includes('could not be loaded'), 'the invalid config to be logged');
    // The fix: the shell launcher now runs every prompt through `sh -c 'echo reloaded > marker'`.
    writeFileSync(
      config,
      "launcher:\n  default: shell\n  shell:\n    command: [sh, -c, 'echo reloaded > marker', sh]\naxe:\n  poll_ms: 200\n  idle_exit_s: 1\n",
    );
    await until(() => /sase\.yml changed: restarting with the new configuration/.test(log()), 'the restart');
    const io = captureIo();
    expect(await submit({ cwd: root, io, json: false, text: 'echo old > marker', isWaiting: true })).toBe(0);
    expect(readFileSync(join(root, 'marker'), 'utf8')).toBe('reloaded\n');
    // Nothing left to do: it stops by itself about a second later, and says why (then exits).
    await until(() => /stopping: idle for 1 s/.test(log()), 'the idle exit');
    await until(() => !readSupervisorStatus(root).isRunning, 'the supervisor to exit');
    const status = captureIo();
    await axeStatus({ cwd: root, io: status, json: true });
    expect(JSON.parse(status.out)).toMatchObject({ running: false });
  }, 60_000);
});

describe('register functions', () => {
  it('declare the axe and agent commands (serve and host hidden)', () => {
    const program = new Command('sase');
    const runtime = new CliRuntime(captureIo(), () => process.cwd());
    registerAxe(program, runtime);
    registerAgent(program, runtime);
    const names = (group: string) =>
      program.commands.find((command) => command.name() === group)?.commands.map((command) => command.name());
    expect(names('axe')).toEqual(['start', 'stop', 'status', 'serve', 'host']);
    expect(names('agent')).toEqual(['list', 'show', 'logs', 'kill', 'retry', 'wait']);
    const help = program.commands.find((command) => command.name() === 'axe')?.helpInformation() ?? '';
    expect(help).toContain('start');
    expect(help).not.toContain('serve');
  });
});
