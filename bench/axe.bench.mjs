// AXE wake-up latency: the time from a blocker's done.json appearing to its waiting dependant's process
// starting, with the shell launcher and file watching (the poll is left at its 1000 ms default so it cannot
// help). Budget: 200 ms for every agent of the chain (the original polls every 2-10 s). Measured both with
// agents run inside the supervisor and in agent host processes (what `sase axe start` uses).
//
// Fan-out (issue 14): one blocker releases 8 dependants; budget: the worst of the 8 starts within 200 ms of
// the blocker's done.json (median of 10 runs), and the worst of 32 within 500 ms (median of 5 runs), with the
// supervisor's and the agent hosts' peak memory (RSS) beside it, and the ratio to a floor measured in the same
// run: one Node process spawning the same agent scripts with nothing else (and, for what process creation
// alone costs on the machine, one `sh` spawning them). `--fan-out-only` skips the chain.
// Imports the built packages (run `pnpm build` in packages/scheduler and packages/launcher-shell).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createShell } from '../packages/launcher-shell/dist/index.js';
import {
  createRegistry,
  createSupervisor,
  runAgentHost,
  submitSegments,
  waitForAgents,
} from '../packages/scheduler/dist/index.js';
import { finish, median, report } from './lib.mjs';

const BUDGET_MS = 200;
const CHAIN = 15;
const resolveLauncher = () => createShell({ command: ['sh'] });
const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--host') {
  const [root, name, attempt] = process.argv.slice(3);
  await runAgentHost({
    workspaceRoot: root,
    ...(name === undefined ? {} : { name, attempt: Number(attempt) }),
    resolveLauncher,
    log: () => {},
  });
  process.exit(0);
}

// The CLI binary: the built one, or SASE_BIN_JS (which the CLI itself also honours for its daemon).
const sase = process.env.SASE_BIN_JS || fileURLToPath(new URL('../apps/cli/dist/bin.cjs', import.meta.url));

async function measure(mode) {
  const root = mkdtempSync(join(tmpdir(), 'sase-axe-bench-'));
  try {
    const registry = createRegistry(root);
    const names = Array.from({ length: CHAIN }, (_, index) => `step-${index}`);
    submitSegments(
      registry,
      names.map((name, index) => ({
        // The first thing each agent does is record the time it started (nanoseconds since the epoch).
        prompt: `date +%s%N > "${root}/started.${name}"\nsleep 0.3\n`,
        directives: { name, ...(index === 0 ? {} : { wait: [names[index - 1]] }) },
      })),
    );
    let states;
    if (mode === 'sase axe start') {
      // The daemon the CLI runs: `node sase axe serve`, agents in `sase axe host` processes.
      writeFileSync(join(root, 'sase.yml'), 'launcher:\n  shell:\n    command: [sh]\n');
      spawnSync(process.execPath, [sase, 'axe', 'start'], { cwd: root, stdio: 'ignore' });
      try {
        states = await waitForAgents(registry, { timeoutMs: 120_000 });
      } finally {
        spawnSync(process.execPath, [sase, 'axe', 'stop'], { cwd: root, stdio: 'ignore' });
      }
    } else {
      const supervisor = createSupervisor({
        workspaceRoot: root,
        resolveLauncher,
        pollMs: 1000,
        ...(mode === 'agent hosts'
          ? { agentHost: { command: [process.execPath, self, '--host'], stdio: 'ignore' } }
          : {}),
      });
      states = await supervisor.runUntilSettled();
    }
    if (!states.every((state) => state.state === 'completed')) {
      throw new Error(`${mode}: not every agent completed`);
    }
    const latencies = [];
    for (let index = 1; index < CHAIN; index++) {
      const blockerDone = statSync(join(registry.agentDir(names[index - 1]), 'done.json')).mtimeMs;
      const started =
        Number(BigInt(readFileSync(join(root, `started.${names[index]}`), 'utf8').trim()) / 1000n) / 1000;
      latencies.push(started - blockerDone);
    }
    return latencies;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function isCliWired() {
  const probe = mkdtempSync(join(tmpdir(), 'sase-axe-probe-'));
  mkdirSync(join(probe, '.sase'));
  try {
    const result = spawnSync(process.execPath, [sase, 'axe', 'status', '--json'], {
      cwd: probe,
      encoding: 'utf8',
    });
    return result.status === 0 && 'running' in JSON.parse(result.stdout);
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Resident memory (MB) of a process, from /proc; 0 when it is gone or /proc is missing. */
function rssOf(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Number(line[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Live processes whose command line has every one of `parts`. */
function processesWith(parts) {
  const pids = [];
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (parts.every((part) => argv.includes(part))) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/**
 * One run of the fan-out: a blocker (2 s, so that the supervisor has its warm hosts and their standby shells
 * ready, as it has behind a real blocker, an agent that works for minutes: `sase axe start` spends about
 * 0.8 s of it starting its hosts on the 2-core VM) and `count` dependants. Returns every dependant's start
 * latency and the peak memory seen while they ran.
 */
async function fanOut(mode, count) {
  const root = mkdtempSync(join(tmpdir(), 'sase-axe-fan-'));
  try {
    const registry = createRegistry(root);
    const names = Array.from({ length: count }, (_, index) => `dependant-${index}`);
    submitSegments(registry, [
      { prompt: 'sleep 2\n', directives: { name: 'blocker' } },
      ...names.map((name) => ({
        prompt: `date +%s%N > "${root}/started.${name}"\nsleep 1\n`,
        directives: { name, wait: ['blocker'] },
      })),
    ]);
    const memory = { supervisor: 0, hosts: 0, hostCount: 0 };
    const sample = (supervisorPid, hostParts) => {
      memory.supervisor = Math.max(memory.supervisor, supervisorPid ? rssOf(supervisorPid) : 0);
      const hosts = processesWith(hostParts);
      const total = hosts.reduce((sum, pid) => sum + rssOf(pid), 0);
      if (total > memory.hosts) {
        memory.hosts = total;
        memory.hostCount = hosts.length;
      }
    };
    let states;
    if (mode === 'sase axe start') {
      writeFileSync(join(root, 'sase.yml'), 'launcher:\n  shell:\n    command: [sh]\n');
      spawnSync(process.execPath, [sase, 'axe', 'start'], { cwd: root, stdio: 'ignore' });
      const supervisorPid = Number(readFileSync(join(root, '.sase', 'axe', 'pid'), 'utf8'));
      const sampler = setInterval(() => sample(supervisorPid, [sase, 'host', root]), 100);
      try {
        states = await waitForAgents(registry, { timeoutMs: 120_000 });
      } finally {
        clearInterval(sampler);
        spawnSync(process.execPath, [sase, 'axe', 'stop'], { cwd: root, stdio: 'ignore' });
      }
    } else {
      const supervisor = createSupervisor({
        workspaceRoot: root,
        resolveLauncher,
        pollMs: 1000,
        ...(mode === 'agent hosts'
          ? { agentHost: { command: [process.execPath, self, '--host'], stdio: 'ignore' } }
          : {}),
      });
      const sampler = setInterval(() => sample(0, [self, '--host', root]), 100);
      try {
        states = await supervisor.runUntilSettled();
      } finally {
        clearInterval(sampler);
      }
    }
    if (!states.every((state) => state.state === 'completed')) {
      throw new Error(`${mode}: not every agent completed`);
    }
    const blockerDone = statSync(join(registry.agentDir('blocker'), 'done.json')).mtimeMs;
    const latencies = names.map(
      (name) =>
        Number(BigInt(readFileSync(join(root, `started.${name}`), 'utf8').trim()) / 1000n) / 1000 -
        blockerDone,
    );
    return { latencies, memory };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const FAN_OUTS = [
  { count: 8, runs: 10, budget: 200 },
  { count: 32, runs: 5, budget: 500 },
];

/**
 * The floor on this machine: the same `count` agent scripts started by one Node process with nothing else
 * (no registry, no supervisor, no claims): the time from the first spawn to the last script's `date`. Process
 * creation is what fan-out pays for most (on a VM where page-table updates trap, each Node spawn takes
 * several milliseconds), so each mode is also shown as a ratio of this.
 */
async function bareSpawn(count) {
  const root = mkdtempSync(join(tmpdir(), 'sase-axe-bare-'));
  try {
    const children = [];
    const startedAt = Date.now();
    for (let index = 0; index < count; index++) {
      const script = `date +%s%N > "${root}/started.${index}"\nsleep 1\n`;
      children.push(spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    }
    await Promise.all(children.map((child) => new Promise((resolve) => child.on('close', resolve))));
    return latestStart(root, count, startedAt);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** How long after `startedAt` (ms since the epoch) the last of `count` scripts wrote its started.<index>. */
function latestStart(root, count, startedAt) {
  const starts = Array.from(
    { length: count },
    (_, index) => Number(BigInt(readFileSync(join(root, `started.${index}`), 'utf8').trim()) / 1000n) / 1000,
  );
  return Math.max(...starts) - startedAt;
}

/**
 * The same scripts started by one `sh` (a process of about a megabyte, so each fork is as cheap as this machine
 * makes it): what process creation alone costs here, with no Node process forking at all.
 */
function shellSpawn(count) {
  const root = mkdtempSync(join(tmpdir(), 'sase-axe-sh-'));
  try {
    const loop = `i=0; while [ $i -lt ${count} ]; do sh -c "date +%s%N > '${root}/started.$i'; sleep 1" & i=$((i+1)); done; wait`;
    const startedAt = Date.now();
    spawnSync('sh', ['-c', loop], { stdio: 'ignore' });
    return latestStart(root, count, startedAt);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const bareFloor = new Map();

async function measureFanOut(mode, { count, runs, budget }) {
  if (!bareFloor.has(count)) {
    const bare = [];
    for (let run = 0; run < runs; run++) bare.push(await bareSpawn(count));
    bareFloor.set(count, median(bare));
    const name = `axe fan-out 1 -> ${count}: floor, bare Node spawning ${count} scripts (median of ${runs})`;
    console.log(`INFO  ${name.padEnd(58)} ${`${median(bare).toFixed(1)} ms`.padStart(10)}`);
    const shell = [];
    for (let run = 0; run < runs; run++) shell.push(shellSpawn(count));
    const shellName = `axe fan-out 1 -> ${count}: floor, one sh spawning ${count} scripts (median of ${runs})`;
    console.log(`INFO  ${shellName.padEnd(58)} ${`${median(shell).toFixed(1)} ms`.padStart(10)}`);
  }
  const worsts = [];
  const memory = { supervisor: 0, hosts: 0, hostCount: 0 };
  for (let run = 0; run < runs; run++) {
    const result = await fanOut(mode, count);
    worsts.push(Math.max(...result.latencies));
    memory.supervisor = Math.max(memory.supervisor, result.memory.supervisor);
    if (result.memory.hosts > memory.hosts)
      Object.assign(memory, { ...result.memory, supervisor: memory.supervisor });
  }
  const worst = median(worsts);
  const memoryText =
    mode === 'in-process'
      ? ''
      : `; peak RSS: ${mode === 'sase axe start' ? `supervisor ${memory.supervisor.toFixed(0)} MB, ` : ''}hosts ${memory.hosts.toFixed(0)} MB (${memory.hostCount} processes)`;
  report(
    `axe fan-out 1 -> ${count}: worst dependant started (${mode}, median of ${runs})`,
    worst,
    budget,
    'ms',
    `ratio ${(worst / budget).toFixed(2)} of budget, ${(worst / bareFloor.get(count)).toFixed(2)}x the bare-spawn floor; worst per run ${worsts.map((value) => value.toFixed(0)).join(' ')} ms${memoryText}`,
  );
}

const hasCli = isCliWired();
const isFanOutOnly = process.argv.includes('--fan-out-only');
for (const mode of isFanOutOnly ? [] : ['in-process', 'agent hosts', 'sase axe start']) {
  if (mode === 'sase axe start' && !hasCli) {
    console.log('SKIP  axe via `sase axe start`: apps/cli/dist/bin.cjs has no axe command (build the CLI)');
    continue;
  }
  const latencies = await measure(mode);
  const worst = Math.max(...latencies);
  report(
    `axe done.json -> dependant started (${mode}, worst of ${latencies.length})`,
    worst,
    BUDGET_MS,
    'ms',
    `median ${median(latencies).toFixed(1)} ms; the original polls every 2000-10000 ms (ratio ${(worst / 2000).toFixed(3)})`,
  );
}
for (const fan of FAN_OUTS) {
  for (const mode of ['in-process', 'agent hosts', 'sase axe start']) {
    if (mode === 'sase axe start' && !hasCli) continue;
    await measureFanOut(mode, fan);
  }
}
finish();
