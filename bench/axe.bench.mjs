// AXE wake-up latency: the time from a blocker's done.json appearing to its waiting dependant's process
// starting, with the shell launcher and file watching (the poll is left at its 1000 ms default so it cannot
// help). Budget: 200 ms for every agent of the chain (the original polls every 2-10 s). Measured both with
// agents run inside the supervisor and in agent host processes (what `sase axe start` uses).
// Imports the built packages (run `pnpm build` in packages/scheduler and packages/launcher-shell).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

const hasCli = isCliWired();
for (const mode of ['in-process', 'agent hosts', 'sase axe start']) {
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
finish();
