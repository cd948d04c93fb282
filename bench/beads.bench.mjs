// Bead store benchmarks (issues 2 and 14). Ratios are against `node -e 0` measured in the same run.
//   node bench/beads.bench.mjs          (after `pnpm build`)

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finish, median, report, timeCall, timeCommand, timeCommandsInterleaved } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const sase = join(root, 'apps/cli/dist/bin.cjs');
const { openBeadStore, stringifyJsonl } = await import(join(root, 'packages/beads/dist/index.js'));

/** A realistic store: epics of 9 phases chained in order, most work closed, some in flight. */
function generate(count) {
  const records = [];
  const epics = Math.ceil(count / 10);
  const time = '2026-11-01T10:00:00.000Z';
  let edges = 0;
  for (let e = 1; e <= epics && records.length < count; e++) {
    const epicId = `b-${e}`;
    const status = e < epics * 0.7 ? 'closed' : 'open';
    // 18,000 phase edges + 2,000 epic edges = 20,000 dependency edges at 20,000 beads.
    const dependencies =
      e === 3
        ? [
            { id: 'b-1', type: 'blocks' },
            { id: 'b-2', type: 'blocks' },
          ]
        : e > 1
          ? [{ id: `b-${e - 1}`, type: 'blocks' }]
          : [];
    edges += dependencies.length;
    records.push({
      id: epicId,
      title: `Epic ${e}: rework the ${e % 7 === 0 ? 'billing' : 'search'} service`,
      status,
      issue_type: 'plan',
      tier: 'epic',
      design: `epics/202611/epic-${e}.md`,
      created_at: time,
      updated_at: time,
      ...(status === 'closed' ? { closed_at: time } : {}),
      dependencies,
    });
    for (let p = 1; p <= 9 && records.length < count; p++) {
      const phaseStatus =
        status === 'closed' ? 'closed' : p <= 3 ? 'closed' : p === 4 ? 'in_progress' : 'open';
      const phaseDeps = p > 1 ? [{ id: `${epicId}.${p - 1}`, type: 'blocks' }] : [];
      if (p === 9) phaseDeps.push({ id: `${epicId}.2`, type: 'blocks' });
      edges += phaseDeps.length;
      records.push({
        id: `${epicId}.${p}`,
        title: `Phase ${p} of epic ${e}`,
        status: phaseStatus,
        issue_type: 'phase',
        parent_id: epicId,
        model: 'opus',
        description: 'Implement the change described in the plan, with tests.',
        created_at: time,
        updated_at: time,
        ...(phaseStatus === 'closed' ? { closed_at: time } : {}),
        dependencies: phaseDeps,
      });
    }
  }
  return { records, edges };
}

/**
 * A wide backlog (issue 14): 2,000 epics of 9 phases, the first 1,000 done; in each open epic phases 2-5
 * wait only on the closed phase 1 (so 4,000 beads are ready) and phases 6-9 on phase 5. 20,000 beads,
 * 20,000 `blocks` edges, 9,000 open.
 */
function generateWide() {
  const records = [];
  const time = '2026-11-01T10:00:00.000Z';
  let edges = 0;
  const blocks = (...ids) => ids.map((id) => ({ id, type: 'blocks' }));
  for (let e = 1; e <= 2000; e++) {
    const epicId = `w-${e}`;
    const done = e <= 1000;
    // A chain of epics; the first open one also waits on a phase of the last, so no epic is ready.
    const dependencies = e === 1 ? [] : e === 1001 ? blocks('w-1000', 'w-2000.2') : blocks(`w-${e - 1}`);
    edges += dependencies.length;
    records.push({
      id: epicId,
      title: `Epic ${e}: rework the ${e % 7 === 0 ? 'billing' : 'search'} service`,
      status: done ? 'closed' : 'open',
      issue_type: 'plan',
      tier: 'epic',
      design: `epics/202611/epic-${e}.md`,
      created_at: time,
      updated_at: time,
      ...(done ? { closed_at: time } : {}),
      dependencies,
    });
    for (let p = 1; p <= 9; p++) {
      const closed = done || p === 1;
      let phaseDeps;
      if (done)
        phaseDeps =
          p === 1 ? [] : p === 9 ? blocks(`${epicId}.2`, `${epicId}.8`) : blocks(`${epicId}.${p - 1}`);
      else
        phaseDeps =
          p === 1
            ? []
            : p <= 5
              ? blocks(`${epicId}.1`)
              : p === 9
                ? blocks(`${epicId}.2`, `${epicId}.5`)
                : blocks(`${epicId}.5`);
      edges += phaseDeps.length;
      records.push({
        id: `${epicId}.${p}`,
        title: `Phase ${p} of epic ${e}`,
        status: closed ? 'closed' : 'open',
        issue_type: 'phase',
        parent_id: epicId,
        model: 'opus',
        description: 'Implement the change described in the plan, with tests.',
        created_at: time,
        updated_at: time,
        ...(closed ? { closed_at: time } : {}),
        dependencies: phaseDeps,
      });
    }
  }
  return { records, edges };
}

function makeWorkspace({ records, edges }, prefix) {
  const dir = mkdtempSync(join(tmpdir(), 'sase-bench-'));
  const beadsDir = join(dir, '.sase', 'sdd', 'beads');
  mkdirSync(beadsDir, { recursive: true });
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(beadsDir, 'config.json'), JSON.stringify({ prefix, next_counter: records.length + 1 }));
  writeFileSync(join(beadsDir, 'issues.jsonl'), stringifyJsonl(records));
  return { dir, beadsDir, edges, count: records.length };
}

/** What a command prints, and how many records a JSON array of them holds. */
function output(argv) {
  const result = spawnSync(argv[0], argv.slice(1), { maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  return { bytes: result.stdout.length, records: JSON.parse(result.stdout).length };
}

const small = makeWorkspace(generate(20_000), 'b');
const wide = makeWorkspace(generateWide(), 'w');
const node = [process.execPath, '-e', '0'];
const cli = (...args) => [process.execPath, sase, ...args];
const inSmall = (...args) => cli('-C', small.dir, 'bead', ...args);
const inWide = (...args) => cli('-C', wide.dir, 'bead', ...args);
const commands = {
  ready: inSmall('ready', '--json'),
  wideReady: inWide('ready', '--json'),
  list: inSmall('list', '--json'),
  show: inSmall('show', 'b-1000.5', '--json'),
  create: inSmall('create', '-t', 'benchmark bead'),
  version: cli('--version'),
};
// Warm the caches; the first write canonicalises the file (of the store `create` writes to).
timeCommand(commands.wideReady, { runs: 1 });
timeCommand(commands.ready, { runs: 1 });
timeCommand(inSmall('create', '-t', 'warm-up'), { runs: 1 });
const readyOut = output(commands.ready);
const wideOut = output(commands.wideReady);
const listOut = output(commands.list);
const [baseline, ready, wideReady, list, show, create, version] = timeCommandsInterleaved([
  node,
  ...Object.values(commands),
]);
console.log(
  `baseline: node -e 0 = ${baseline.ms.toFixed(1)} ms (median); each ratio is the median of per-turn ` +
    'ratios (the commands run in turns, each turn starting with node -e 0)',
);
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
report(
  `sase bead ready --json (20,000 beads, ${small.edges} edges, ${readyOut.records} ready)`,
  ready.ratio,
  1.5,
  '×',
  `${ready.ms.toFixed(1)} ms`,
);
report(
  `sase bead ready --json (wide: ${wide.count} beads, ${wide.edges} edges, ${wideOut.records} ready)`,
  wideReady.ratio,
  1.5,
  '×',
  `${wideReady.ms.toFixed(1)} ms, ${mb(wideOut.bytes)}`,
);
report(
  `sase bead list --json (${listOut.records} beads)`,
  list.ratio,
  1.5,
  '×',
  `${list.ms.toFixed(1)} ms, ${mb(listOut.bytes)}`,
);
report('sase bead show <id> --json (20,000 beads)', show.ratio, 1.3, '×', `${show.ms.toFixed(1)} ms`);
report('sase bead create (20,000 beads)', create.ratio, 2, '×', `${create.ms.toFixed(1)} ms`);
report('sase --version', version.ratio, 1.3, '×', `${version.ms.toFixed(1)} ms`);

const store = openBeadStore({ dir: small.beadsDir });
let readyCount = 0;
const readyMs = timeCall(() => {
  readyCount = store.ready().length;
});
report(`library ready() at 20,000 beads (${readyCount} ready)`, readyMs, 5, 'ms');
store.dispose();
rmSync(small.dir, { recursive: true, force: true });
rmSync(wide.dir, { recursive: true, force: true });

const large = makeWorkspace(generate(100_000), 'b');
const jsonlPath = join(large.beadsDir, 'issues.jsonl');
// Read+parse and rebuild in turns, so that both see the same machine.
const parseTimes = [];
const rebuildTimes = [];
for (let run = 0; run < 8; run++) {
  let start = performance.now();
  for (const line of readFileSync(jsonlPath, 'utf8').split('\n')) if (line) JSON.parse(line);
  if (run > 0) parseTimes.push(performance.now() - start);
  for (const suffix of ['', '-wal', '-shm'])
    rmSync(join(large.beadsDir, `beads.db${suffix}`), { force: true });
  start = performance.now();
  const rebuilt = openBeadStore({ dir: large.beadsDir });
  rebuilt.find('b-1');
  if (run > 0) rebuildTimes.push(performance.now() - start);
  rebuilt.dispose();
}
const parseMs = median(parseTimes);
const rebuildMs = median(rebuildTimes);
report(
  'rebuild cache from 100,000-line JSONL vs read+JSON.parse',
  rebuildMs / parseMs,
  3,
  '×',
  `${rebuildMs.toFixed(0)} ms vs ${parseMs.toFixed(0)} ms`,
);
rmSync(large.dir, { recursive: true, force: true });
finish();
