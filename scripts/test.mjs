// `npm test`: install, build, run the tests once from the root, and end with one plain summary line
// ("N passed, N failed") read from vitest's JSON report. `npm run test:e2e` (`--e2e`) runs the end-to-end tier
// instead: the projects whose names end in "e2e" (the real agent CLIs, the CLI's system tests), which
// `npm test` leaves out to stay fast. `.ci/run` runs both.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, root, setup } from './setup.mjs';
import { summarize } from './test-summary.mjs';

const isE2e = process.argv.includes('--e2e');
// The end-to-end tier installs the real agent CLIs too (see setup).
if (!process.argv.includes('--no-setup')) setup({ agentClis: isE2e });
const report = join(root, isE2e ? 'test-results-e2e.json' : 'test-results.json');
rmSync(report, { force: true });
// Every temporary file of the run (the tests', and the agents', supervisors' and CLIs' they start) goes
// into one directory, removed at the end: a run leaves nothing behind, whatever a test forgot.
const scratch = mkdtempSync(join(tmpdir(), 'sase-test-run-'));
const vitest = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/vitest/vitest.mjs'),
    'run',
    `--project=${isE2e ? '' : '!'}*e2e`,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ],
  { cwd: root, env: { ...env, TMPDIR: scratch }, stdio: 'inherit' },
);
rmSync(scratch, { recursive: true, force: true });
const { passed, failed, line } = summarize([report]);
console.log(line);
process.exit(vitest.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
