// `npm run link-cli [-- --prefix DIR]`: puts `sase` on PATH from this clone. It sets the repository up (install
// and build, as `npm test` does) and writes a `sase` launcher into npm's global bin directory (or DIR/bin)
// that runs this clone's built CLI with this Node.js. Like `npm link`, the clone stays the installation:
// pull and rebuild it, and `sase` follows. `--unlink` removes the launcher.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, setup } from './setup.mjs';

const args = process.argv.slice(2);
const prefixAt = args.indexOf('--prefix');
const prefix =
  prefixAt >= 0 ? args[prefixAt + 1] : execFileSync('npm', ['prefix', '-g'], { encoding: 'utf8' }).trim();
if (!prefix) {
  console.error('link-cli: --prefix needs a directory');
  process.exit(2);
}
const bin = join(prefix, 'bin');
const launcher = join(bin, 'sase');
const marker = '# sase launcher written by npm run link-cli';

if (existsSync(launcher) && !readFileSync(launcher, 'utf8').includes(marker)) {
  console.error(`link-cli: ${launcher} exists and was not written by link-cli; remove it first`);
  process.exit(1);
}
if (args.includes('--unlink')) {
  rmSync(launcher, { force: true });
  console.log(`removed ${launcher}`);
  process.exit(0);
}
if (!args.includes('--no-setup')) setup({ filter: '@sase/cli...' });
const cli = join(root, 'apps', 'cli', 'dist', 'bin.cjs');
mkdirSync(bin, { recursive: true });
writeFileSync(
  launcher,
  `#!/bin/sh\n${marker}\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"\n`,
);
chmodSync(launcher, 0o755);
const onPath = (process.env.PATH ?? '').split(':').includes(bin);
console.log(
  `sase is ${launcher} (this clone's apps/cli/dist/bin.cjs)` +
    (onPath ? '' : `\n${bin} is not on your PATH: add it (export PATH="${bin}:$PATH")`),
);
