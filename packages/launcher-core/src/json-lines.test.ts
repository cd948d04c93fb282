import { describe, expect, it } from 'vitest';
import { createJsonLineParser, parseJsonLine } from './json-lines.js';

describe('createJsonLineParser', () => {
  it('joins a line split across chunks and returns complete lines only', () => {
    const parser = createJsonLineParser();
    expect(parser.push('{"type":"ass')).toEqual([]);
    expect(parser.push('istant","n":1}\n{"type"')).toEqual([
      { kind: 'json', value: { type: 'assistant', n: 1 }, line: '{"type":"assistant","n":1}' },
    ]);
    expect(parser.push(':"result"}\n')).toEqual([
      { kind: 'json', value: { type: 'result' }, line: '{"type":"result"}' },
    ]);
    expect(parser.end()).toEqual([]);
  });

  it('keeps a UTF-8 character split across byte chunks intact', () => {
    const bytes = Buffer.from('{"text":"ünï 🚀"}\n', 'utf8');
    const parser = createJsonLineParser();
    const lines = [
      ...parser.push(bytes.subarray(0, 11)),
      ...parser.push(bytes.subarray(11, 16)),
      ...parser.push(bytes.subarray(16)),
    ];
    expect(lines).toEqual([{ kind: 'json', value: { text: 'ünï 🚀' }, line: '{"text":"ünï 🚀"}' }]);
  });

  it('returns noise, arrays, numbers and truncated objects as text, and skips blank lines', () => {
    const parser = createJsonLineParser();
    const lines = parser.push('Warning: something\n\n[1,2]\n42\n  \r\n{"cut":\n{"ok":true}\r\n');
    expect(lines).toEqual([
      { kind: 'text', line: 'Warning: something' },
      { kind: 'text', line: '[1,2]' },
      { kind: 'text', line: '42' },
      { kind: 'text', line: '{"cut":' },
      { kind: 'json', value: { ok: true }, line: '{"ok":true}' },
    ]);
  });

  it('gives out a last line without a newline at end()', () => {
    const parser = createJsonLineParser();
    expect(parser.push('{"a":1}\n{"b":2}')).toHaveLength(1);
    expect(parser.end()).toEqual([{ kind: 'json', value: { b: 2 }, line: '{"b":2}' }]);
    expect(parser.end()).toEqual([]);
  });

  it('splits a line longer than maxLineLength into text pieces instead of buffering it without bound', () => {
    const parser = createJsonLineParser({ maxLineLength: 10 });
    expect(parser.push('a'.repeat(25))).toEqual([
      { kind: 'text', line: 'a'.repeat(10) },
      { kind: 'text', line: 'a'.repeat(10) },
    ]);
    expect(parser.end()).toEqual([{ kind: 'text', line: 'aaaaa' }]);
  });
});

describe('parseJsonLine', () => {
  it('accepts an object surrounded by spaces and keeps the original line', () => {
    expect(parseJsonLine('  {"x":null}  ')).toEqual({
      kind: 'json',
      value: { x: null },
      line: '  {"x":null}  ',
    });
    expect(parseJsonLine('{not json}')).toEqual({ kind: 'text', line: '{not json}' });
  });
});
