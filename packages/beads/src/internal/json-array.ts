import { readSync } from 'node:fs';

// Lines of issues.jsonl written out as one JSON array (`[\n`, the lines joined by `,\n`, `\n]\n`) straight
// from the file's bytes: what `sase bead list --json` and `ready --json` print. No line is decoded, parsed or
// copied into a new object. Short-lived processes run this code before the JIT compiles it, where every
// call and allocation per line costs microseconds (a 20,000-line list took 110 ms with a Buffer per line),
// and fresh memory costs a page fault per 4 KiB: so a window of the file is read into one reused buffer,
// behind a gap of ROOM bytes, and each line is moved forward within that buffer with `copyWithin` to make
// space for its separator. A line is at least ~140 bytes (the required fields), so a window of W bytes
// holds fewer than W / 16 lines, and the moved lines (one byte longer each) never catch up with the ones
// not yet moved.

/** Bytes of the file read at a time (grown for a longer line). */
const WINDOW = 256 * 1024;

/** Two wanted lines further apart than this are read with two reads rather than one across the gap. */
const MAX_GAP = 16 * 1024;

const OPEN_BRACKET = 0x5b; // [
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const CLOSE = Buffer.from('\n]\n');
const indexOf = Uint8Array.prototype.indexOf;
const EMPTY = Buffer.from('[]\n');

/** Where the lines go: chunks of the array's text, each valid only during the call. */
export type ChunkWriter = (chunk: Buffer) => void;

class Output {
  private buffer: Buffer;
  count = 0;

  constructor(
    private readonly write: ChunkWriter,
    windowSize: number,
  ) {
    this.buffer = Buffer.allocUnsafe(roomFor(windowSize) + windowSize);
  }

  get window(): number {
    return this.buffer.length - roomFor(this.buffer.length);
  }

  /** Makes the window at least `size` bytes (a line longer than it). */
  grow(size: number): void {
    if (size <= this.window) return;
    let window = this.window * 2;
    while (window < size) window *= 2;
    this.buffer = Buffer.allocUnsafe(roomFor(window) + window);
  }

  /** Reads `length` bytes of `fd` at `position` into the window; returns how many it read. */
  read(fd: number, length: number, position: number): number {
    const room = this.room;
    let done = 0;
    while (done < length) {
      const read = readSync(fd, this.buffer, room + done, length - done, position + done);
      if (read === 0) break;
      done += read;
    }
    return done;
  }

  /** Where the window starts in the buffer. */
  get room(): number {
    return roomFor(this.buffer.length);
  }

  /**
   * Moves the lines of the `length` bytes read into the window (all of them when `isLast`, else those
   * that end in a newline) and writes them; returns how many bytes it consumed. (The loop is written out:
   * it runs once per line.)
   */
  lines(length: number, isLast: boolean): number {
    const buffer = this.buffer;
    const room = this.room;
    const end = room + length;
    let at = 0;
    let start = room;
    let count = this.count;
    while (start < end) {
      // TypedArray's own indexOf: a builtin, without Buffer#indexOf's argument handling in JavaScript.
      let newline = indexOf.call(buffer, NEWLINE, start);
      if (newline < 0 || newline >= end) {
        if (!isLast) break;
        newline = end;
      }
      if (newline > start) {
        buffer[at] = count++ === 0 ? OPEN_BRACKET : COMMA;
        buffer[at + 1] = NEWLINE;
        buffer.copyWithin(at + 2, start, newline);
        at += 2 + newline - start;
      }
      start = newline + 1;
    }
    this.count = count;
    if (at > 0) this.write(buffer.subarray(0, at));
    return Math.min(start, end) - room;
  }

  /**
   * Moves the lines `first` to `last` (exclusive) of `positions`, read into the window from file offset
   * `base`, and writes them. (The loop is written out: it runs once per line.)
   */
  rows(positions: readonly number[], first: number, last: number, base: number): void {
    const buffer = this.buffer;
    const from = this.room - base;
    let at = 0;
    let count = this.count;
    for (let index = first; index < last; index++) {
      const start = positions[2 * index]! + from;
      const length = positions[2 * index + 1]!;
      buffer[at] = count++ === 0 ? OPEN_BRACKET : COMMA;
      buffer[at + 1] = NEWLINE;
      buffer.copyWithin(at + 2, start, start + length);
      at += 2 + length;
    }
    this.count = count;
    if (at > 0) this.write(buffer.subarray(0, at));
  }

  /** A line that is not in the file (pending in a write transaction). */
  text(line: string): void {
    this.write(Buffer.from(`${this.count++ === 0 ? '[' : ','}\n${line}`));
  }

  end(): number {
    this.write(this.count === 0 ? EMPTY : CLOSE);
    return this.count;
  }
}

function roomFor(total: number): number {
  // total = room + window with room = window / 16
  return Math.floor(total / 17);
}

/**
 * Writes the non-empty lines of bytes [0, size) of `fd` (an issues.jsonl in canonical form) as one JSON
 * array. Returns the number of lines.
 */
export function writeFileAsJsonArray(fd: number, size: number, write: ChunkWriter): number {
  const output = new Output(write, Math.max(1, Math.min(WINDOW, size)));
  let position = 0;
  while (position < size) {
    const length = Math.min(output.window, size - position);
    const read = output.read(fd, length, position);
    if (read === 0) break;
    const consumed = output.lines(read, position + read >= size);
    if (consumed === 0) {
      // One line longer than the window: read it again into a larger one.
      output.grow(output.window * 2);
      continue;
    }
    position += consumed;
  }
  return output.end();
}

/**
 * Writes the lines at `positions` (flat: offset, length, ...; offset -1 for a line whose text is pending,
 * which `pendingText(index)` gives) as one JSON array, in that order. Lines that follow each other in the
 * file, close by, are read with one read. Calls `truncated()` (which throws) when the file ends before a
 * line. Returns the number of lines.
 */
export function writeLinesAsJsonArray(
  fd: number | undefined,
  positions: readonly number[],
  pendingText: (index: number) => string,
  write: ChunkWriter,
  truncated: () => Error,
): number {
  const count = positions.length / 2;
  const output = new Output(write, WINDOW);
  let index = 0;
  while (index < count) {
    const off = positions[2 * index]!;
    if (off < 0 || fd === undefined) {
      output.text(pendingText(index));
      index++;
      continue;
    }
    let last = off + positions[2 * index + 1]!;
    let next = index + 1;
    for (; next < count; next++) {
      const nextOff = positions[2 * next]!;
      const nextEnd = nextOff + positions[2 * next + 1]!;
      if (nextOff < last || nextOff - last > MAX_GAP || nextEnd - off > output.window) break;
      last = nextEnd;
    }
    output.grow(last - off);
    if (output.read(fd, last - off, off) < last - off) throw truncated();
    output.rows(positions, index, next, off);
    index = next;
  }
  return output.end();
}
