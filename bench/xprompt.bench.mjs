// XPrompt expansion benchmark (issue 3): a ~1 MB prompt with 1,000 references must expand in <= 50 ms
// (median). The baseline, measured in the same run, is one pass of a regular expression over the same text.
//   node bench/xprompt.bench.mjs          (after `cd packages/xprompt && pnpm build`)
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finish, report, timeCall } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { createCatalog, expandPrompt } = await import(join(root, 'packages/xprompt/dist/index.js'));

const catalog = createCatalog([
  {
    name: 'review',
    text: '---\ndescription: Review a file\ninput:\n  - {name: file, type: path}\n  - {name: depth, type: int, default: 2}\n---\nReview {{ file }} to depth {{ depth }}. #style\n',
  },
  { name: 'style', text: 'Follow the house style: small functions, clear names, tests next to the code.\n' },
  {
    name: 'tests',
    text: '---\ninput: [{name: command, type: line, default: pnpm test}]\n---\nRun `{{ command }}` and fix what fails.\n```sh\n{{ command }} #not-expanded\n```\n',
  },
  { name: 'ns/context', text: 'Context: this is a TypeScript monorepo. #style\n' },
  { name: 'note', text: '---\ninput: [{name: body, type: text}]\n---\n> Note: {{ body }}\n' },
  { name: 'opus', text: '%model:opus\n' },
]);

const references = [
  (i) => `#review:src/module-${i}.ts`,
  (i) => `#review(file="src/a ${i}.ts", depth=${i % 5})`,
  () => '#tests',
  () => '#ns/context',
  (i) => `#note([[\n  item ${i}\n  more text\n]])`,
  () => '#style',
];
const prose = [
  '# Heading for section',
  'Issue #123 raised coverage from 50% to 100%; see https://example.com/docs#section and mail dev@example.com.',
  'Use `inline #code` and keep `100%` as it is. Some longer prose follows so that the text is realistic, with',
  'sentences that wrap, lists, and the occasional [link](#anchor) to another part of the document.',
  '```ts\nconst x = "#review %approve";\n```',
  '- a list item with #unknown tags and 10% of the budget',
];
let text = '%name:bench %approve\n';
let count = 0;
while (count < 1000) {
  for (let line = 0; line < 6; line++) text += `${prose[(count + line) % prose.length]}\n`;
  text += `${references[count % references.length](count)}\n\n`;
  count++;
}
const filler = `${prose.join('\n')}\n`;
while (text.length < 1_000_000) text += filler;

const check = expandPrompt(text, { catalog });
if (check.diagnostics.some((diagnostic) => diagnostic.fatal))
  throw new Error(`benchmark prompt has errors: ${check.diagnostics[0].reason}`);
const expansions = check.trace.length;
const topLevel = check.trace.filter((entry) => entry.depth === 0).length;

const baseline = timeCall(() => text.match(/[`#%\\]/g)?.length, { runs: 15 });
const elapsed = timeCall(() => expandPrompt(text, { catalog }), { runs: 15, warmup: 3 });
const megabytes = (text.length / 1_000_000).toFixed(2);
console.log(`baseline: one regex pass over the prompt = ${baseline.toFixed(1)} ms (median)`);
report(
  `xprompt expand ${megabytes}MB/${topLevel} refs (${expansions} expansions)`,
  elapsed,
  50,
  'ms',
  `ratio ${(elapsed / 50).toFixed(2)} of budget, ${(elapsed / baseline).toFixed(1)}× baseline`,
);
finish();
