import { describe, expect, it } from 'vitest';
import { isValidXPromptName, parseXPrompt } from './parse-xprompt.js';

describe('parseXPrompt', () => {
  it('reads description, inputs and tags from frontmatter', () => {
    const xprompt = parseXPrompt({
      name: 'review',
      text: [
        '---',
        'description: Review a file',
        'tags: [quality, review]',
        'input:',
        '  - name: file',
        '    type: path',
        '    description: the file to review',
        '  - name: depth',
        '    type: integer',
        '    default: 2',
        '  - strict',
        '---',
        'Review {{ file }}.',
      ].join('\n'),
      origin: 'workspace',
      source: '.xprompts/review.md',
      file: '/w/.xprompts/review.md',
    });
    expect(xprompt).toMatchObject({
      name: 'review',
      description: 'Review a file',
      tags: ['quality', 'review'],
      inputs: [
        { name: 'file', type: 'path', isRequired: true, description: 'the file to review' },
        { name: 'depth', type: 'int', isRequired: false, default: 2 },
        { name: 'strict', type: 'line', isRequired: true },
      ],
      body: 'Review {{ file }}.',
      bodyStartLine: 13,
      origin: 'workspace',
      source: '.xprompts/review.md',
      diagnostics: [],
    });
  });

  it('accepts the mapping form of input and comma-separated tags', () => {
    const xprompt = parseXPrompt({
      name: 'x',
      text: '---\ntags: a, b\ninput:\n  who: word\n  loud: {type: bool, default: no}\n---\n{{ who }}{{ loud }}',
    });
    expect(xprompt.tags).toEqual(['a', 'b']);
    expect(xprompt.inputs).toEqual([
      { name: 'who', type: 'word', isRequired: true },
      { name: 'loud', type: 'bool', isRequired: false, default: false },
    ]);
  });

  it('uses the whole text as body when there is no frontmatter', () => {
    const xprompt = parseXPrompt({ name: 'plain', text: 'Hello\r\nworld\r\n' });
    expect(xprompt).toMatchObject({
      body: 'Hello\nworld\n',
      bodyStartLine: 1,
      inputs: [],
      tags: [],
      source: 'inline:plain',
    });
  });

  it.each([
    ['invalid YAML', '---\ninput: [unclosed\n---\nx', 'invalid-frontmatter', 3, true],
    ['not a mapping', '---\n- a\n---\nx', 'invalid-frontmatter', 2, true],
    ['unknown type', '---\ninput:\n  - {name: n, type: number5}\n---\nx', 'invalid-input', 3, true],
    [
      'bad default',
      '---\ninput:\n  - name: n\n    type: int\n    default: many\n---\n{{ n }}',
      'invalid-input',
      5,
      true,
    ],
    ['duplicate input', '---\ninput: [a, a]\n---\n{{ a }}', 'invalid-input', 2, true],
    ['bad input name', '---\ninput: [my-input]\n---\nx', 'invalid-input', 2, true],
    ['unclosed frontmatter', '---\ndescription: x\nbody', 'unclosed-frontmatter', 1, true],
    ['unknown key', '---\ntitle: x\n---\nbody', 'unknown-frontmatter-key', 2, false],
    ['unknown placeholder', '---\ndescription: d\n---\nHello\n{{ who }}', 'unknown-placeholder', 5, false],
  ])('reports %s', (_, text, ruleId, line, fatal) => {
    const xprompt = parseXPrompt({ name: 'x', text, file: '/x.md' });
    expect(xprompt.diagnostics).toHaveLength(1);
    expect(xprompt.diagnostics[0]).toMatchObject({ ruleId, line, fatal, file: '/x.md' });
  });
});

describe('isValidXPromptName', () => {
  it.each([
    ['review', true],
    ['bead/work_phase', true],
    ['pr-summary', true],
    ['_private', true],
    ['a/b/c', true],
    ['123', false],
    ['review-', false],
    ['/review', false],
    ['review/', false],
    ['my review', false],
    ['review.md', false],
    ['', false],
  ])('%s -> %s', (name, isValid) => {
    expect(isValidXPromptName(name)).toBe(isValid);
  });
});
