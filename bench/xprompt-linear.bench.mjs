// XPrompt expansion is linear in the input (issue 14): 1 MB of `#<existing xprompt>(` never closed must expand
// (reporting its diagnostics) in <= 100 ms (median). 0.1.0 scanned for the closing parenthesis from every `(`
// to the end of the text: 160 KB took 4 s, 640 KB 36 s. Other shapes that were quadratic too are printed
// beside it, for information. The baseline, measured in the same run, is one regex pass over the same text.
//   node bench/xprompt-linear.bench.mjs          (after `cd packages/xprompt && pnpm build`)
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finish, report, timeCall } from './lib.mjs';

const BUDGET_MS = 100;
const SIZE = 1_000_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const { createCatalog, expandPrompt } = await import(join(root, 'packages/xprompt/dist/index.js'));

const catalog = createCatalog([
  {
    name: 'review',
    text: '---\ndescription: Review a file\ninput:\n  - {name: file, type: path}\n  - {name: depth, type: int, default: 2}\n---\nReview {{ file }} to depth {{ depth }}. #style\n',
  },
  { name: 'style', text: 'Follow the house style: small functions, clear names, tests next to the code.\n' },
  { name: 'note', text: '---\ninput: [{name: body, type: text}]\n---\n> Note: {{ body }}\n' },
]);

const repeatTo = (unit, size = SIZE) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

function measure(text) {
  const first = process.hrtime.bigint();
  const result = expandPrompt(text, { catalog });
  const firstMs = Number(process.hrtime.bigint() - first) / 1e6;
  const median = timeCall(() => expandPrompt(text, { catalog }), { runs: 15, warmup: 3 });
  const baseline = timeCall(() => text.match(/[`#%\\]/g)?.length, { runs: 15 });
  return { result, firstMs, median, baseline };
}

const text = repeatTo('#review(');
const { result, firstMs, median, baseline } = measure(text);
if (!result.diagnostics.some((diagnostic) => diagnostic.ruleId === 'unclosed-argument-list'))
  throw new Error('the benchmark prompt did not report its unclosed argument lists');
console.log(`baseline: one regex pass over the prompt = ${baseline.toFixed(1)} ms (median)`);
report(
  `xprompt expand 1MB of unclosed '#review(' (${result.diagnostics.length} diagnostics)`,
  median,
  BUDGET_MS,
  'ms',
  `ratio ${(median / BUDGET_MS).toFixed(2)} of budget, ${(median / baseline).toFixed(1)}× baseline; first call ${firstMs.toFixed(0)} ms`,
);

const others = {
  "'#review(a, ('": repeatTo('#review(a, ('),
  "'#style:(' then ')'": `${repeatTo('#style:(')})`,
  "'#note([[ ] '": repeatTo('#note([[ ] '),
  "'%name('": repeatTo('%name('),
  "'#review(' x N then ')' x N": `${'#review('.repeat(SIZE / 16)}${')'.repeat(SIZE / 16)}`,
};
for (const [label, other] of Object.entries(others)) {
  const measured = measure(other);
  console.log(
    `info  ${`xprompt expand 1MB of ${label}`.padEnd(58)} ${`${measured.median.toFixed(1)} ms`.padStart(10)}  (ratio ${(measured.median / BUDGET_MS).toFixed(2)} of ${BUDGET_MS} ms; first call ${measured.firstMs.toFixed(0)} ms)`,
  );
}
finish();
