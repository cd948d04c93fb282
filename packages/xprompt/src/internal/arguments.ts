import { normalizeTextBlock } from './text-block.js';
import { TextIndex } from './text-index.js';

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

/**
 * Finds the `]]` that closes the `[[` at `open` (nested `[[...]]` allowed); -1 when there is none. With an
 * index, the answer comes from its table (one pass over the text for all text blocks of it).
 */
export function findTextBlockEnd(text: string, open: number, index?: TextIndex): number {
  const indexed = index?.textBlockEnd(open);
  if (indexed !== undefined) return indexed;
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

function readTextBlock(text: string, open: number, index: TextIndex): ValueResult {
  const close = findTextBlockEnd(text, open, index);
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

function unclosedList(display: string, open: number): ArgumentsResult {
  return {
    isValid: false,
    reason: `argument list of ${display} is never closed: expected ')' (write ${display}(value, key=value))`,
    offset: open,
    ruleId: 'unclosed-argument-list',
  };
}

/**
 * Parses `(a, key=value, "quoted, text", [[multi-line]])` starting at the `(` at `open`. Arguments may span
 * lines; bare values keep balanced brackets and are trimmed. Pass the same `index` for every call on one
 * text: a bare value then steps over a bracketed part (or stops at one that is never closed) in one step
 * instead of scanning it, which keeps many unclosed lists in one text linear instead of quadratic.
 */
export function parseParenArguments(
  text: string,
  open: number,
  display: string,
  index: TextIndex = new TextIndex(text),
): ArgumentsResult {
  const written: WrittenArgument[] = [];
  let position = open + 1;
  for (;;) {
    position = skipSpace(text, position);
    if (position >= text.length) return unclosedList(display, open);
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
    if (text.startsWith('[[', position)) value = readTextBlock(text, position, index);
    else if (character === '"' || character === "'") value = readQuoted(text, position, false);
    else {
      // Up to the first `,` or unmatched closer outside brackets: a bracketed part is stepped over at once.
      let end = position;
      for (; end < text.length; end++) {
        const current = text[end]!;
        if (current === '(' || current === '[' || current === '{') {
          const close = index.bracketMatch(end);
          if (close === -1) {
            end = text.length;
            break;
          }
          end = close;
        } else if (current === ')' || current === ']' || current === '}' || current === ',') break;
      }
      if (end >= text.length) return unclosedList(display, open);
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
    if (position >= text.length) return unclosedList(display, open);
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
 * brackets or quotes) is left to the prose. Returns undefined when nothing follows the colon. Pass the same
 * `index` for every call on one text (see parseParenArguments).
 */
export function parseColonArguments(
  text: string,
  colon: number,
  index: TextIndex = new TextIndex(text),
): ArgumentsResult | undefined {
  const written: WrittenArgument[] = [];
  let position = colon + 1;
  if (position >= text.length || isSpace(text[position])) return undefined;
  for (;;) {
    const character = text[position];
    const argumentStart = position;
    let value: ValueResult;
    if (text.startsWith('[[', position)) value = readTextBlock(text, position, index);
    else if (character === '"' || character === '`') value = readQuoted(text, position, true);
    else {
      const stop = index.colonValueStop(position);
      // Short values count their brackets and quotes directly; long ones ask the index, so that the many
      // references inside one long word do not each count the rest of it.
      const end =
        stop - position <= 256
          ? trimmedEnd(text, position, stop, tally(text, position, stop))
          : trimmedEnd(text, position, stop, (character, upTo) => index.count(character, position, upTo));
      value = { isValid: true, value: text.slice(position, end), end };
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
  return raw.slice(0, trimmedEnd(raw, 0, raw.length, tally(raw, 0, raw.length)));
}

/** Counts a character in `[start, upTo)` of the text being trimmed; `upTo` only ever decreases. */
type CountUpTo = (character: string, upTo: number) => number;

/**
 * Where `text.slice(start, end)` ends once trailing punctuation is dropped (see trimTrailingPunctuation): a
 * closer is dropped while it has fewer openers than closers before it, a quote while its count is odd.
 */
function trimmedEnd(text: string, start: number, end: number, countUpTo: CountUpTo): number {
  let kept = end;
  while (kept > start) {
    const character = text[kept - 1]!;
    if ('.,;:!?'.includes(character)) {
      kept--;
      continue;
    }
    const opener = CLOSERS[character];
    if (opener && countUpTo(opener, kept) < countUpTo(character, kept)) {
      kept--;
      continue;
    }
    if ((character === '"' || character === "'") && countUpTo(character, kept) % 2 === 1) {
      kept--;
      continue;
    }
    break;
  }
  return kept;
}

const COUNTED = '()[]{}"\'';

/**
 * A CountUpTo that counts the brackets and quotes of `[start, end)` once and then steps back: linear in the
 * length, however much is trimmed.
 */
function tally(text: string, start: number, end: number): CountUpTo {
  const counts = new Map<string, number>();
  for (let at = start; at < end; at++) {
    const character = text[at]!;
    if (COUNTED.includes(character)) counts.set(character, (counts.get(character) ?? 0) + 1);
  }
  let countedTo = end;
  return (character, upTo) => {
    while (countedTo > upTo) {
      countedTo--;
      const dropped = text[countedTo]!;
      if (COUNTED.includes(dropped)) counts.set(dropped, counts.get(dropped)! - 1);
    }
    return counts.get(character) ?? 0;
  };
}
