import { describe, expect, it } from 'vitest';
import { createCatalog } from './create-catalog.js';
import { formatDiagnostic } from './diagnostic.js';
import { expandPrompt, expandPromptOrThrow } from './expand-prompt.js';
import { XPromptError } from './xprompt-error.js';

const now = new Date('2025-06-01T10:00:00Z');

describe('recursive expansion', () => {
  it('expands references inside xprompt bodies, and references passed as arguments', () => {
    const catalog = createCatalog([
      { name: 'outer', text: 'Outer [#middle] {{ extra }}', origin: 'workspace' },
      { name: 'middle', text: 'middle [#inner]' },
      { name: 'inner', text: 'inner' },
    ]);
    // `outer` declares no input, so pass through an xprompt that does.
    const withInput = createCatalog([
      { name: 'wrap', text: '---\ninput: [{name: body, type: text}]\n---\n<{{ body }}>' },
      { name: 'inner', text: 'inner' },
    ]);
    expect(expandPrompt('#outer', { catalog }).text).toBe('Outer [middle [inner]] {{ extra }}\n');
    expect(expandPrompt('#wrap([[see #inner]])', { catalog: withInput }).text).toBe('<see inner>\n');
  });

  it('reports a cycle naming the whole chain, at the reference that closes it', () => {
    const catalog = createCatalog([
      { name: 'a', text: 'A #b', file: '/x/a.md' },
      { name: 'b', text: 'B\n#c', file: '/x/b.md' },
      { name: 'c', text: 'C #a', file: '/x/c.md' },
    ]);
    const result = expandPrompt('Start #a', { catalog, file: 'p.md' });
    expect(result.diagnostics).toEqual([
      {
        reason: 'xprompt cycle: #a -> #b -> #c -> #a (an xprompt may not include itself)',
        file: '/x/c.md',
        line: 1,
        column: 3,
        ruleId: 'xprompt-cycle',
        fatal: true,
      },
    ]);
    expect(result.text).toBe('Start A B\nC #a\n');
  });

  it('reports a direct self-reference', () => {
    const catalog = createCatalog([{ name: 'loop', text: 'again #loop' }]);
    const result = expandPrompt('#loop', { catalog });
    expect(result.diagnostics.map((diagnostic) => diagnostic.reason)).toEqual([
      'xprompt cycle: #loop -> #loop (an xprompt may not include itself)',
    ]);
  });

  it('stops at the depth limit', () => {
    const chain = Array.from({ length: 6 }, (_, index) => ({
      name: `level${index}`,
      text: index === 5 ? 'bottom' : `#level${index + 1}`,
    }));
    const catalog = createCatalog(chain);
    expect(expandPrompt('#level0', { catalog, maxDepth: 6 }).text).toBe('bottom\n');
    const limited = expandPrompt('#level0', { catalog, maxDepth: 3 });
    expect(limited.diagnostics).toHaveLength(1);
    expect(limited.diagnostics[0]).toMatchObject({ ruleId: 'max-depth', fatal: true });
    expect(limited.diagnostics[0]!.reason).toContain('#level0 -> #level1 -> #level2 -> #level3');
  });

  it('stops an exponential expansion', () => {
    const catalog = createCatalog(
      Array.from({ length: 20 }, (_, index) => ({
        name: `x${index}`,
        text: index === 19 ? 'leaf' : `#x${index + 1} #x${index + 1}`,
      })),
    );
    const result = expandPrompt('#x0', { catalog, maxExpansions: 1000 });
    expect(result.diagnostics.map((diagnostic) => diagnostic.ruleId)).toEqual(['max-expansions']);
  });

  it('collects directives written inside xprompt bodies', () => {
    const catalog = createCatalog([
      { name: 'opus_plan', text: '%model:opus\n%plan\n' },
      { name: 'careful', text: 'Be careful. %approve' },
    ]);
    const result = expandPrompt('#opus_plan\nFix the bug. #careful', { catalog });
    expect(result.segments[0]!.directives).toEqual({ model: 'opus', plan: true, approve: true });
    expect(result.text).toBe('Fix the bug. Be careful.\n');
  });

  it('reports problems inside an xprompt at the xprompt file position', () => {
    const catalog = createCatalog([
      {
        name: 'bad',
        text: '---\ndescription: x\n---\nLine one\n  %time:whenever\n',
        file: '/repo/.xprompts/bad.md',
      },
    ]);
    const result = expandPrompt('#bad', { catalog });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(
        /^\/repo\/\.xprompts\/bad\.md:5:9: %time value "whenever" is not a time .* \[invalid-time\]$/,
      ),
    ]);
  });

  it('maps positions after multi-line substitutions back to the xprompt file', () => {
    const catalog = createCatalog([
      {
        name: 'wrap',
        text: '---\ninput: [{name: body, type: text}]\n---\n{{ body }}\nthen %model(no close\n',
        file: '/w.md',
      },
    ]);
    const result = expandPrompt('#wrap([[a\nb\nc]])', { catalog });
    expect(result.diagnostics[0]).toMatchObject({
      file: '/w.md',
      line: 5,
      column: 12,
      ruleId: 'unclosed-directive',
    });
  });

  it('fills placeholders in code but expands no reference there', () => {
    const catalog = createCatalog([
      {
        name: 'run',
        text: '---\ninput: [{name: command, type: line}]\n---\n```sh\n{{ command }} #inner\n```\n`{{ command }}`',
      },
      { name: 'inner', text: 'INNER' },
    ]);
    expect(expandPrompt('#run:make', { catalog }).text).toBe('```sh\nmake #inner\n```\n`make`\n');
  });

  it('refuses an xprompt whose frontmatter has errors, pointing at both places', () => {
    const catalog = createCatalog([
      { name: 'broken', text: '---\ninput: [{name: n, type: number5}]\n---\nx', file: '/b.md' },
    ]);
    const result = expandPrompt('Use #broken', { catalog, file: 'p.md' });
    expect(
      result.diagnostics.map((diagnostic) => `${diagnostic.file}:${diagnostic.line} ${diagnostic.ruleId}`),
    ).toEqual(['/b.md:2 invalid-input', 'p.md:1 invalid-xprompt']);
    expect(result.text).toBe('Use #broken\n');
  });
});

describe('typed arguments', () => {
  const catalog = createCatalog([
    {
      name: 'typed',
      text: [
        '---',
        'input:',
        '  - {name: count, type: int, default: 3}',
        '  - {name: ratio, type: float, default: 0.5}',
        '  - {name: strict, type: bool, default: false}',
        '  - {name: path, type: path, default: README.md}',
        '---',
        'count={{ count }} ratio={{ ratio }} strict={{ strict }} path={{ path }}',
      ].join('\n'),
    },
    {
      name: 'shortform',
      text: '---\ninput:\n  who: word\n  greeting: {type: line, default: Hello}\n---\n{{ greeting }}, {{ who }}!',
    },
  ]);

  it.each([
    ['#typed', 'count=3 ratio=0.5 strict=false path=README.md'],
    ['#typed:7', 'count=7 ratio=0.5 strict=false path=README.md'],
    ['#typed(-2, 1e3, yes, src/a b.ts)', 'count=-2 ratio=1e3 strict=true path=src/a b.ts'],
    ['#typed(strict=ON, count=+4)', 'count=+4 ratio=0.5 strict=true path=README.md'],
    ['#shortform:Ada', 'Hello, Ada!'],
    ['#shortform(Ada, greeting="Good day")', 'Good day, Ada!'],
  ])('%s', (text, expected) => {
    const result = expandPrompt(text, { catalog });
    expect(result.diagnostics).toEqual([]);
    expect(result.text).toBe(`${expected}\n`);
  });

  it.each([
    ['#typed:three', 'argument \'count\' of #typed must be an int (like 3 or -12), got "three"'],
    ['#typed(ratio=half)', 'argument \'ratio\' of #typed must be a float (like 0.5, 3 or 1e-3), got "half"'],
    [
      '#typed(strict=maybe)',
      'argument \'strict\' of #typed must be a bool (true/false, yes/no, on/off, 1/0), got "maybe"',
    ],
    ['#typed(path=[[a\nb]])', 'argument \'path\' of #typed must be a path (one line), got "a\\nb"'],
    [
      '#shortform',
      "missing argument 'who' (word) of #shortform: write #shortform:VALUE or #shortform(who=VALUE)",
    ],
  ])('%s is refused', (text, reason) => {
    const result = expandPrompt(text, { catalog });
    expect(result.diagnostics.map((diagnostic) => diagnostic.reason)).toEqual([reason]);
  });

  it('keeps blank lines and dedents a [[...]] text argument', () => {
    const wrap = createCatalog([
      { name: 'quote', text: '---\ninput: [{name: body, type: text}]\n---\n> {{ body }}' },
    ]);
    const text =
      '#quote([[\n    First paragraph,\n      indented.\n\n    Second, with [[nested]] brackets.\n  ]])';
    expect(expandPrompt(text, { catalog: wrap }).text).toBe(
      '> First paragraph,\n  indented.\n\nSecond, with [[nested]] brackets.\n',
    );
  });
});

describe('multi-prompts', () => {
  const catalog = createCatalog([{ name: 'review', text: 'Review it.' }]);

  it('splits at --- outside fenced code and after leading frontmatter', () => {
    const text = [
      '---',
      'title: three agents',
      '---',
      '%name:plan',
      'Plan it.',
      '```',
      '---',
      '```',
      '---',
      '%name:code',
      '%wait',
      'Code it. #review',
      '---   ',
      '%name:check %wait:plan,code %approve',
      'Check it.',
    ].join('\n');
    const result = expandPrompt(text, { catalog, now });
    expect(result.diagnostics).toEqual([]);
    expect(result.frontmatter).toBe('title: three agents\n');
    expect(result.segments).toEqual([
      { text: 'Plan it.\n```\n---\n```\n', directives: { name: 'plan' }, startLine: 4 },
      { text: 'Code it. Review it.\n', directives: { name: 'code', wait: ['plan'] }, startLine: 10 },
      {
        text: 'Check it.\n',
        directives: { name: 'check', wait: ['plan', 'code'], approve: true },
        startLine: 14,
      },
    ]);
    expect(result.text).toBe('Plan it.\n```\n---\n```\n\n---\n\nCode it. Review it.\n\n---\n\nCheck it.\n');
  });

  it('treats a leading --- block as frontmatter even when it looks like prose', () => {
    const result = expandPrompt('---\nnot: really\n---\nOnly segment', { catalog });
    expect(result.segments.map((segment) => segment.text)).toEqual(['Only segment\n']);
  });

  it('reports bare %wait after an unnamed segment', () => {
    const result = expandPrompt('First.\n---\n%wait Second.', { catalog, file: 'p.md' });
    expect(result.diagnostics).toEqual([
      {
        reason:
          "bare %wait waits for the previous segment's agent, but that segment (line 1) has no %name: add %name:NAME to it",
        file: 'p.md',
        line: 3,
        column: 1,
        ruleId: 'wait-on-unnamed-segment',
        fatal: true,
      },
    ]);
  });

  it('names unnamed segments with defaultName, so bare %wait resolves', () => {
    const result = expandPrompt('First.\n---\n%wait Second.', {
      catalog,
      defaultName: (index) => `job-${index + 1}`,
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.segments.map((segment) => segment.directives)).toEqual([
      { name: 'job-1' },
      { name: 'job-2', wait: ['job-1'] },
    ]);
  });

  it('warns about empty segments and an unclosed fence hiding a separator', () => {
    const result = expandPrompt('A\n---\n\n---\nB\n```\nC\n---\nD', { catalog, file: 'p.md' });
    expect(
      result.diagnostics.map((diagnostic) => [diagnostic.ruleId, diagnostic.line, diagnostic.fatal]),
    ).toEqual([
      ['unclosed-code-fence', 8, false],
      ['empty-segment', 2, false],
    ]);
    expect(result.segments.map((segment) => segment.text)).toEqual(['A\n', 'B\n```\nC\n---\nD\n']);
  });

  it('warns about a segment with directives only', () => {
    const result = expandPrompt('%name:a\n---\nB', { catalog });
    expect(result.diagnostics.map((diagnostic) => diagnostic.ruleId)).toEqual(['empty-prompt']);
  });

  it('normalizes CRLF line endings', () => {
    const result = expandPrompt('%name:a\r\nOne #review\r\n---\r\nTwo\r\n', { catalog });
    expect(result.text).toBe('One Review it.\n\n---\n\nTwo\n');
  });
});

describe('trace', () => {
  it('records every expansion with where it was written and where it came from', () => {
    const catalog = createCatalog([
      {
        name: 'review',
        text: '---\ninput: [{name: file, type: path, default: a.ts}]\n---\nReview {{ file }}. #style',
        source: '.xprompts/review.md',
        origin: 'workspace',
        file: '/r/.xprompts/review.md',
      },
      { name: 'style', text: 'Style.', source: 'builtin:@sase/test', origin: 'builtin' },
    ]);
    const result = expandPrompt('x\n  #review:b.ts', { catalog, file: 'p.md' });
    expect(result.trace).toEqual([
      {
        name: 'review',
        source: '.xprompts/review.md',
        file: 'p.md',
        line: 2,
        column: 3,
        depth: 0,
        segment: 0,
        chain: [],
        arguments: { file: 'b.ts' },
      },
      {
        name: 'style',
        source: 'builtin:@sase/test',
        file: '/r/.xprompts/review.md',
        line: 4,
        column: 20,
        depth: 1,
        segment: 0,
        chain: ['review'],
        arguments: {},
      },
    ]);
  });
});

describe('expandPromptOrThrow', () => {
  it('throws an XPromptError carrying every diagnostic', () => {
    const catalog = createCatalog([]);
    const error = (() => {
      try {
        expandPromptOrThrow('%wait(x\n%time:nope', { catalog, file: 'p.md' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(XPromptError);
    const xpromptError = error as XPromptError;
    expect(xpromptError.code).toBe('XPROMPT_INVALID');
    expect(xpromptError.diagnostics).toHaveLength(2);
    expect(xpromptError.message).toMatch(
      /^p\.md:1:6: %wait\( is never closed.* \[unclosed-directive\] \(and 1 more error\)$/,
    );
    expect([xpromptError.file, xpromptError.line, xpromptError.column]).toEqual(['p.md', 1, 6]);
  });

  it('returns the result when there are only warnings', () => {
    const result = expandPromptOrThrow('A\n---\n---\nB', { catalog: createCatalog([]) });
    expect(result.segments).toHaveLength(2);
  });
});
