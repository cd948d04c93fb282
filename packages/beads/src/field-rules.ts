// The rules a field value must follow beyond its JSON type: shared by the record schema (zod), its fast
// check, and the store's input checks (which say, in INVALID_INPUT, what was wrong).

/**
 * A model name (`-m`, a bead's `model`): letters, digits and `. _ : / @ + [ ] -`, 1 to 200 characters, not
 * starting with `-`. No whitespace or control characters, so a model can never become a flag or a second
 * argument of an agent CLI (`--model --yolo`). The same pattern as `MODEL_NAME` in @sase/workspace (which this
 * package does not depend on): keep them equal.
 */
export const MODEL_NAME = /^[A-Za-z0-9._:/@+[\]][A-Za-z0-9._:/@+[\]-]{0,199}$/;

/** A UTC ISO-8601 time ending in Z, fraction optional: the shape; isRealUtcTime also checks the ranges. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True for a UTC ISO-8601 time that exists: month 01-12, a day within its month (29 February only in leap
 * years), hours 00-23, minutes and seconds 00-59. `2026-13-45T99:99:99.000Z` has the shape but is not a time.
 */
export function isRealUtcTime(text: string): boolean {
  if (!ISO_UTC.test(text)) return false;
  // Digits by hand (no closure, no Date): this runs three times for each line when a cache is rebuilt.
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return false;
  return twoDigits(text, 11) <= 23 && twoDigits(text, 14) <= 59 && twoDigits(text, 17) <= 59;
}

function twoDigits(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
}

/**
 * The index of the first control character in `text` (C0 U+0000-U+001F, which includes newline, tab and
 * escape; DEL; C1 U+0080-U+009F), or -1. Titles and assignees are printed in one-line tables, so they must
 * have none.
 */
export function controlCharacterIndex(text: string): number {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return index;
  }
  return -1;
}

/** How a control character is named in messages: `newline`, `tab`, or its code point (`U+001B`). */
export function describeControlCharacter(text: string, index: number): string {
  const code = text.charCodeAt(index);
  if (code === 10) return 'a newline';
  if (code === 13) return 'a carriage return';
  if (code === 9) return 'a tab';
  if (code === 0x1b) return 'an escape character (U+001B)';
  return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `text` with each run of control characters (and the spaces around it) replaced by one space. */
export function toOneLine(text: string): string {
  let out = '';
  let pendingSpace = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
      pendingSpace = true;
      out = out.trimEnd();
      continue;
    }
    if (pendingSpace) {
      if (text[index] === ' ') continue;
      if (out !== '') out += ' ';
      pendingSpace = false;
    }
    out += text[index];
  }
  return out;
}
