/** The argument types an xprompt input may declare. */
export const INPUT_TYPES = ['word', 'line', 'text', 'path', 'int', 'bool', 'float'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

const TYPE_ALIASES: Record<string, InputType> = {
  integer: 'int',
  boolean: 'bool',
  string: 'line',
  number: 'float',
};

export function toInputType(value: string): InputType | undefined {
  if ((INPUT_TYPES as readonly string[]).includes(value)) return value as InputType;
  return TYPE_ALIASES[value];
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

export type CoercedValue =
  | { isValid: true; text: string; value: string | number | boolean }
  | { isValid: false; expected: string };

/**
 * Checks a value against an input type and returns the text to substitute (`bool` is normalized to
 * `true`/`false`) and the typed value. `word`, `path`, `int`, `float` and `bool` are trimmed first.
 */
export function coerceArgument(raw: string, type: InputType): CoercedValue {
  switch (type) {
    case 'text':
      return { isValid: true, text: raw, value: raw };
    case 'line':
      return raw.includes('\n')
        ? { isValid: false, expected: 'a single line (no newline)' }
        : { isValid: true, text: raw, value: raw };
    case 'word': {
      const text = raw.trim();
      return /\s/.test(text)
        ? { isValid: false, expected: 'a word (no whitespace)' }
        : { isValid: true, text, value: text };
    }
    case 'path': {
      const text = raw.trim();
      return text.includes('\n')
        ? { isValid: false, expected: 'a path (one line)' }
        : { isValid: true, text, value: text };
    }
    case 'int': {
      const text = raw.trim();
      return /^[+-]?\d+$/.test(text)
        ? { isValid: true, text, value: Number(text) }
        : { isValid: false, expected: 'an int (like 3 or -12)' };
    }
    case 'float': {
      const text = raw.trim();
      return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)
        ? { isValid: true, text, value: Number(text) }
        : { isValid: false, expected: 'a float (like 0.5, 3 or 1e-3)' };
    }
    case 'bool': {
      const word = raw.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return { isValid: true, text: 'true', value: true };
      if (FALSE_WORDS.has(word)) return { isValid: true, text: 'false', value: false };
      return { isValid: false, expected: 'a bool (true/false, yes/no, on/off, 1/0)' };
    }
  }
}
