#!/usr/bin/env node
// The `sase` binary, built as CommonJS: Node 20 starts a CommonJS entry ~15 ms faster than an ESM one, and
// `sase --version` and the bead store commands (which agents call in loops) never leave CommonJS.
//   --version         answered here, nothing else loaded
//   bead <cmd>        dist/bead-main.cjs (commander, the bead commands, @sase/beads' CommonJS build)
//   anything else     dist/main.js, the full ESM CLI, through import()
import { commandIndex } from './argv.js';

declare const __SASE_VERSION__: string;

async function run(argv: string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${__SASE_VERSION__}\n`);
    return 0;
  }
  const group = commandIndex(argv);
  if (argv[group] === 'bead' && argv[commandIndex(argv, group + 1)] !== 'work') {
    const lane = require('./bead-main.cjs') as typeof import('./bead-main.js');
    return lane.main(argv);
  }
  const { main } = (await import('./main.js')) as typeof import('./main.js');
  return main(argv);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `sase: internal error (please report it):\n${String((error as Error)?.stack ?? error)}\n`,
    );
    process.exitCode = 70;
  },
);
