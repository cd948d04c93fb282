// Expansion is linear in the input: pathological prompts of a megabyte expand (reporting their problems)
// instead of taking seconds to minutes, and every other prompt expands exactly as before.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORPUS_XPROMPTS, corpus, normalizeResult } from './__fixtures__/expansion-corpus.js';
import { createCatalog } from './create-catalog.js';
import { expandPrompt } from './expand-prompt.js';

const catalog = createCatalog(CORPUS_XPROMPTS);
const now = new Date('2025-06-01T10:00:00Z');

function repeatTo(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

describe('expansion of large pathological prompts', () => {
  it('expands 1 MB of unclosed #xprompt( lists, listing the first 100 and counting the rest', () => {
    const text = repeatTo('#review(', 1_000_000);
    const result = expandPrompt(text, { catalog, file: 'big.md' });
    expect(result.text).toBe(`${text}\n`); // every reference left as written
    expect(result.trace).toEqual([]);
    const unclosed = result.diagnostics.filter(
      (diagnostic) => diagnostic.ruleId === 'unclosed-argument-list',
    );
    expect(unclosed).toHaveLength(101);
    expect(unclosed[0]).toEqual({
      reason: "argument list of #review is never closed: expected ')' (write #review(value, key=value))",
      file: 'big.md',
      line: 1,
      column: 8,
      ruleId: 'unclosed-argument-list',
      fatal: true,
    });
    expect(unclosed[99]?.column).toBe(800);
    expect(unclosed[100]).toEqual({
      reason:
        '124900 more unclosed-argument-list problems were not listed after the first 100 (the next at big.md:1:808): fix those listed and expand again',
      file: 'big.md',
      line: 1,
      column: 808,
      ruleId: 'unclosed-argument-list',
      fatal: true,
    });
  }, 10_000);

  it.each([
    ['unclosed lists after an argument', repeatTo('#review(a, (', 1_000_000), 'unclosed-argument-list'],
    [
      'a colon value of brackets closed at the end',
      `${repeatTo('#style:(', 1_000_000)})`,
      'too-many-arguments',
    ],
    ['unclosed text blocks with brackets', repeatTo('#note([[ ] ', 1_000_000), 'unclosed-text-argument'],
    ['unclosed directive lists', repeatTo('%name(', 1_000_000), 'unclosed-directive'],
    ['balanced nesting 1 MB deep', `${'#style('.repeat(70_000)}${')'.repeat(70_000)}`, 'too-many-arguments'],
  ])(
    'expands 1 MB of %s and reports it',
    (_label, text, ruleId) => {
      const result = expandPrompt(text, { catalog });
      const reported = result.diagnostics.filter((diagnostic) => diagnostic.ruleId === ruleId);
      expect(reported.length).toBe(101);
      expect(reported[100]?.reason).toMatch(new RegExp(`^\\d+ more ${ruleId} problems were not listed`));
    },
    10_000,
  );

  it('expands many segments separated between many code fences', () => {
    const text = repeatTo('```\n```\n---\n', 1_000_000);
    const result = expandPrompt(text, { catalog });
    expect(result.segments.length).toBe(Math.ceil(1_000_000 / 12));
  }, 10_000);
});

describe('every other prompt', () => {
  it('expands exactly as the quadratic scanner of 0.1.0 did (a recorded corpus)', () => {
    const recorded = JSON.parse(
      readFileSync(new URL('./__fixtures__/expansion-equivalence.json', import.meta.url), 'utf8'),
    ) as { cases: Array<{ name: string; sha256: string; textLength: number }> };
    const inputs = corpus();
    expect(inputs.map((input) => input.name)).toEqual(recorded.cases.map((entry) => entry.name));
    const differing: string[] = [];
    for (const [index, { name, text }] of inputs.entries()) {
      const result = expandPrompt(text, { catalog, now, file: 'corpus.md' });
      const sha256 = createHash('sha256')
        .update(JSON.stringify(normalizeResult(result)))
        .digest('hex')
        .slice(0, 16);
      if (sha256 !== recorded.cases[index]?.sha256) differing.push(`${name}: ${JSON.stringify(text)}`);
    }
    expect(differing).toEqual([]);
  });
});
