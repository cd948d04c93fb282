import { describe, expect, it } from 'vitest';
import { displayWidth, fitToWidth, sanitizeText, truncateToWidth, wrapToWidth } from './terminal-text.js';

describe('terminal text', () => {
  it('measures columns: wide characters take two, combining marks none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('🚀 go')).toBe(5);
    expect(displayWidth('…')).toBe(1);
  });

  it('truncates with an ellipsis and never exceeds the width', () => {
    expect(truncateToWidth('hello world', 8)).toBe('hello w…');
    expect(truncateToWidth('hello', 5)).toBe('hello');
    expect(truncateToWidth('日本語テキスト', 7)).toBe('日本語…');
    expect(truncateToWidth('abc', 0)).toBe('');
    expect(truncateToWidth('abc', 1)).toBe('…');
    for (let width = 0; width < 12; width++) {
      expect(displayWidth(truncateToWidth('日本語 mixed テキスト', width))).toBeLessThanOrEqual(width);
    }
  });

  it('fits to an exact width, left or right aligned', () => {
    expect(fitToWidth('ab', 4)).toBe('ab  ');
    expect(fitToWidth('ab', 4, 'right')).toBe('  ab');
    expect(fitToWidth('abcdef', 4)).toBe('abc…');
  });

  it('strips escape sequences and control characters from untrusted text', () => {
    expect(sanitizeText('\x1b[31mred\x1b[0m\tand\nmore\x07')).toBe('red  and more ');
    expect(sanitizeText('\x1b]0;title\x07visible')).toBe('visible');
  });

  it('wraps words to the width, cutting words longer than a line', () => {
    expect(wrapToWidth('the quick brown fox jumps', 10)).toEqual(['the quick', 'brown fox', 'jumps']);
    expect(wrapToWidth('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl']);
    expect(wrapToWidth('  indented text here', 10)).toEqual(['  indented', '  text', '  here']);
    expect(wrapToWidth('', 10)).toEqual(['']);
    for (const line of wrapToWidth('日本語のテキストを折り返す and some words', 7)) {
      expect(displayWidth(line)).toBeLessThanOrEqual(7);
    }
  });
});
