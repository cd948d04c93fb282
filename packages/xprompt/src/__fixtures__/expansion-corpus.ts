/**
 * Inputs for the expansion equivalence test: hand-made pathological texts (unclosed argument lists, text
 * blocks, quotes and directives, deep nesting, many fences) at a size the quadratic scanner of 0.1.0 still
 * expanded quickly, and a seeded random corpus of small prompts built from the tokens of the grammar.
 * `expansion-equivalence.json` holds what @sase/xprompt 0.1.0 returned for each of them (see
 * `normalizeResult`); the test checks that the linear scanner returns the same.
 *
 * The random tokens leave out `@` and `+`, lone `.` and very long words: those make agent names whose
 * validity changed on purpose (one grammar with the scheduler), which this corpus is not about.
 */
import type { XPromptText } from '../parse-xprompt.js';

export const CORPUS_XPROMPTS: XPromptText[] = [
  {
    name: 'review',
    text: '---\ninput:\n  - {name: file, type: path}\n  - {name: depth, type: int, default: 2}\n---\nReview {{ file }} to depth {{ depth }}. #style\n',
  },
  { name: 'style', text: 'Follow the house style.\n' },
  { name: 'note', text: '---\ninput: [{name: body, type: text}]\n---\n> Note: {{ body }}\n' },
  { name: 'wrap', text: '---\ninput: [{name: body, type: text, default: x}]\n---\n<{{ body }}>' },
  { name: 'ns/context', text: 'Context: a monorepo. #style %model:opus\n' },
  { name: 'loop-a', text: 'A #loop-b' },
  { name: 'loop-b', text: 'B #loop-a' },
  { name: 'broken', text: '---\ninput: [{name: x, type: nope}]\n---\nbroken' },
  { name: 'flag', text: '---\ninput: [{name: on, type: bool, default: false}]\n---\nflag {{ on }}' },
];

const SIZE = 3000;

function repeatTo(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** Hand-made pathological inputs, by name. */
function pathological(): Array<{ name: string; text: string }> {
  const units: Record<string, string> = {
    'unclosed paren lists': '#review(',
    'unclosed paren lists, no inputs': '#style(',
    'unclosed paren lists after an argument': '#review(a, (',
    'colon value of brackets': '#style:(',
    'unclosed text blocks': '#review([[ ',
    'unclosed text blocks with brackets': '#note([[ ] ',
    'unclosed colon text blocks': '#note:[[ ',
    'unclosed quotes': '#review(" ',
    'unclosed single quotes': "#review(' ",
    'unclosed directive lists': '%name(',
    'unclosed directive lists on lines': '%name(x\n',
    'closers in colon values': '#style:)',
    'backtick runs': '`` x ` ',
    'fences and separators': '```\n```\n---\n',
    'directives without values': '%name %wait %model %plan ',
    'nested wraps': '#wrap([[#wrap(',
  };
  const cases = Object.entries(units).map(([name, unit]) => ({ name, text: repeatTo(unit, SIZE) }));
  cases.push(
    { name: 'colon value of brackets, then a closer', text: `${repeatTo('#style:(', SIZE)})` },
    { name: 'directive lists closed at the very end', text: `${repeatTo('%name(\n', SIZE)})` },
    { name: 'balanced nesting', text: `${'#review('.repeat(SIZE / 16)}${')'.repeat(SIZE / 16)}` },
    { name: 'balanced nesting, no inputs', text: `${'#style('.repeat(SIZE / 14)}${')'.repeat(SIZE / 14)}` },
    { name: 'text blocks nested', text: `#note(${'[['.repeat(200)}x${']]'.repeat(199)})` },
    {
      name: 'long word of closers',
      text: `%group:${')'.repeat(SIZE / 2)} #wrap:${'('.repeat(100)}x${')'.repeat(300)}`,
    },
  );
  return cases;
}

const TOKENS = [
  '#review',
  '#style',
  '#note',
  '#wrap',
  '#ns/context',
  '#loop-a',
  '#broken',
  '#flag',
  '#unknown',
  '#',
  '(',
  ')',
  '[[',
  ']]',
  '[',
  ']',
  '{',
  '}',
  '{{ body }}',
  '"',
  "'",
  '`',
  '```\n',
  '~~~\n',
  ',',
  ':',
  '=',
  'file=',
  'depth=',
  'body=',
  ' ',
  ' ',
  ' ',
  '\t',
  '\n',
  '\n',
  '\n\n',
  '---\n',
  '\n---\n',
  '%name:',
  '%n(',
  '%wait:',
  '%w',
  '%approve',
  '%model:',
  '%time:+10m',
  '%time:nope',
  '%plan',
  '%group:',
  '%hide',
  '%',
  '100%',
  '\\',
  'a',
  'b',
  'x2',
  'src/x.ts',
  '12',
  'true',
  '!',
  '?',
  ';',
  '*',
  '>',
  'word',
];

/** A small deterministic random generator (the corpus must be the same on every machine). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function fuzzed(count: number): Array<{ name: string; text: string }> {
  const next = random(20_250_601);
  const cases: Array<{ name: string; text: string }> = [];
  for (let index = 0; index < count; index++) {
    const length = 10 + Math.floor(next() * 120);
    let text = '';
    let word = 0;
    for (let token = 0; token < length; token++) {
      const chosen = TOKENS[Math.floor(next() * TOKENS.length)]!;
      text += chosen;
      word = /\s/.test(chosen) ? 0 : word + chosen.length;
      if (word > 60) {
        text += ' ';
        word = 0;
      }
    }
    cases.push({ name: `random ${index}`, text });
  }
  return cases;
}

export function corpus(): Array<{ name: string; text: string }> {
  return [...pathological(), ...fuzzed(600)];
}

interface Expanded {
  text: string;
  segments: unknown[];
  frontmatter: string | undefined;
  trace: unknown[];
  diagnostics: Array<{ reason: string; ruleId?: string }>;
}

/**
 * What is compared: everything `expandPrompt` returns, except that only the first 100 diagnostics of each
 * rule are kept (0.1.0 listed every one; now the rest are counted in one closing diagnostic per rule) and the
 * wording of the agent-name rule is left out (it changed with the grammar).
 */
export function normalizeResult(result: Expanded): unknown {
  const perRule = new Map<string, number>();
  const listed: unknown[] = [];
  const unlisted: Record<string, number> = {};
  for (const diagnostic of result.diagnostics) {
    const rule = diagnostic.ruleId ?? '';
    const summary = /^(\d+) more \S+ problems? (?:was|were) not listed/.exec(diagnostic.reason);
    if (summary) {
      unlisted[rule] = (unlisted[rule] ?? 0) + Number(summary[1]);
      continue;
    }
    const seen = (perRule.get(rule) ?? 0) + 1;
    perRule.set(rule, seen);
    if (seen > 100) {
      unlisted[rule] = (unlisted[rule] ?? 0) + 1;
      continue;
    }
    listed.push({
      ...diagnostic,
      reason: diagnostic.reason.replace(/(invalid agent(?: name)? ".*?"): (?:use|agent names are) .*$/, '$1'),
    });
  }
  return {
    text: result.text,
    segments: result.segments,
    frontmatter: result.frontmatter ?? null,
    trace: result.trace,
    diagnostics: listed,
    unlisted,
  };
}
