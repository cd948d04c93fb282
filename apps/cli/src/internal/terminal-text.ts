// Text measured in terminal columns: what the live tables and `sase ace` use to keep every line within the
// terminal's width (a line that is one column too long wraps, and a redraw that counts text lines then
// leaves stale rows behind). No dependencies: the redrawer is part of every command's start-up.

/** Zero-width code points: combining marks, joiners and variation selectors. */
const ZERO_WIDTH: readonly [number, number][] = [
  [0x0300, 0x036f],
  [0x0483, 0x0489],
  [0x0591, 0x05bd],
  [0x0610, 0x061a],
  [0x064b, 0x065f],
  [0x1ab0, 0x1aff],
  [0x1dc0, 0x1dff],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x2064],
  [0x20d0, 0x20ff],
  [0xfe00, 0xfe0f],
  [0xfe20, 0xfe2f],
  [0xfeff, 0xfeff],
  [0xe0100, 0xe01ef],
];

/** Code points a terminal draws two columns wide: East Asian wide and fullwidth forms, and emoji. */
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f251],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
];

function isIn(ranges: readonly [number, number][], codePoint: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, end] = ranges[middle]!;
    if (codePoint < start) high = middle - 1;
    else if (codePoint > end) low = middle + 1;
    else return true;
  }
  return false;
}

/** The columns one code point takes: 0 (controls, combining marks), 1, or 2 (wide characters, emoji). */
export function codePointWidth(codePoint: number): 0 | 1 | 2 {
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return 0;
  if (codePoint < 0x300) return 1;
  if (isIn(ZERO_WIDTH, codePoint)) return 0;
  return isIn(WIDE, codePoint) ? 2 : 1;
}

/** The columns a text takes on a terminal (no escape sequences expected: see sanitizeText). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) width += codePointWidth(character.codePointAt(0)!);
  return width;
}

// CSI and OSC sequences, then any other escape or control character.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;

/**
 * One line of text safe to print inside a table: escape sequences removed, tabs as spaces, other control
 * characters (and line breaks) as a space. Text from agents (transcripts, titles) can hold anything.
 */
export function sanitizeText(text: string): string {
  return text
    .replace(ESCAPES, '')
    .replace(/\t/g, '  ')
    .replace(/[\x00-\x1f\x7f-\x9f]/g, ' ');
}

/**
 * Cuts a text to at most `width` columns, ending it with an ellipsis when something was cut. Never returns
 * more than `width` columns (an empty string for a width of 0 or less).
 */
export function truncateToWidth(text: string, width: number, ellipsis = '…'): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  const room = width - displayWidth(ellipsis);
  if (room < 0) return truncateToWidth(ellipsis, width, '');
  let result = '';
  let used = 0;
  for (const character of text) {
    const columns = codePointWidth(character.codePointAt(0)!);
    if (used + columns > room) break;
    result += character;
    used += columns;
  }
  return result + ellipsis;
}

/** Truncates (with an ellipsis) or pads with spaces to exactly `width` columns. */
export function fitToWidth(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncateToWidth(text, width);
  const padding = ' '.repeat(Math.max(0, width - displayWidth(cut)));
  return align === 'left' ? cut + padding : padding + cut;
}

/**
 * Word-wraps one paragraph to lines of at most `width` columns; a word longer than a line is cut into
 * pieces. The paragraph's indentation starts every line (a hanging indent), as long as it leaves room.
 */
export function wrapToWidth(text: string, width: number): string[] {
  if (width <= 0) return [];
  const clean = sanitizeText(text).replace(/\s+$/, '');
  if (clean === '') return [''];
  let indent = /^ */.exec(clean)![0];
  if (indent.length > width / 2) indent = '';
  const room = width - indent.length;
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  const push = () => {
    lines.push(indent + line);
    line = '';
    lineWidth = 0;
  };
  for (const word of clean.trim().split(/ +/)) {
    const wordWidth = displayWidth(word);
    const needed = line === '' ? wordWidth : wordWidth + 1;
    if (lineWidth + needed <= room) {
      line += line === '' ? word : ` ${word}`;
      lineWidth += needed;
      continue;
    }
    if (line !== '') push();
    if (wordWidth <= room) {
      line = word;
      lineWidth = wordWidth;
      continue;
    }
    // A word wider than a whole line: cut it into pieces.
    for (const character of word) {
      const columns = codePointWidth(character.codePointAt(0)!);
      if (lineWidth + columns > room && line !== '') push();
      line += character;
      lineWidth += columns;
    }
  }
  if (line !== '' || lines.length === 0) push();
  return lines;
}
