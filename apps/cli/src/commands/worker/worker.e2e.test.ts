// Scale-out end to end (issue 16): a real redis-server, a bare git repository as the shared remote, three
// `sase worker` processes each with a clone of its own (three "machines"), and `sase bead work` on a
// five-phase epic with a diamond through the built CLI's detached supervisor (run `pnpm build` first).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRedisServer, startRedisServer, type TestRedisServer } from '@sase/queue/testing';
import { agentStates, createRegistry, readSupervisorStatus } from '@sase/scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempWorkspace, runCli } from '../../testing/run-cli.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const builtCli = join(repoRoot, 'apps', 'cli', 'dist', 'bin.cjs');
const hasRedis = findRedisServer() !== undefined;

// Nine phases with diamonds: p4 joins p2 and p3, p8 joins p5 and p6, p9 joins p7 and p8.
const phaseLine = (n: number, after: number[]) =>
  `  - {id: p${n}, title: Phase ${n}, depends_on: [${after.map((each) => `p${each}`).join(', ')}], description: Part ${n}.}`;
const PLAN = [
  '---',
  'title: Nine phases',
  'phases:',
  phaseLine(1, []),
  phaseLine(2, [1]),
  phaseLine(3, [1]),
  phaseLine(4, [2, 3]),
  phaseLine(5, [4]),
  phaseLine(6, [4]),
  phaseLine(7, [4]),
  phaseLine(8, [5, 6]),
  phaseLine(9, [7, 8]),
  '---',
  '# Nine phases',
  '',
].join('\n');
const PHASES = Array.from({ length: 9 }, (_, index) => `sw-1.${index + 1}`);

// A phase agent (on a worker: SASE_WORKER is set) writes its file, after its blockers' files are there; the
// one named in slow.txt sleeps first. The land agent (in the checkout, on this machine) lands the epic.
const AGENT = `set -e
if [ -n "$SASE_WORKER" ]; then
  if [ -n "$LAUNCHES" ]; then echo "$SASE_BEAD_ID" >> "$LAUNCHES"; fi
  sleep "\${PHASE_SLEEP:-0}"
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

/** A git checkout pushed to a bare remote, with `axe.queue` and the epic of `plan` approved (sw-1 …). */
async function createEpicWorkspace(
  plan: string,
  planName: string,
  slowPhase: string,
  shellEnv: Record<string, string> = {},
) {
  const remote = mkdtempSync(join(tmpdir(), 'sase-remote-'));
  temporary.push(remote);
  git(remote, 'init', '-q', '--bare', '-b', 'main');
  const cwd = createTempWorkspace('scale');
  git(cwd, 'config', 'user.name', 'Scale Test');
  git(cwd, 'config', 'user.email', 'scale@localhost');
  writeFileSync(join(cwd, 'agent.sh'), AGENT);
  writeFileSync(join(cwd, 'slow.txt'), slowPhase);
  writeFileSync(
    join(cwd, 'sase.yml'),
    [
      'launcher:',
      '  default: shell',
      '  shell:',
      '    command: [sh, agent.sh]',
      `    env: ${JSON.stringify(shellEnv)}`,
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
  writeFileSync(join(cwd, 'plan.md'), plan);
  writeFileSync(join(cwd, 'prompt.md'), 'Plan a rework of the login.\n');
  await sase(cwd, 'plan', 'submit', 'plan.md', '--tier', 'epic', '--prompt', 'prompt.md');
  await sase(cwd, 'plan', 'approve', planName);

  return cwd;
}

describe.skipIf(!hasRedis)('sase worker', () => {
  it('three workers run a nine-phase epic: each phase once, in order, on some worker; a worker SIGKILLed mid-agent is lost, the land parks, a retry completes on another, and the land merges branches pushed by different workers', async () => {
    const cwd = await createEpicWorkspace(PLAN, 'nine-phases', 'sw-1.4');
    try {
      // No worker yet: the first phase waits in the queue, and the listings say so.
      await sase(cwd, 'bead', 'work', 'sw-1');
      await until(
        () => existsSync(join(cwd, '.sase', 'agents', 'sw-1.1', 'queued.json')),
        'sw-1.1 to be queued',
      );
      expect((await sase(cwd, 'agent', 'list')).stdout).toMatch(
        /sw-1\.1 +running +1 +queued: waiting for a worker/,
      );
      expect(JSON.parse((await sase(cwd, 'axe', 'status', '--json')).stdout).workers).toEqual([]);
      expect((await sase(cwd, 'axe', 'status')).stdout).toContain('0 worker(s) connected');

      const workers = ['machine-1', 'machine-2', 'machine-3'].map(startWorker);
      await until(() => workers.every((worker) => worker.output().includes('serving shell')), 'the workers');
      const status = JSON.parse((await sase(cwd, 'worker', 'status', '--queue', redis.url, '--json')).stdout);
      // Without --launchers: shell, and the agent CLIs found on the machine's PATH.
      expect(status.workers[0]).toMatchObject({ capacity: 2, running: expect.any(Number) });
      expect(status.workers[0].launchers[0]).toBe('shell');
      expect(status.workers.map((worker: { host: string }) => worker.host)).toEqual([
        'machine-1',
        'machine-2',
        'machine-3',
      ]);
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

  it('nine phases on two workers: Redis restarted and the supervisor SIGKILLed mid-run lose nothing and run nothing twice', async () => {
    const launches = join(mkdtempSync(join(tmpdir(), 'sase-launches-')), 'launches.log');
    temporary.push(join(launches, '..'));
    const cwd = await createEpicWorkspace(PLAN, 'nine-phases', 'none', {
      LAUNCHES: launches,
      PHASE_SLEEP: '1',
    });
    const phases = PHASES;
    const workers = ['machine-4', 'machine-5'].map(startWorker);
    await until(() => workers.every((worker) => worker.output().includes('serving shell')), 'the workers');
    const registry = createRegistry(cwd);
    const done = (name: string) => registry.read(name)?.done !== undefined;
    try {
      await sase(cwd, 'bead', 'work', 'sw-1');
      await until(() => workerOf(cwd, 'sw-1.2') !== undefined, 'the second wave');
      await redis.restart({ downMs: 500 });
      await until(() => workerOf(cwd, 'sw-1.5') !== undefined, 'the fourth wave');
      const supervisor = readSupervisorStatus(cwd);
      expect(supervisor.isRunning).toBe(true);
      process.kill(supervisor.pid as number, 'SIGKILL');
      await until(() => !readSupervisorStatus(cwd).isRunning, 'the supervisor to be gone');
      await sase(cwd, 'axe', 'start');
      const waited = await runCli(cwd, 'agent', 'wait', 'sw-1', '--timeout', '120');
      expect(waited.code, waited.stderr).toBe(0);
      expect(phases.every(done)).toBe(true);
      const states = Object.fromEntries(agentStates(registry).map((state) => [state.name, state.state]));
      for (const name of phases) {
        expect(states[name], name).toBe('completed');
        expect(registry.read(name)?.request?.attempt, name).toBe(1);
      }
      // Every phase launched exactly once, whatever restarted meanwhile.
      const lines = readFileSync(launches, 'utf8').trim().split('\n').sort();
      expect(lines).toEqual([...phases].sort());
      expect(readFileSync(join(cwd, 'sw-1.9.saw'), 'utf8')).toBe(
        `${phases.map((name) => `${name}.txt`).join(' ')} `,
      );
    } finally {
      await runCli(cwd, 'axe', 'stop');
    }
  }, 180_000);
});
