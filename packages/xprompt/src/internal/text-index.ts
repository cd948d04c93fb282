/**
 * Lookup tables over one scanned text, each built on first use in one pass, so that parsing an argument list
 * or a directive from many positions of the same text stays linear in its length. Without them, every `#x(`
 * that is never closed scanned to the end of the text (a prompt of 160 KB of `#x(` took seconds, 640 KB half a
 * minute). The answers are exactly those of the plain scans they replace.
 */
export class TextIndex {
  #brackets: Int32Array | undefined;
  #textBlocks: Map<number, number> | undefined;
  #counts = new Map<string, Int32Array>();
  #next = new Map<string, { from: number; at: number }>();
  #stopFrom = -1;
  #stopAt = -1;

  constructor(readonly text: string) {}

  /**
   * The `)`, `]` or `}` that closes the `(`, `[` or `{` at `open` (any closer closes any opener, as in a bare
   * argument value), or -1 when none does.
   */
  bracketMatch(open: number): number {
    if (this.#brackets === undefined) {
      const { text } = this;
      const match = new Int32Array(text.length).fill(-1);
      const stack: number[] = [];
      const brackets = /[()[\]{}]/g;
      for (let found = brackets.exec(text); found !== null; found = brackets.exec(text)) {
        const code = text.charCodeAt(found.index);
        if (code === 40 || code === 91 || code === 123)
          stack.push(found.index); // ( [ {
        else if (stack.length > 0) match[stack.pop()!] = found.index;
      }
      this.#brackets = match;
    }
    return this.#brackets[open] ?? -1;
  }

  /**
   * The `]]` that closes the `[[` at `open` (nested `[[...]]` allowed), -1 when there is none, or undefined
   * when `open` is not the start of a run of `[` (the caller then scans, as the table assumes runs are
   * tokenized from their start).
   */
  textBlockEnd(open: number): number | undefined {
    const { text } = this;
    if (open > 0 && text.charCodeAt(open - 1) === 91) return undefined;
    if (this.#textBlocks === undefined) {
      const ends = new Map<number, number>();
      const stack: number[] = [];
      const runs = /\[{2,}|\]{2,}/g;
      for (let run = runs.exec(text); run; run = runs.exec(text)) {
        const tokens = run[0].length >> 1;
        for (let token = 0; token < tokens; token++) {
          const at = run.index + 2 * token;
          if (run[0][0] === '[') stack.push(at);
          else if (stack.length > 0) ends.set(stack.pop()!, at);
        }
      }
      this.#textBlocks = ends;
    }
    return this.#textBlocks.get(open) ?? -1;
  }

  /** The first offset at or after `from` holding a space, tab, newline or comma (the text's length if none). */
  colonValueStop(from: number): number {
    if (from >= this.#stopFrom && from <= this.#stopAt) return this.#stopAt;
    const stops = /[ \t\n,]/g;
    stops.lastIndex = from;
    const found = stops.exec(this.text);
    this.#stopFrom = from;
    this.#stopAt = found ? found.index : this.text.length;
    return this.#stopAt;
  }

  /** `text.indexOf(character, from)`, remembered: calls with increasing `from` cost one pass in all. */
  indexOf(character: string, from: number): number {
    const cached = this.#next.get(character);
    if (cached !== undefined && from >= cached.from && (cached.at === -1 || from <= cached.at))
      return cached.at;
    const at = this.text.indexOf(character, from);
    this.#next.set(character, { from, at });
    return at;
  }

  /** How many times `character` occurs in `[start, end)`. */
  count(character: string, start: number, end: number): number {
    let prefix = this.#counts.get(character);
    if (prefix === undefined) {
      const { text } = this;
      prefix = new Int32Array(text.length + 1);
      // prefix[i] = occurrences before offset i.
      let total = 0;
      let filled = 0;
      for (let at = text.indexOf(character); at !== -1; at = text.indexOf(character, at + 1)) {
        prefix.fill(total, filled, at + 1);
        total++;
        filled = at + 1;
      }
      prefix.fill(total, filled);
      this.#counts.set(character, prefix);
    }
    return prefix[end]! - prefix[start]!;
  }
}
