/** Maps offsets in a text to 1-based line and column numbers. The line table is built on first use. */
export class LineIndex {
  #lineStarts: number[] | undefined;

  constructor(readonly text: string) {}

  position(offset: number): { line: number; column: number } {
    const starts = this.#starts();
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  }

  #starts(): number[] {
    if (this.#lineStarts) return this.#lineStarts;
    const starts = [0];
    let index = this.text.indexOf('\n');
    while (index !== -1) {
      starts.push(index + 1);
      index = this.text.indexOf('\n', index + 1);
    }
    this.#lineStarts = starts;
    return starts;
  }
}

/** Counts the newlines in `text` before `end`. */
export function countLines(text: string, end: number): number {
  let count = 0;
  let index = text.indexOf('\n');
  while (index !== -1 && index < end) {
    count++;
    index = text.indexOf('\n', index + 1);
  }
  return count;
}

/** CRLF and lone CR become LF; NUL (used internally as a marker) becomes U+FFFD. */
export function normalizeNewlines(text: string): string {
  let result = text;
  if (result.includes('\r')) result = result.replace(/\r\n?/g, '\n');
  if (result.includes('\u0000')) result = result.replace(/\u0000/g, '\uFFFD');
  return result;
}
