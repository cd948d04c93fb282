// Scale-out dispatch (issue 16): 200 trivial agents in worktrees (40 chains of 5) run through four `sase
// worker` processes on this machine, via a real redis-server and a bare git remote, next to the same run with
// the local supervisor. The dispatch overhead of an agent is the time from its blocker's done.json appearing to
// its own process starting; printed as a median and a 95th percentile for both. Informational (no budget in
// the issue): the remote path adds two pushes, a fetch and a worktree on the worker to every launch.
// Imports the built packages and starts the built CLI (run `pnpm build`).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRedisServer, startRedisServer } from '../packages/queue/dist/testing.js';
import { createRegistry, createSupervisor, submitSegments } from '../packages/scheduler/dist/index.js';
import { findWorkspace } from '../packages/workspace/dist/config.js';
import {
  createWorkspaceLifecycle,
  launcherResolverOf,
  settleAgent,
} from '../packages/workspace/dist/index.js';
import { median } from './lib.mjs';

const CHAINS = Number(process.env.QUEUE_BENCH_CHAINS ?? 40);
const LENGTH = 5;
const WORKERS = 4;
const sase = fileURLToPath(new URL('../apps/cli/dist/bin.cjs', import.meta.url));

if (findRedisServer() === undefined) {
  console.log('skip  queue dispatch: redis-server is not installed');
  process.exit(0);
}

const git = (cwd, ...args) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

async function measure(queueUrl) {
  const temporary = [];
  const root = mkdtempSync(join(tmpdir(), 'sase-queue-bench-'));
  temporary.push(root);
  const workers = [];
  try {
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'config', 'user.name', 'Bench');
    git(root, 'config', 'user.email', 'bench@localhost');
    writeFileSync(join(root, '.gitignore'), '.sase/\nstarted.*\n');
    writeFileSync(
      join(root, 'sase.yml'),
      `launcher:\n  default: shell\n  shell:\n    command: [sh]\naxe:\n  poll_ms: 1000\n${queueUrl ? `  queue: ${queueUrl}\n` : ''}`,
    );
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'start');
    if (queueUrl) {
      const remote = mkdtempSync(join(tmpdir(), 'sase-queue-bench-remote-'));
      temporary.push(remote);
      git(remote, 'init', '-q', '--bare', '-b', 'main');
      git(root, 'remote', 'add', 'origin', remote);
      git(root, 'push', '-q', 'origin', 'main');
      for (let index = 0; index < WORKERS; index++) {
        const dir = mkdtempSync(join(tmpdir(), 'sase-queue-bench-worker-'));
        temporary.push(dir);
        const child = spawn(
          process.execPath,
          [
            sase,
            'worker',
            '--queue',
            queueUrl,
            '--dir',
            dir,
            '--host',
            `bench-${index + 1}`,
            '--concurrency',
            '4',
          ],
          { stdio: 'ignore' },
        );
        workers.push(child);
      }
    }
    const workspace = await findWorkspace(root);
    const registry = createRegistry(root);
    const base = git(root, 'rev-parse', 'HEAD').trim();
    const segments = [];
    for (let chain = 0; chain < CHAINS; chain++) {
      for (let step = 0; step < LENGTH; step++) {
        const name = `c${chain}-s${step}`;
        segments.push({
          prompt: `date +%s%N > "${root}/started.${name}"\n`,
          directives: { name, ...(step === 0 ? {} : { wait: [`c${chain}-s${step - 1}`] }) },
          worktree: { base, merge: [] },
        });
      }
    }
    submitSegments(registry, segments);
    const supervisor = createSupervisor({
      workspaceRoot: root,
      resolveLauncher: launcherResolverOf(workspace),
      pollMs: 1000,
      lifecycle: createWorkspaceLifecycle(workspace),
      onSettled: (agent) => settleAgent(workspace, agent),
      log: () => {},
    });
    const startedAt = Date.now();
    const states = await supervisor.runUntilSettled();
    const elapsed = Date.now() - startedAt;
    const failed = states.filter((state) => state.state !== 'completed' && state.state !== 'noop'); // noop: nothing to commit
    if (failed.length > 0)
      throw new Error(`${failed.length} agents did not complete: ${failed[0].name} ${failed[0].error}`);
    const overheads = [];
    for (let chain = 0; chain < CHAINS; chain++) {
      for (let step = 1; step < LENGTH; step++) {
        const blocker = statSync(join(registry.agentDir(`c${chain}-s${step - 1}`), 'done.json')).mtimeMs;
        const started =
          Number(BigInt(readFileSync(join(root, `started.c${chain}-s${step}`), 'utf8').trim()) / 1000n) /
          1000;
        overheads.push(started - blocker);
      }
    }
    return { overheads, elapsed };
  } finally {
    for (const child of workers) child.kill('SIGTERM');
    for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  }
}

const redis = await startRedisServer();
try {
  const agents = CHAINS * LENGTH;
  const local = await measure(undefined);
  const remote = await measure(redis.url);
  for (const [label, run] of [
    ['local supervisor', local],
    [`queue, ${WORKERS} workers`, remote],
  ]) {
    console.log(
      `info  dispatch overhead, ${agents} agents in worktrees (${label})`.padEnd(70) +
        ' ' +
        `median ${median(run.overheads).toFixed(0)} ms, p95 ${percentile(run.overheads, 0.95).toFixed(0)} ms; ` +
        `all ${agents} in ${(run.elapsed / 1000).toFixed(1)} s`,
    );
  }
  console.log(
    `info  queue/local: median ${(median(remote.overheads) / median(local.overheads)).toFixed(1)}×, ` +
      `p95 ${(percentile(remote.overheads, 0.95) / percentile(local.overheads, 0.95)).toFixed(1)}×`,
  );
} finally {
  await redis.stop();
}
