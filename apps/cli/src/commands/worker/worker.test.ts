// Scale-out end to end (issue 16): a real redis-server, a bare git repository as the shared remote, three
// `sase worker` processes each with a clone of its own (three "machines"), and `sase bead work` on a
// five-phase epic with a diamond through the built CLI's detached supervisor (run `pnpm build` first).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRedisServer, startRedisServer, type TestRedisServer } from '@sase/queue/testing';
import { agentStates, createRegistry } from '@sase/scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempWorkspace, runCli } from '../../testing/run-cli.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const builtCli = join(repoRoot, 'apps', 'cli', 'dist', 'bin.cjs');
const hasRedis = findRedisServer() !== undefined;

const PLAN = `---
title: Login rework
phases:
  - {id: schema, title: Schema migration, depends_on: [], description: Add the credentials table.}
  - {id: hashing, title: Password hashing, depends_on: [schema], description: Hash with scrypt.}
  - {id: sessions, title: Session tokens, depends_on: [schema], description: Signed tokens.}
  - {id: endpoint, title: Login endpoint, depends_on: [hashing, sessions], description: POST /login.}
  - {id: docs, title: Documentation, depends_on: [endpoint], description: Document the flow.}
---
# Login rework
`;
const PHASES = ['sw-1.1', 'sw-1.2', 'sw-1.3', 'sw-1.4', 'sw-1.5'];

// A phase agent (on a worker: SASE_WORKER is set) writes its file, after its blockers' files are there; the
// one named in slow.txt sleeps first. The land agent (in the checkout, on this machine) lands the epic.
const AGENT = `set -e
if [ -n "$SASE_WORKER" ]; then
  if [ -f slow.txt ] && [ "$(cat slow.txt)" = "$SASE_BEAD_ID" ] && [ "$SASE_AGENT_ATTEMPT" = 1 ]; then sleep 30; fi
  echo "$SASE_BEAD_ID on $SASE_WORKER" > "$SASE_BEAD_ID.txt"
  ls sw-*.txt | tr '\\n' ' ' > "$SASE_BEAD_ID.saw"
else
  "${process.execPath}" "${builtCli}" change land "$SASE_BEAD_ID"
fi
`;

let redis: TestRedisServer;
const processes: ChildProcess[] = [];
const temporary: string[] = [];
const savedHome = process.env.HOME;
beforeAll(async () => {
  if (!hasRedis) return;
  redis = await startRedisServer();
  process.env.HOME = mkdtempSync(join(tmpdir(), 'sase-worker-home-'));
  temporary.push(process.env.HOME);
}, 60_000);
afterAll(async () => {
  for (const child of processes) child.kill('SIGKILL');
  await redis?.stop();
  process.env.HOME = savedHome;
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

async function sase(cwd: string, ...argv: string[]) {
  const result = await runCli(cwd, ...argv);
  expect(result.code, `sase ${argv.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function startWorker(host: string): { child: ChildProcess; output: () => string } {
  const dir = mkdtempSync(join(tmpdir(), `sase-${host}-`));
  temporary.push(dir);
  let output = '';
  const child = spawn(
    process.execPath,
    [
      builtCli,
      'worker',
      '--queue',
      redis.url,
      '--dir',
      dir,
      '--host',
      host,
      '--concurrency',
      '2',
      '--lock-ms',
      '2000',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  processes.push(child);
  return { child, output: () => output };
}

async function until(test: () => boolean, what: string, timeoutMs = 60_000) {
  for (const deadline = Date.now() + timeoutMs; !test(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const workerOf = (cwd: string, agent: string) => {
  const file = join(cwd, '.sase', 'agents', agent, 'worker.json');
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { host: string; pid: number })
    : undefined;
};

describe.skipIf(!hasRedis)('sase worker', () => {
  it('three workers run an epic: each phase once, in order, on some worker; a worker SIGKILLed mid-agent is lost, the land parks, a retry completes on another, and the land merges branches pushed by different workers', async () => {
    const remote = mkdtempSync(join(tmpdir(), 'sase-remote-'));
    temporary.push(remote);
    git(remote, 'init', '-q', '--bare', '-b', 'main');
    const cwd = createTempWorkspace('scale');
    git(cwd, 'config', 'user.name', 'Scale Test');
    git(cwd, 'config', 'user.email', 'scale@localhost');
    writeFileSync(join(cwd, 'agent.sh'), AGENT);
    writeFileSync(join(cwd, 'slow.txt'), 'sw-1.4');
    writeFileSync(
      join(cwd, 'sase.yml'),
      [
        'launcher:',
        '  default: shell',
        '  shell:',
        '    command: [sh, agent.sh]',
        'axe:',
        '  poll_ms: 250',
        `  queue: ${redis.url}`,
        '',
      ].join('\n'),
    );
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-q', '-m', 'start');
    git(cwd, 'remote', 'add', 'origin', remote);
    git(cwd, 'push', '-q', 'origin', 'HEAD');
    await sase(cwd, 'init', '--prefix', 'sw');
    writeFileSync(join(cwd, 'plan.md'), PLAN);
    writeFileSync(join(cwd, 'prompt.md'), 'Plan a rework of the login.\n');
    await sase(cwd, 'plan', 'submit', 'plan.md', '--tier', 'epic', '--prompt', 'prompt.md');
    await sase(cwd, 'plan', 'approve', 'login-rework');

    const workers = ['machine-1', 'machine-2', 'machine-3'].map(startWorker);
    await until(() => workers.every((worker) => worker.output().includes('serving shell')), 'the workers');
    const status = JSON.parse((await sase(cwd, 'worker', 'status', '--queue', redis.url, '--json')).stdout);
    expect(status.workers.map((worker: { host: string }) => worker.host)).toEqual([
      'machine-1',
      'machine-2',
      'machine-3',
    ]);

    try {
      await sase(cwd, 'bead', 'work', 'sw-1');
      // sw-1.4 sleeps on its first attempt: kill its worker while it runs.
      await until(() => workerOf(cwd, 'sw-1.4') !== undefined, 'sw-1.4 to reach a worker');
      const victim = workerOf(cwd, 'sw-1.4')!;
      const axe = JSON.parse((await sase(cwd, 'axe', 'status', '--json')).stdout);
      expect(axe.workers.map((worker: { host: string }) => worker.host).sort()).toEqual([
        'machine-1',
        'machine-2',
        'machine-3',
      ]);
      process.kill(victim.pid, 'SIGKILL');
      const registry = createRegistry(cwd);
      await until(() => registry.read('sw-1.4')?.done !== undefined, 'the lost attempt to be recorded');
      expect(registry.read('sw-1.4')?.done).toMatchObject({
        outcome: 'killed',
        error: `worker ${victim.host} (pid ${victim.pid}) lost`,
      });
      const parked = agentStates(registry).find((state) => state.name === 'sw-1.5');
      expect(parked).toMatchObject({ state: 'waiting', isParked: true });

      await sase(cwd, 'agent', 'retry', 'sw-1.4');
      const waited = await runCli(cwd, 'agent', 'wait', 'sw-1', '--timeout', '90');
      expect(waited.code, waited.stderr).toBe(0);
      const states = Object.fromEntries(agentStates(registry).map((state) => [state.name, state.state]));
      for (const phase of PHASES) expect(states[phase], phase).toBe('completed');
      // Each attempt ran once: only the lost one was run again, as a new attempt, by request.
      for (const phase of PHASES) {
        expect(registry.read(phase)?.request?.attempt, phase).toBe(phase === 'sw-1.4' ? 2 : 1);
      }
      expect(workerOf(cwd, 'sw-1.4')?.host).not.toBe(victim.host);

      // Every phase ran on a worker and saw its blockers' work; the land merged what different workers pushed.
      const hosts = new Set(PHASES.map((phase) => workerOf(cwd, phase)?.host));
      expect([...hosts].every((host) => /^machine-[123]$/.test(host ?? ''))).toBe(true);
      expect(hosts.size).toBeGreaterThan(1);
      expect(git(cwd, 'show', 'sase/sw-1.4:sw-1.4.saw')).toBe('sw-1.1.txt sw-1.2.txt sw-1.3.txt sw-1.4.txt ');
      for (const phase of PHASES) {
        expect(readFileSync(join(cwd, `${phase}.txt`), 'utf8')).toMatch(
          new RegExp(`^${phase} on machine-[123]\\n$`),
        );
      }
      const beads = JSON.parse((await sase(cwd, 'bead', 'list', '--json')).stdout) as {
        id: string;
        status: string;
      }[];
      expect(beads.find((bead) => bead.id === 'sw-1')?.status).toBe('closed');
    } finally {
      await runCli(cwd, 'axe', 'stop');
    }
  }, 180_000);
});
