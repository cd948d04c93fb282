// `pnpm bench`: builds what the benchmarks import, then runs every bench/*.bench.mjs in turn. Each prints
// its figures with the ratio to a baseline measured in the same run, and exits non-zero when over budget.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { env, setup } from '../scripts/setup.mjs';

if (!process.argv.includes('--no-setup')) setup();
const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
let failed = 0;
for (const file of readdirSync(dir)
  .filter((name) => name.endsWith('.bench.mjs'))
  .sort()) {
  if (only.length > 0 && !only.some((name) => file.startsWith(name))) continue;
  console.log(`\n== ${file}`);
  const result = spawnSync(process.execPath, [`${dir}${file}`], { env, stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
console.log(failed === 0 ? '\nall benchmarks within budget' : `\n${failed} benchmark file(s) over budget`);
process.exit(failed === 0 ? 0 : 1);
