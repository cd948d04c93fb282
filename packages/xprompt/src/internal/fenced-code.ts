/** A fenced code block: [start, end) offsets, from the opening fence line to the end of the closing one. */
export interface FencedCode {
  start: number;
  end: number;
  /** Offset of the opening fence line, and whether a closing fence was found. */
  isClosed: boolean;
}

const FENCE_LINE = /^[ \t]*(`{3,}|~{3,})([^\n]*)$/gm;

/**
 * Finds the fenced code blocks of a Markdown text: a line of three or more backticks or tildes (any
 * indentation; a backtick fence's info string may not contain a backtick) opens a block, and a line of at
 * least as many of the same character with nothing but spaces after closes it. An unclosed block runs to the
 * end of the text, as in CommonMark.
 */
export function findFencedCode(text: string): FencedCode[] {
  if (!text.includes('```') && !text.includes('~~~')) return [];
  const blocks: FencedCode[] = [];
  FENCE_LINE.lastIndex = 0;
  let open: { start: number; marker: string; length: number } | undefined;
  for (let match = FENCE_LINE.exec(text); match; match = FENCE_LINE.exec(text)) {
    const fence = match[1]!;
    const rest = match[2]!;
    const marker = fence[0]!;
    if (!open) {
      if (marker === '`' && rest.includes('`')) continue;
      open = { start: match.index, marker, length: fence.length };
    } else if (marker === open.marker && fence.length >= open.length && rest.trim() === '') {
      blocks.push({ start: open.start, end: match.index + match[0].length, isClosed: true });
      open = undefined;
    }
  }
  if (open) blocks.push({ start: open.start, end: text.length, isClosed: false });
  return blocks;
}
