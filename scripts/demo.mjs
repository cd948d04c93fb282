// `npm run demo`: sets up this repository, then runs a real multi-agent run in a temporary git repository,
// with no account: an epic of five phases with a diamond in its dependencies is planned and approved
// through `sase plan`, worked by shell-launcher agents (scripts/demo-agent.mjs: each writes its part,
// commits it and closes its bead) under the AXE supervisor, and landed by the land agent.
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
sh('git', ['init', '-q']);
sh('git', [
  '-c',
  'user.name=demo',
  '-c',
  'user.email=demo@localhost',
  'commit',
  '-q',
  '--allow-empty',
  '-m',
  'start',
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
  step('run it: each phase agent starts the moment its blockers complete', 'bead', 'work', '1', '--wait');
  step('every bead closed', 'bead', 'list');
  console.log(`\n${bold('$ git log --oneline')}   # one commit per phase, then the land commit`);
  sh('git', ['log', '--oneline']);
  step('plans, prompts and beads still link up', 'sdd', 'validate');
} finally {
  spawnSync(process.execPath, [sase, 'axe', 'stop'], { cwd: workspace, env, stdio: 'ignore' });
}
const open = read('bead', 'list', '--json').filter((bead) => bead.status !== 'closed');
if (open.length > 0) {
  console.error(`demo failed: beads still open: ${open.map((bead) => bead.id).join(', ')}`);
  process.exit(1);
}
console.log(
  `\n${bold('Done.')} Agent artifacts: ${join(workspace, '.sase/agents')}  (try: sase -C ${workspace} agent logs demo-1.2)`,
);
