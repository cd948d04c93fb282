// `npm run demo`: sets up this repository, then runs a real multi-agent run in a temporary git repository,
// with no account: an epic of five phases with a diamond in its dependencies is planned and approved
// through `sase plan`, worked by shell-launcher agents (scripts/demo-agent.mjs), each in its own git
// worktree, under the AXE supervisor. SASE commits each agent's work, runs the project's check on it
// (one phase fails it on purpose, and passes when retried with the check's log), records a ChangeSpec per
// change, and the land agent merges the phase branches in dependency order.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, root, setup } from './setup.mjs';

if (!process.argv.includes('--no-setup')) setup({ filter: '@sase/cli...' });
const workspace = mkdtempSync(join(tmpdir(), 'sase-demo-'));
const sase = join(root, 'apps/cli/dist/bin.cjs');
const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

function sh(command, args) {
  const result = spawnSync(command, args, { cwd: workspace, env, stdio: 'inherit' });
  if (result.status !== 0) {
    spawnSync(process.execPath, [sase, 'axe', 'stop'], { cwd: workspace, env, stdio: 'ignore' });
    console.error(`\ndemo failed: ${command} ${args.join(' ')} exited with ${result.status}`);
    process.exit(1);
  }
}

function step(title, ...args) {
  console.log(
    `\n${bold(`$ sase ${args.map((a) => (/[\s,]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`)}   # ${title}`,
  );
  sh(process.execPath, [sase, ...args]);
}

function read(...args) {
  return JSON.parse(
    spawnSync(process.execPath, [sase, ...args], { cwd: workspace, env, encoding: 'utf8' }).stdout,
  );
}

console.log(`${bold('SASE demo')}: a real multi-agent run in ${workspace}`);
sh('git', ['init', '-q', '-b', 'main']);
writeFileSync(
  join(workspace, 'check.mjs'),
  `// The project's check, run by SASE on every change (sase.yml changes.hooks): no TODO may land.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
const files = existsSync('src') ? readdirSync('src').map((file) => 'src/' + file) : [];
const bad = files.filter((file) => readFileSync(file, 'utf8').includes('TODO'));
for (const file of bad) console.error(file + ': has a TODO left in it');
console.log('checked ' + files.length + ' file(s)');
process.exit(bad.length > 0 ? 1 : 0);
`,
);
writeFileSync(join(workspace, '.gitignore'), '.sase/\n');
sh('git', ['add', 'check.mjs', '.gitignore']);
sh('git', [
  '-c',
  'user.name=demo',
  '-c',
  'user.email=demo@localhost',
  'commit',
  '-q',
  '-m',
  'start: the project and its check',
]);
sh('git', ['config', 'user.name', 'SASE demo']);
sh('git', ['config', 'user.email', 'demo@localhost']);
writeFileSync(
  join(workspace, 'sase.yml'),
  `# Every agent is a real process started by the shell launcher, with its prompt on stdin.
launcher:
  default: shell
  shell:
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(join(root, 'scripts/demo-agent.mjs'))}]
    env:
      DEMO_TODO_PHASE: demo-1.3   # this phase leaves a TODO on its first attempt: the check fails it
changes:
  hooks:
    - {name: check, command: [${JSON.stringify(process.execPath)}, check.mjs]}
axe:
  poll_ms: 500
`,
);
writeFileSync(
  join(workspace, 'login-rework.md'),
  `---
title: Login rework
phases:
  - {id: schema, title: Schema migration, depends_on: [], description: "Add the credentials table.", model: opus}
  - {id: hashing, title: Password hashing, depends_on: [schema], description: "Hash with scrypt."}
  - {id: sessions, title: Session tokens, depends_on: [schema], description: "Signed, expiring tokens."}
  - {id: endpoint, title: Login endpoint, depends_on: [hashing, sessions], description: "POST /login."}
  - {id: docs, title: Documentation, depends_on: [endpoint], description: "Document the flow."}
---
# Login rework

Replace the legacy login with hashed passwords and signed session tokens. Hashing and sessions are
independent once the schema exists; the endpoint needs both.
`,
);
writeFileSync(
  join(workspace, 'prompt.md'),
  '%model:opus\nPlan a rework of the login: hashed passwords, session tokens, an endpoint, docs.\n',
);

step('set up SASE in this checkout', 'init', '--prefix', 'demo');
step(
  'submit the plan with the prompt it came from',
  'plan',
  'submit',
  'login-rework.md',
  '--tier',
  'epic',
  '--prompt',
  'prompt.md',
);
step('approve it: an epic bead and one phase bead per phase', 'plan', 'approve', 'login-rework');
step('the dependency picture', 'bead', 'graph', '1');
step('what would run, wave by wave (changes nothing)', 'bead', 'work', '1', '--dry-run');
try {
  console.log(
    `\n${bold('$ sase bead work 1 --wait')}   # each phase agent starts in its own worktree the moment its blockers complete`,
  );
  const first = spawnSync(process.execPath, [sase, 'bead', 'work', '1', '--wait'], {
    cwd: workspace,
    env,
    stdio: 'inherit',
  });
  if (first.status === 0) {
    console.error('demo failed: the check was expected to fail demo-1.3 on its first attempt');
    process.exit(1);
  }
  console.log(
    `\n${bold('demo-1.3 failed its check')}: what depends on it (and the land agent) stays parked, nothing lands.`,
  );
  step("the change's record: its commit, and the check that failed", 'change', 'show', 'demo-1.3');
  step('retry it: the agent gets the failing log tail beside its prompt', 'agent', 'retry', 'demo-1.3');
  step(
    'follow the rest: the retry passes, the parked agents run, the land agent lands',
    'agent',
    'list',
    '--watch',
  );
  step('every bead closed', 'bead', 'list');
  step('every change submitted', 'change', 'list');
  console.log(`\n${bold('$ git log --graph --oneline')}   # each phase branch merged in dependency order`);
  sh('git', ['log', '--graph', '--oneline']);
  step('plans, prompts, beads and changes still link up', 'sdd', 'validate');
} finally {
  spawnSync(process.execPath, [sase, 'axe', 'stop'], { cwd: workspace, env, stdio: 'ignore' });
}
const open = read('bead', 'list', '--json').filter((bead) => bead.status !== 'closed');
if (open.length > 0) {
  console.error(`demo failed: beads still open: ${open.map((bead) => bead.id).join(', ')}`);
  process.exit(1);
}
const changes = read('change', 'list', '--json');
const unsubmitted = changes.filter((change) => change.status !== 'submitted');
if (changes.length !== 5 || unsubmitted.length > 0) {
  console.error(`demo failed: changes not submitted: ${unsubmitted.map((change) => change.name).join(', ')}`);
  process.exit(1);
}
console.log(
  `\n${bold('Done.')} Agent artifacts: ${join(workspace, '.sase/agents')}\n` +
    `Put sase on your PATH with \`npm run link-cli\`, then try: sase -C ${workspace} agent logs demo-1.3`,
);
