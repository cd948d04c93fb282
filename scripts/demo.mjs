// `npm run demo`: sets up the workspace, then tours the bead store in a temporary git repository with the
// real `sase` binary: an epic with a diamond of phases, the ready queue moving as work closes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, root, setup } from './setup.mjs';

if (!process.argv.includes('--no-setup')) setup({ filter: '@sase/cli...' });
const workspace = mkdtempSync(join(tmpdir(), 'sase-demo-'));
spawnSync('git', ['init', '-q'], { cwd: workspace });
const sase = join(root, 'apps/cli/dist/bin.js');

function step(title, ...args) {
  console.log(
    `\n\x1b[1m$ sase ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}\x1b[0m   # ${title}`,
  );
  const argv = args.filter((a) => a !== '--expect-fail');
  const result = spawnSync(process.execPath, [sase, ...argv], { cwd: workspace, env, stdio: 'inherit' });
  if (result.status !== 0 && !args.includes('--expect-fail')) process.exit(result.status ?? 1);
}

console.log(`workspace: ${workspace}`);
step('set up SASE in this checkout', 'init', '--prefix', 'demo');
step('an epic plan bead', 'bead', 'create', '-t', 'Rework login', '--tier', 'epic');
step('phase 1', 'bead', 'create', '-t', 'Schema migration', '--parent', '1', '-m', 'opus');
step('phase 2 waits on 1', 'bead', 'create', '-t', 'Password hashing', '--parent', '1', '--deps', '1.1');
step('phase 3 waits on 1', 'bead', 'create', '-t', 'Session tokens', '--parent', '1', '--deps', '1.1');
step(
  'phase 4 waits on 2 and 3 (a diamond)',
  'bead',
  'create',
  '-t',
  'Login endpoint',
  '--parent',
  '1',
  '--deps',
  '1.2,1.3',
);
step('what can start now', 'bead', 'ready');
step('what waits, and on what', 'bead', 'blocked');
step('a cycle is refused, naming it', 'bead', 'dep', 'add', '1.1', '1.4', '--expect-fail');
step('finish phase 1', 'bead', 'close', '1.1', '-r', 'migrated');
step('2 and 3 are ready now, in parallel', 'bead', 'ready');
step('the dependency picture of phase 4', 'bead', 'dep', 'tree', '1.4');
step('counts', 'bead', 'stats');
step('the committed truth, one line per bead', 'bead', 'list', '--json');
console.log(`\nThe store is plain text: ${join(workspace, '.sase/sdd/beads/issues.jsonl')}`);
