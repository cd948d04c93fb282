import { normalizeTextBlock } from './text-block.js';

/** One argument of a reference as written: `key=value` or a positional value. */
export interface WrittenArgument {
  key: string | undefined;
  value: string;
  /** Offset of the argument in the scanned text. */
  offset: number;
}

export type ArgumentsResult =
  | { isValid: true; arguments: WrittenArgument[]; end: number }
  | { isValid: false; reason: string; offset: number; ruleId: string };

const KEY = /([A-Za-z_]\w*)[ \t]*=(?!=)/y;
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

function isSpace(character: string | undefined): boolean {
  return character === ' ' || character === '\t' || character === '\n';
}

function skipSpace(text: string, index: number): number {
  let position = index;
  while (isSpace(text[position])) position++;
  return position;
}

/** Finds the `]]` that closes the `[[` at `open` (nested `[[...]]` allowed); -1 when there is none. */
export function findTextBlockEnd(text: string, open: number): number {
  let depth = 0;
  let position = open;
  for (;;) {
    const nextOpen = text.indexOf('[[', position);
    const nextClose = text.indexOf(']]', position);
    if (nextClose === -1) return -1;
    if (nextOpen !== -1 && nextOpen < nextClose) {
      depth++;
      position = nextOpen + 2;
    } else {
      depth--;
      position = nextClose + 2;
      if (depth === 0) return nextClose;
    }
  }
}

type ValueResult =
  | { isValid: true; value: string; end: number }
  | { isValid: false; reason: string; offset: number; ruleId: string };

function readTextBlock(text: string, open: number): ValueResult {
  const close = findTextBlockEnd(text, open);
  if (close === -1) {
    return {
      isValid: false,
      reason: "text argument '[[' is never closed: end it with ']]'",
      offset: open,
      ruleId: 'unclosed-text-argument',
    };
  }
  return { isValid: true, value: normalizeTextBlock(text.slice(open + 2, close)), end: close + 2 };
}

function readQuoted(text: string, open: number, isSingleLine: boolean): ValueResult {
  const quote = text[open]!;
  let value = '';
  let position = open + 1;
  while (position < text.length) {
    const character = text[position]!;
    if (character === quote) return { isValid: true, value, end: position + 1 };
    if (isSingleLine && character === '\n') break;
    if (character === '\\' && quote !== '`' && position + 1 < text.length) {
      const next = text[position + 1]!;
      if (next === quote || next === '\\') value += next;
      else if (next === 'n' && quote === '"') value += '\n';
      else if (next === 't' && quote === '"') value += '\t';
      else value += character + next;
      position += 2;
      continue;
    }
    value += character;
    position++;
  }
  return {
    isValid: false,
    reason: `quoted argument is never closed: end it with ${quote}`,
    offset: open,
    ruleId: 'unclosed-quote',
  };
}

/**
 * Parses `(a, key=value, "quoted, text", [[multi-line]])` starting at the `(` at `open`. Arguments may span
 * lines; bare values keep balanced brackets and are trimmed.
 */
export function parseParenArguments(text: string, open: number, display: string): ArgumentsResult {
  const written: WrittenArgument[] = [];
  const unclosed = {
    isValid: false as const,
    reason: `argument list of ${display} is never closed: expected ')' (write ${display}(value, key=value))`,
    offset: open,
    ruleId: 'unclosed-argument-list',
  };
  let position = open + 1;
  for (;;) {
    position = skipSpace(text, position);
    if (position >= text.length) return unclosed;
    if (text[position] === ')') return { isValid: true, arguments: written, end: position + 1 };
    const argumentStart = position;
    let key: string | undefined;
    KEY.lastIndex = position;
    const keyMatch = KEY.exec(text);
    if (keyMatch) {
      key = keyMatch[1];
      position = skipSpace(text, position + keyMatch[0].length);
    }
    const character = text[position];
    let value: ValueResult;
    if (text.startsWith('[[', position)) value = readTextBlock(text, position);
    else if (character === '"' || character === "'") value = readQuoted(text, position, false);
    else {
      let depth = 0;
      let end = position;
      for (; end < text.length; end++) {
        const current = text[end]!;
        if (current === '(' || current === '[' || current === '{') depth++;
        else if (current === ')' || current === ']' || current === '}') {
          if (depth === 0) break;
          depth--;
        } else if (current === ',' && depth === 0) break;
      }
      if (end >= text.length) return unclosed;
      value = { isValid: true, value: text.slice(position, end).trim(), end };
    }
    if (!value.isValid) return value;
    written.push({ key, value: value.value, offset: argumentStart });
    position = skipSpace(text, value.end);
    if (text[position] === ',') {
      position++;
      continue;
    }
    if (text[position] === ')') return { isValid: true, arguments: written, end: position + 1 };
    if (position >= text.length) return unclosed;
    return {
      isValid: false,
      reason: `unexpected '${text[position]}' in the arguments of ${display}: expected ',' or ')' (quote values that contain them)`,
      offset: position,
      ruleId: 'invalid-argument-list',
    };
  }
}

/**
 * Parses colon arguments `:a`, `:a,b`, `:"with spaces"`, `` :`with spaces` ``, `:[[multi-line]]` after the
 * `:` at `colon`. A value ends at whitespace; trailing sentence punctuation (`.,;:!?`, unbalanced closing
 * brackets or quotes) is left to the prose. Returns undefined when nothing follows the colon.
 */
export function parseColonArguments(text: string, colon: number): ArgumentsResult | undefined {
  const written: WrittenArgument[] = [];
  let position = colon + 1;
  if (position >= text.length || isSpace(text[position])) return undefined;
  for (;;) {
    const character = text[position];
    const argumentStart = position;
    let value: ValueResult;
    if (text.startsWith('[[', position)) value = readTextBlock(text, position);
    else if (character === '"' || character === '`') value = readQuoted(text, position, true);
    else {
      let end = position;
      while (end < text.length && !isSpace(text[end]) && text[end] !== ',') end++;
      const kept = trimTrailingPunctuation(text.slice(position, end));
      value = { isValid: true, value: kept, end: position + kept.length };
    }
    if (!value.isValid) return value;
    if (value.end === argumentStart) break;
    written.push({ key: undefined, value: value.value, offset: argumentStart });
    position = value.end;
    if (text[position] === ',' && position + 1 < text.length && !isSpace(text[position + 1])) {
      position++;
      continue;
    }
    break;
  }
  if (written.length === 0) return undefined;
  return { isValid: true, arguments: written, end: position };
}

/** Drops trailing `.,;:!?`, unbalanced `)]}` and unpaired quotes: `main.ts.` -> `main.ts`, `f(x))` -> `f(x)`. */
export function trimTrailingPunctuation(raw: string): string {
  let end = raw.length;
  while (end > 0) {
    const character = raw[end - 1]!;
    if ('.,;:!?'.includes(character)) {
      end--;
      continue;
    }
    const opener = CLOSERS[character];
    if (opener) {
      const kept = raw.slice(0, end);
      if (count(kept, opener) < count(kept, character)) {
        end--;
        continue;
      }
    }
    if ((character === '"' || character === "'") && count(raw.slice(0, end), character) % 2 === 1) {
      end--;
      continue;
    }
    break;
  }
  return raw.slice(0, end);
}

function count(text: string, character: string): number {
  let total = 0;
  for (let index = text.indexOf(character); index !== -1; index = text.indexOf(character, index + 1)) total++;
  return total;
}
