#!/usr/bin/env node
// `sase --version` is answered before anything else loads: scripts call it often and it must stay fast.
declare const __SASE_VERSION__: string;
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${__SASE_VERSION__}\n`);
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(argv);
}
