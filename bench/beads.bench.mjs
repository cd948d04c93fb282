// Bead store benchmarks (issue 2). Ratios are against `node -e 0` measured in the same run.
//   node bench/beads.bench.mjs          (after `pnpm build`)
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

function makeWorkspace(count) {
  const dir = mkdtempSync(join(tmpdir(), 'sase-bench-'));
  const beadsDir = join(dir, '.sase', 'sdd', 'beads');
  mkdirSync(beadsDir, { recursive: true });
  mkdirSync(join(dir, '.git'));
  const { records, edges } = generate(count);
  writeFileSync(join(beadsDir, 'config.json'), JSON.stringify({ prefix: 'b', next_counter: count + 1 }));
  writeFileSync(join(beadsDir, 'issues.jsonl'), stringifyJsonl(records));
  return { dir, beadsDir, edges };
}

const small = makeWorkspace(20_000);
const node = [process.execPath, '-e', '0'];
const cli = (...args) => [process.execPath, sase, ...args];
timeCommand(cli('bead', 'ready', '--json'), { cwd: small.dir, runs: 1 }); // warm the cache
timeCommand(cli('bead', 'create', '-t', 'warm-up'), { cwd: small.dir, runs: 1 }); // first write canonicalises
const [baseline, ready, create, version] = timeCommandsInterleaved(
  [node, cli('bead', 'ready', '--json'), cli('bead', 'create', '-t', 'benchmark bead'), cli('--version')],
  { cwd: small.dir },
);
console.log(
  `baseline: node -e 0 = ${baseline.ms.toFixed(1)} ms (median); each ratio is the median of per-turn ` +
    'ratios (the commands run in turns, each turn starting with node -e 0)',
);
report(
  `sase bead ready --json (20,000 beads, ${small.edges} edges, warm)`,
  ready.ratio,
  1.5,
  '×',
  `${ready.ms.toFixed(1)} ms`,
);
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

const large = makeWorkspace(100_000);
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
