import { describe, expect, it } from 'vitest';
import { createCatalog } from './create-catalog.js';
import { expandPrompt } from './expand-prompt.js';

const catalog = createCatalog([
  { name: 'review', text: 'REVIEW' },
  { name: 'ns/name', text: 'NAMESPACED' },
  { name: 'fragment', text: 'FRAGMENT' },
  { name: 'anchor', text: 'ANCHOR' },
  { name: 'echo', text: '---\ninput: [{name: value, type: text}]\n---\n<{{ value }}>' },
  {
    name: 'pair',
    text: '---\ninput:\n  - {name: first, type: word}\n  - {name: second, type: word, default: B}\n---\n[{{ first }}|{{ second }}]',
  },
]);

const expand = (text: string) => expandPrompt(text, { catalog, now: new Date('2025-06-01T10:00:00Z') });

describe('prose survives untouched', () => {
  const prose: Array<[string, string]> = [
    ['Markdown heading', '# Heading\n\n## Sub heading'],
    ['heading that names an xprompt', '# review\n### review'],
    ['issue number', 'Fixes #123 and #42.'],
    ['percentages', 'Coverage went from 50% to 100%.'],
    ['percent before a word', '100%approve of this and 50%plan'],
    ['unknown hashtag', 'Tag it #todo or #Review-later.'],
    ['unknown directive', 'Use %foo and %name_of_thing and %d in printf.'],
    ['URL fragment', 'See https://example.com/docs#review and https://x.org/#fragment.'],
    ['Markdown anchor link', 'Jump to [the review](#review) or <a href="#anchor">here</a>.'],
    ['email address', 'Mail alice@example.com or bob+review@example.org.'],
    ['inline code', 'Run `#review` and ``%approve`` and `100% #fragment`.'],
    ['fenced code', '```md\n#review %approve\n---\n```\n~~~\n#fragment\n~~~'],
    ['escaped markers', 'Write \\#review and \\%approve literally.'],
    ['hash inside a word', 'C#review and a#review and x%approve'],
    ['colour and entity', 'Colour #fff and &#123; entity.'],
    ['empty input', ''],
  ];
  it.each(prose)('%s', (_, text) => {
    const result = expand(text);
    expect(result.diagnostics).toEqual([]);
    expect(result.text).toBe(text === '' ? '' : `${text}\n`);
    expect(result.segments.every((segment) => Object.keys(segment.directives).length === 0)).toBe(true);
  });
});

describe('references', () => {
  const references: Array<[string, string, string]> = [
    ['bare', 'Please #review now.', 'Please REVIEW now.'],
    ['at start of text', '#review', 'REVIEW'],
    ['namespaced', 'Use #ns/name here.', 'Use NAMESPACED here.'],
    ['after an opening bracket', '(#review) [#review] {#review}', '(REVIEW) [REVIEW] {REVIEW}'],
    ['after a quote', '"#review" \'#review\'', '"REVIEW" \'REVIEW\''],
    ['followed by punctuation', '#review. #review, #review!', 'REVIEW. REVIEW, REVIEW!'],
    ['colon argument', '#echo:hello', '<hello>'],
    ['colon argument, trailing period is prose', 'Read #echo:main.ts.', 'Read <main.ts>.'],
    ['colon argument, trailing comma is prose', '#echo:a, then', '<a>, then'],
    ['colon argument in parentheses', '(see #echo:x)', '(see <x>)'],
    ['colon argument keeps balanced parentheses', '#echo:f(x)', '<f(x)>'],
    ['colon with nothing after is prose', 'The #review: it is good', 'The REVIEW: it is good'],
    ['colon arguments, two', '#pair:a,b', '[a|b]'],
    ['colon argument, default for the rest', '#pair:a', '[a|B]'],
    ['colon argument, double-quoted', '#echo:"two words" after', '<two words> after'],
    ['colon argument, backtick-quoted', '#echo:`two, words` after', '<two, words> after'],
    ['paren arguments', '#pair(x, y)', '[x|y]'],
    ['paren arguments by name', '#pair(second=y, first=x)', '[x|y]'],
    ['paren arguments mixed', '#pair(x, second=y)', '[x|y]'],
    ['paren argument with a quoted comma', '#echo("a, b")', '<a, b>'],
    ['paren argument with escapes', '#echo("say \\"hi\\"\\n")', '<say "hi"\n>'],
    ['paren argument single-quoted', "#echo('key=value')", '<key=value>'],
    ['paren argument with nested parentheses', '#echo(f(a, b))', '<f(a, b)>'],
    ['paren arguments across lines', '#pair(\n  x,\n  y\n)', '[x|y]'],
    ['empty parentheses', '#review()', 'REVIEW'],
    ['space before parenthesis is prose', '#review (twice)', 'REVIEW (twice)'],
    ['text block', '#echo([[\n  line one\n    line two\n]])', '<line one\n  line two>'],
    ['text block after a colon', '#echo:[[one\ntwo]] end', '<one\ntwo> end'],
    ['text block by name', '#echo(value=[[a, b]])', '<a, b>'],
    ['in a list item', '- #review\n- #ns/name', '- REVIEW\n- NAMESPACED'],
    ['in emphasis', '*#review*', '*REVIEW*'],
  ];
  it.each(references)('%s', (_, text, expected) => {
    const result = expand(text);
    expect(result.diagnostics).toEqual([]);
    expect(result.text).toBe(`${expected}\n`);
  });
});

describe('directives', () => {
  const directives: Array<[string, string, Record<string, unknown>, string]> = [
    ['name', '%name:alpha Do it.', { name: 'alpha' }, 'Do it.'],
    ['name short form', '%n:alpha\nDo it.', { name: 'alpha' }, 'Do it.'],
    ['id alias', '%id:alpha Do it.', { name: 'alpha' }, 'Do it.'],
    ['force reuse', '%name:!alpha Do it.', { name: 'alpha', forceReuse: true }, 'Do it.'],
    ['name in parentheses', '%name(alpha) Do it.', { name: 'alpha' }, 'Do it.'],
    ['wait list', '%wait:a,b Do it.', { wait: ['a', 'b'] }, 'Do it.'],
    ['wait short form, parentheses', '%w(a, b) Do it.', { wait: ['a', 'b'] }, 'Do it.'],
    ['waits accumulate', '%wait:a\n%wait:b\n%wait:a\nDo it.', { wait: ['a', 'b'] }, 'Do it.'],
    ['approve', 'Do it. %approve', { approve: true }, 'Do it.'],
    ['approve short form and alias', '%a %auto Do it.', { approve: true }, 'Do it.'],
    ['model', '%model:anthropic/claude-opus-4.1 Do it.', { model: 'anthropic/claude-opus-4.1' }, 'Do it.'],
    ['model short form', '%m:opus Do it.', { model: 'opus' }, 'Do it.'],
    ['time relative', '%time:+10m Do it.', { time: '2025-06-01T10:10:00.000Z' }, 'Do it.'],
    ['time relative, combined units', '%t:1h30m Do it.', { time: '2025-06-01T11:30:00.000Z' }, 'Do it.'],
    ['time ISO', '%time:2025-07-04T09:00:00Z Do it.', { time: '2025-07-04T09:00:00.000Z' }, 'Do it.'],
    [
      'time ISO with offset',
      '%time(2025-07-04T09:00+02:00) Do it.',
      { time: '2025-07-04T07:00:00.000Z' },
      'Do it.',
    ],
    ['plan', '%plan Do it.', { plan: true }, 'Do it.'],
    ['plan short form', 'Do it. %p', { plan: true }, 'Do it.'],
    ['group', '%group:backend Do it.', { group: 'backend' }, 'Do it.'],
    ['group short form', '%g:backend Do it.', { group: 'backend' }, 'Do it.'],
    ['hide', '%hide Do it.', { hide: true }, 'Do it.'],
    ['in the middle of a line', 'Do %approve it.', { approve: true }, 'Do it.'],
    [
      'directive lines vanish',
      'First.\n%name:x\n%approve %plan\nSecond.',
      { name: 'x', approve: true, plan: true },
      'First.\nSecond.',
    ],
    ['indentation is kept', '  %approve - item', { approve: true }, '  - item'],
    ['trailing period is prose', 'Wait for %wait:builder.', { wait: ['builder'] }, 'Wait for.'],
  ];
  it.each(directives)('%s', (_, text, expected, snapshot) => {
    const result = expand(text);
    expect(result.diagnostics).toEqual([]);
    expect(result.segments[0]?.directives).toEqual(expected);
    expect(result.text).toBe(`${snapshot}\n`);
  });

  it('parses HH:MM as today in local time', () => {
    const now = new Date(2025, 5, 1, 8, 0);
    const result = expandPrompt('%time:14:30 Go.', { catalog, now });
    expect(result.segments[0]?.directives.time).toBe(new Date(2025, 5, 1, 14, 30).toISOString());
  });

  it('keeps the latest of several %time directives', () => {
    const result = expand('%time:+2h %time:+10m Go.');
    expect(result.segments[0]?.directives.time).toBe('2025-06-01T12:00:00.000Z');
  });
});

describe('errors name line and column', () => {
  const errors: Array<[string, string, string, number, number]> = [
    ['unclosed directive parenthesis', 'Start.\n  %wait(a, b\nEnd.', 'unclosed-directive', 2, 8],
    ['unclosed argument list', 'Hi #pair(a, b', 'unclosed-argument-list', 1, 9],
    ['unclosed text block', 'x\n#echo([[never closed)', 'unclosed-text-argument', 2, 7],
    ['unclosed quote', '#echo("open)', 'unclosed-quote', 1, 7],
    ['malformed time', 'Go.\n%time:soonish', 'invalid-time', 2, 7],
    ['impossible date', '%time:2025-02-30', 'invalid-time', 1, 7],
    ['impossible clock', '%time:25:00', 'invalid-time', 1, 7],
    ['name without value', 'x %name y', 'missing-directive-value', 1, 3],
    ['model with spaces', '%model(big model) x', 'invalid-directive-value', 1, 8],
    ['boolean with value', '%approve:yes x', 'directive-takes-no-value', 1, 10],
    ['invalid agent name', '%name:a/b x', 'invalid-directive-value', 1, 7],
    ['conflicting names', '%name:a\n%name:b x', 'conflicting-directive', 2, 1],
    ['too many arguments', '#review:x', 'too-many-arguments', 1, 9],
    ['unknown named argument', '#pair(a, third=c)', 'unknown-argument', 1, 10],
    ['duplicate argument', '#pair(a, first=b)', 'duplicate-argument', 1, 10],
    ['missing argument', 'Then #pair.', 'missing-argument', 1, 6],
    ['word with spaces', '#pair("two words")', 'invalid-argument', 1, 7],
    ['bare wait in the first segment', '%wait go', 'wait-without-previous-segment', 1, 1],
    ['agent waiting for itself', '%name:a %wait:a go', 'wait-on-self', 1, 9],
  ];
  it.each(errors)('%s', (_, text, ruleId, line, column) => {
    const result = expandPrompt(text, { catalog, file: 'prompt.md' });
    const fatal = result.diagnostics.filter((diagnostic) => diagnostic.fatal);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ ruleId, line, column, file: 'prompt.md', fatal: true });
    expect(fatal[0]!.reason.length).toBeGreaterThan(20);
  });

  it('leaves a reference it cannot expand as written', () => {
    const result = expand('Do #pair(a, nope=1) now.');
    expect(result.text).toBe('Do #pair(a, nope=1) now.\n');
  });
});
