import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnAgentProcess } from './spawn-agent-process.js';
import { isProcessAlive } from './testing.js';

const directory = mkdtempSync(join(tmpdir(), 'sase-spawn-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (chunk) => {
      text += chunk;
    });
    stream.on('end', () => resolve(text));
  });
}

describe('spawnAgentProcess', () => {
  it('passes argv and stdin literally: no shell sees them', async () => {
    const hostile = '$(touch pwned) `touch pwned` ; touch pwned | cat > pwned';
    const agent = spawnAgentProcess({
      command: [
        process.execPath,
        '-e',
        'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify({argv:process.argv.slice(1),stdin:s})))',
        hostile,
      ],
      cwd: directory,
      env: { ...process.env },
      input: hostile,
    });
    const stdout = collect(agent.stdout);
    expect(await agent.exited).toEqual({ exitCode: 0, signal: null });
    expect(JSON.parse(await stdout)).toEqual({ argv: [hostile], stdin: hostile });
    expect(() => readFileSync(join(directory, 'pwned'))).toThrow();
  });

  it('survives an agent that exits without reading its stdin', async () => {
    const agent = spawnAgentProcess({
      command: [process.execPath, '-e', 'process.exit(3)'],
      cwd: directory,
      env: { ...process.env },
      input: 'x'.repeat(4 * 1024 * 1024),
    });
    expect((await agent.exited).exitCode).toBe(3);
  });

  it('reports a process that cannot start as a spawn error, not a crash', async () => {
    const agent = spawnAgentProcess({ command: [join(directory, 'missing')], cwd: directory, env: {} });
    const exit = await agent.exited;
    expect(agent.pid).toBeUndefined();
    expect(exit.exitCode).toBeNull();
    expect(exit.spawnError?.message).toMatch(/ENOENT/);
    agent.kill(); // a no-op
  });

  it('kill() reaches the whole process group, escalating to SIGKILL for what ignores SIGTERM', async () => {
    const script = [
      'const { spawn } = require("node:child_process");',
      'const child = spawn(process.execPath, ["-e", "process.on(\'SIGTERM\', () => {}); setInterval(() => {}, 1000)"], { stdio: "ignore" });',
      'console.log(child.pid);',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const agent = spawnAgentProcess({
      command: [process.execPath, '-e', script],
      cwd: directory,
      env: { ...process.env },
      killGraceMs: 200,
    });
    const grandchild = await new Promise<number>((resolve) => {
      agent.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
    });
    expect(isProcessAlive(grandchild)).toBe(true);
    agent.kill();
    agent.kill(); // idempotent
    expect(agent.isKilled).toBe(true);
    expect((await agent.exited).signal).toBe('SIGTERM');
    await agent.waitForGroupExit();
    expect(isProcessAlive(grandchild)).toBe(false);
  });

  it('refuses an empty command', () => {
    expect(() => spawnAgentProcess({ command: [], cwd: directory, env: {} })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});
