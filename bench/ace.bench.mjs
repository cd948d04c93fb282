// ACE refresh latency: the time from a state change on disk (an agent's done.json appearing, written with the
// scheduler's own registry) to the new state on `sase ace`'s screen. ACE runs as a user runs it: the built CLI
// in an 80×24 pseudo-terminal (util-linux `script`), its output turned into a screen by @xterm/headless; the
// clock stops when the agent's row on that screen says `completed`. Budget: 250 ms for every change (issue
// #13); ACE reacts to file watching (its safety-net poll is every 3 s, so it cannot help).
// Imports the built packages and the built CLI (run `pnpm build`, or let bench/run.mjs do it).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistry, submitSegments } from '../packages/scheduler/dist/index.js';
import { finish, median, report } from './lib.mjs';

const BUDGET_MS = 250;
const RUNS = 15;
const sase = process.env.SASE_BIN_JS || fileURLToPath(new URL('../apps/cli/dist/bin.cjs', import.meta.url));
// @xterm/headless is a devDependency of the CLI (its pty tests use it).
const { Terminal } = createRequire(new URL('../apps/cli/package.json', import.meta.url))('@xterm/headless');

const root = mkdtempSync(join(tmpdir(), 'sase-ace-bench-'));
const workspace = join(root, 'bench');
const home = join(root, 'home');
mkdirSync(workspace);
mkdirSync(home);
writeFileSync(join(workspace, 'sase.yml'), 'launcher:\n  default: shell\n  shell:\n    command: [sh]\n');
const registry = createRegistry(workspace);
const names = Array.from({ length: RUNS }, (_, index) => `agent-${String(index).padStart(2, '0')}`);
// No supervisor: the agents wait until the benchmark records their outcomes.
submitSegments(
  registry,
  names.map((name) => ({ prompt: 'true', directives: { name } })),
);

const terminal = new Terminal({ cols: 80, rows: 24, allowProposedApi: true });
const ace = spawn(
  'script',
  ['-q', '-f', '-e', '-c', `stty cols 80 rows 24; exec ${process.execPath} ${sase} ace`, '/dev/null'],
  { cwd: workspace, env: { ...process.env, HOME: home, TERM: 'xterm-256color' } },
);
let check = () => {};
ace.stdout.on('data', (chunk) => terminal.write(chunk, () => check()));

function screen() {
  const buffer = terminal.buffer.active;
  return Array.from(
    { length: 24 },
    (_, row) => buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '',
  );
}

/** Resolves with the time (performance.now()) at which the screen first satisfied `test`. */
function when(test, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ACE's screen did not change as expected:\n${screen().join('\n')}`)),
      timeoutMs,
    );
    check = () => {
      if (!test(screen())) return;
      clearTimeout(timer);
      check = () => {};
      resolve(performance.now());
    };
    check();
  });
}

const rowOf = (lines, name) => lines.find((line) => line.replace(/^[> ] /, '').startsWith(`${name} `)) ?? '';

try {
  await when((lines) => names.every((name) => /waiting/.test(rowOf(lines, name))), 20_000);
  const latencies = [];
  for (const name of names) {
    await new Promise((resolve) => setTimeout(resolve, 150)); // let ACE settle, as between real changes
    const start = performance.now();
    registry.recordOutcome({
      name,
      outcome: 'completed',
      exitCode: 0,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      launcher: 'shell',
      model: null,
      error: null,
      attempt: 1,
    });
    const shown = await when((lines) => /completed/.test(rowOf(lines, name)));
    latencies.push(shown - start);
  }
  const worst = Math.max(...latencies);
  const middle = median(latencies);
  report(
    `ace done.json -> state on screen (80x24 pty, worst of ${latencies.length})`,
    worst,
    BUDGET_MS,
    'ms',
    `median ${middle.toFixed(1)} ms; worst/budget ${(worst / BUDGET_MS).toFixed(2)}×, median/budget ${(middle / BUDGET_MS).toFixed(2)}×`,
  );
} finally {
  ace.stdin.write('q');
  await Promise.race([
    new Promise((resolve) => ace.on('close', resolve)),
    new Promise((r) => setTimeout(r, 3000)),
  ]);
  ace.kill('SIGKILL');
  terminal.dispose();
  rmSync(root, { recursive: true, force: true });
}
finish();
