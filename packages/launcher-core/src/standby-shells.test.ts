import { chmodSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from './internal/process-group.js';
import { type AgentProcess, spawnAgentProcess } from './spawn-agent-process.js';
import { countStandbyShells, prepareAgentProcesses, type StandbyShells } from './standby-shells.js';

let directory: string;
let request: StandbyShells | undefined;

beforeEach(() => {
  directory = realpathSync(mkdtempSync(join(tmpdir(), 'sase-standby-')));
});

afterEach(() => {
  request?.release();
  request = undefined;
  rmSync(directory, { recursive: true, force: true });
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Prepares `count` standby shells and waits until they are all started. */
async function standby(count: number): Promise<void> {
  request = prepareAgentProcesses(count);
  await until(() => countStandbyShells() === count, `${count} standby shells`);
}

async function output(
  agent: AgentProcess,
): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  let stdout = '';
  let stderr = '';
  agent.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  agent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = await agent.exited;
  await new Promise((resolve) => setImmediate(resolve));
  return { stdout, stderr, exitCode: exit.exitCode };
}

/** Prints the agent's directory, then its environment, one NUL-separated `key=value` each. */
function environmentPrinter(): string {
  const path = join(directory, 'print-env');
  writeFileSync(path, '#!/bin/sh\npwd\nexec env -0\n');
  chmodSync(path, 0o755);
  return path;
}

const parseEnvironment = (text: string) =>
  Object.fromEntries(
    text
      .split('\0')
      .filter((entry) => entry !== '')
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );

describe('standby shells', () => {
  it('keeps as many as are asked for, and closes them on release', async () => {
    await standby(3);
    const second = prepareAgentProcesses(2);
    await until(() => countStandbyShells() === 5, 'the second request');
    second.release();
    expect(countStandbyShells()).toBe(3);
    request?.release();
    expect(countStandbyShells()).toBe(0);
  });

  it('starts an agent in a standby shell, with exactly the directory and environment a plain spawn gives', async () => {
    const printer = environmentPrinter();
    const { HOME: _home, ...withoutHome } = process.env;
    const env = {
      ...withoutHome,
      SASE_AGENT_NAME: 'fixer',
      QUOTED: 'it\'s "quoted" $HOME `date`',
      MULTILINE: 'one\ntwo\n',
      EMPTY: '',
      PWD: '/somewhere/else',
    };
    await standby(1);
    const inStandby = spawnAgentProcess({ command: [printer], cwd: directory, env });
    expect(countStandbyShells()).toBe(0);
    const viaStandby = await output(inStandby);
    const viaSpawn = await output(spawnAgentProcess({ command: [printer], cwd: directory, env }));
    expect(viaStandby.stderr).toBe('');
    expect(viaStandby.exitCode).toBe(0);
    expect(viaStandby.stdout.split('\n')[0]).toBe(directory);
    const standbyEnvironment = parseEnvironment(viaStandby.stdout.slice(viaStandby.stdout.indexOf('\n') + 1));
    const spawnEnvironment = parseEnvironment(viaSpawn.stdout.slice(viaSpawn.stdout.indexOf('\n') + 1));
    expect(standbyEnvironment).toEqual(spawnEnvironment);
    expect(standbyEnvironment.MULTILINE).toBe('one\ntwo\n');
    expect(standbyEnvironment.QUOTED).toBe(env.QUOTED);
    expect(standbyEnvironment.HOME).toBeUndefined();
  });

  it('counts a shell an agent starts in against the request: it is not replaced until the request is updated', async () => {
    await standby(2);
    await output(spawnAgentProcess({ command: ['true'], cwd: directory, env: process.env }));
    expect(request?.count).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(countStandbyShells()).toBe(1);
    request?.update(2);
    await until(() => countStandbyShells() === 2, 'the shell started again');
  });

  it('passes arguments with newlines and quotes as they are, whatever the environment names', async () => {
    await standby(1);
    const agent = spawnAgentProcess({
      command: ['sh', '-c', 'printf "%s|%s" "$1" "$n"', 'sh', 'a\nb \'c\' "d" $n'],
      cwd: directory,
      env: { ...process.env, n: 'N' },
    });
    expect(countStandbyShells()).toBe(0);
    expect((await output(agent)).stdout).toBe('a\nb \'c\' "d" $n|N');
  });

  it('passes the input on stdin to the agent whole, after the line the shell reads', async () => {
    await standby(1);
    const input = `line one\n${'x'.repeat(200_000)}\n'quotes' and "more"\n`;
    const agent = spawnAgentProcess({ command: ['cat'], cwd: directory, env: process.env, input });
    expect(countStandbyShells()).toBe(0);
    const result = await output(agent);
    expect(result.stdout).toBe(input);
    expect(result.exitCode).toBe(0);
  });

  it("gives the agent's exit code, and kill() stops its whole process group", async () => {
    await standby(2);
    const failing = await output(
      spawnAgentProcess({ command: ['sh', '-c', 'exit 7'], cwd: directory, env: process.env }),
    );
    expect(failing.exitCode).toBe(7);
    const marker = join(directory, 'grandchild.pid');
    const agent = spawnAgentProcess({
      command: ['sh', '-c', `sleep 30 & echo $! > ${marker}; wait`],
      cwd: directory,
      env: process.env,
      killGraceMs: 500,
    });
    expect(countStandbyShells()).toBe(0);
    await until(() => readFileSync(marker, { encoding: 'utf8', flag: 'a+' }).trim() !== '', 'the grandchild');
    agent.kill();
    const exit = await agent.exited;
    expect(exit.signal).toBe('SIGTERM');
    await agent.waitForGroupExit();
    const grandchild = Number(readFileSync(marker, 'utf8'));
    expect(isProcessAlive(grandchild)).toBe(false);
  });

  it('leaves to a plain spawn what exec in a shell would do differently', async () => {
    await standby(2);
    // Not found: the spawn error of a plain spawn.
    const missing = spawnAgentProcess({
      command: ['sase-no-such-program'],
      cwd: directory,
      env: process.env,
    });
    expect((await missing.exited).spawnError).toBeInstanceOf(Error);
    // A file without `#!` (sh would run it as a script); a variable name the shell cannot set.
    const plain = join(directory, 'plain');
    writeFileSync(plain, 'echo ran by sh\n');
    chmodSync(plain, 0o755);
    spawnAgentProcess({ command: [plain], cwd: directory, env: process.env }).kill();
    await output(
      spawnAgentProcess({ command: ['true'], cwd: directory, env: { ...process.env, 'A-B': '1' } }),
    );
    expect(countStandbyShells()).toBe(2);
  });
});
