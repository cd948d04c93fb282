import { describe, expect, it } from 'vitest';
import { splitSegments } from './split-segments.js';

describe('splitSegments', () => {
  it('returns one segment for a prompt without separators', () => {
    expect(splitSegments('Just one prompt.\n')).toEqual({
      frontmatter: undefined,
      segments: [{ text: 'Just one prompt.\n', startLine: 1, startOffset: 0 }],
      diagnostics: [],
    });
  });

  it('splits only at lines that are exactly ---', () => {
    const result = splitSegments('A\n--- not a separator\n----\n---\nB\n - --- \n');
    expect(result.segments.map((segment) => [segment.text, segment.startLine])).toEqual([
      ['A\n--- not a separator\n----\n', 1],
      ['B\n - --- \n', 5],
    ]);
  });

  it('does not split inside backtick or tilde fences, nor at a fence-like line with backticks after', () => {
    const text = '````md\n```\n---\n```\n````\n~~~\n---\n~~~\n```inline``` code\n---\nB';
    const result = splitSegments(text);
    expect(result.segments).toHaveLength(2);
    expect(result.segments[1]).toMatchObject({ text: 'B', startLine: 11 });
  });

  it('takes a leading block as frontmatter and numbers lines from the input', () => {
    const result = splitSegments('---\na: 1\nb: 2\n---\n\nFirst\n---\nSecond');
    expect(result.frontmatter).toBe('a: 1\nb: 2\n');
    expect(result.segments.map((segment) => [segment.text, segment.startLine])).toEqual([
      ['\nFirst\n', 5],
      ['Second', 8],
    ]);
  });

  it('accepts ... as the end of frontmatter', () => {
    expect(splitSegments('---\na: 1\n...\nBody').frontmatter).toBe('a: 1\n');
  });

  it('treats a lone leading --- as a separator and drops the empty segment before it', () => {
    const result = splitSegments('---\nOnly text', { file: 'x.md' });
    expect(result.frontmatter).toBeUndefined();
    expect(result.segments.map((segment) => segment.text)).toEqual(['Only text']);
    expect(result.diagnostics).toMatchObject([
      { ruleId: 'empty-segment', file: 'x.md', line: 1, fatal: false },
    ]);
  });

  it('gives no segment for whitespace-only input', () => {
    expect(splitSegments('  \n\n').segments).toEqual([]);
  });
});
