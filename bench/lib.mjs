// Shared helpers for the benchmarks: timing, medians and the report line every bench prints.
import { spawnSync } from 'node:child_process';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median wall time in ms of running `argv` `runs` times (after one warm-up run). */
export function timeCommand(argv, { runs = 15, cwd, env } = {}) {
  return timeCommandsInterleaved([argv], { runs, cwd, env })[0].ms;
}

/**
 * Several commands run in turns (A, B, C, A, B, C, ...), so that drift in the machine's load affects each
 * of them alike. Returns, per command, the median wall time and the median of its per-turn ratio to the
 * first command (the baseline): each ratio compares two runs made a few milliseconds apart, so a slow
 * stretch of a shared machine raises both sides of it instead of skewing one median.
 */
export function timeCommandsInterleaved(commands, { runs = 31, cwd, env } = {}) {
  const times = commands.map(() => []);
  for (let i = 0; i <= runs; i++) {
    commands.forEach((argv, index) => {
      const start = process.hrtime.bigint();
      const result = spawnSync(argv[0], argv.slice(1), {
        cwd,
        env: env ?? process.env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
      if (i > 0) times[index].push(elapsed);
    });
  }
  return times.map((own) => ({
    ms: median(own),
    ratio: median(own.map((value, turn) => value / times[0][turn])),
  }));
}

/** Median time in ms of calling fn() `runs` times in-process (after warm-up calls). */
export function timeCall(fn, { runs = 30, warmup = 3 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

const failures = [];

/** Prints one result line; `limit` is the budget for `value` (a ratio or ms). */
export function report(name, value, limit, unit = '×', detail = '') {
  const ok = value <= limit;
  if (!ok) failures.push(name);
  const shown = unit === '×' ? `${value.toFixed(2)}×` : `${value.toFixed(1)} ms`;
  const budget = unit === '×' ? `${limit}×` : `${limit} ms`;
  console.log(
    `${ok ? 'OK  ' : 'FAIL'}  ${name.padEnd(58)} ${shown.padStart(10)}  (budget ${budget})${detail ? `  ${detail}` : ''}`,
  );
}

export function finish() {
  if (failures.length > 0) {
    console.log(`${failures.length} over budget: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
}
