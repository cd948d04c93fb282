/** Stands in the output for a stripped directive (or an xprompt that expanded to nothing) until cleanup. */
export const MARKER = '\u0000';

const MARKER_RUN = /[ \t]*\u0000(?:[ \t]*\u0000)*[ \t]*/g;
const CLOSING = '.,;:!?)]}';
const OPENING = '([{';
const BLANK_OR_MARKERS = /^[\s\u0000]*$/;

/**
 * Removes markers: a line left with nothing but markers and whitespace disappears (newline included);
 * elsewhere a marker and the spaces around it collapse to one space, or to nothing at the start of a line
 * (keeping the indentation), at its end, before closing punctuation or after an opening bracket.
 */
export function removeMarkers(output: string): string {
  let index = output.indexOf(MARKER);
  if (index === -1) return output;
  let result = '';
  let copiedUpTo = 0;
  while (index !== -1) {
    const lineStart = output.lastIndexOf('\n', index) + 1;
    let lineEnd = output.indexOf('\n', index);
    if (lineEnd === -1) lineEnd = output.length;
    const line = output.slice(lineStart, lineEnd);
    result += output.slice(copiedUpTo, lineStart);
    if (BLANK_OR_MARKERS.test(line)) {
      copiedUpTo = Math.min(output.length, lineEnd + 1);
      if (lineEnd === output.length && result.endsWith('\n')) result = result.slice(0, -1);
    } else {
      result += line.replace(MARKER_RUN, (match, offset: number) => {
        if (offset === 0) return match.slice(0, match.length - match.trimStart().length);
        const after = offset + match.length;
        if (after === line.length || CLOSING.includes(line[after]!) || OPENING.includes(line[offset - 1]!))
          return '';
        return ' ';
      });
      copiedUpTo = lineEnd;
    }
    index = output.indexOf(MARKER, copiedUpTo);
  }
  return result + output.slice(copiedUpTo);
}

/** Drops leading blank lines and trailing whitespace. */
export function trimBlankLines(text: string): string {
  return text.replace(/^(?:[ \t]*\n)+/, '').trimEnd();
}
