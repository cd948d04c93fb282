import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { writeFileAsJsonArray, writeLinesAsJsonArray } from './json-array.js';

/** A file with these lines, opened for reading; `run` gets its descriptor. */
function withFile<T>(text: string, run: (fd: number, size: number) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'sase-json-array-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'issues.jsonl');
  writeFileSync(file, text);
  const fd = openSync(file, 'r');
  try {
    return run(fd, Buffer.byteLength(text));
  } finally {
    closeSync(fd);
  }
}

function collect(run: (write: (chunk: Buffer) => void) => number): { text: string; count: number } {
  const chunks: Buffer[] = [];
  const count = run((chunk) => chunks.push(Buffer.from(chunk)));
  return { text: Buffer.concat(chunks).toString(), count };
}

const array = (lines: string[]) => ({
  text: lines.length === 0 ? '[]\n' : `[\n${lines.join(',\n')}\n]\n`,
  count: lines.length,
});

/** A record-sized line (the real ones are at least ~130 bytes). */
const line = (n: number, extra = '') =>
  JSON.stringify({ id: `p-${n}`, title: `bead ${n} é`, notes: extra, pad: 'x'.repeat(120) });

describe('JSON arrays straight from the file', () => {
  it('writes every line of a file, across windows, with a line longer than a window', () => {
    const lines = Array.from({ length: 3000 }, (_, n) => line(n, n === 1500 ? 'y'.repeat(600_000) : ''));
    const text = `${lines.join('\n')}\n`;
    expect(withFile(text, (fd, size) => collect((write) => writeFileAsJsonArray(fd, size, write)))).toEqual(
      array(lines),
    );
    // Blank lines are skipped, and a last line without its newline is kept.
    expect(
      withFile(`\n${lines[0]}\n\n${lines[1]}`, (fd, size) =>
        collect((write) => writeFileAsJsonArray(fd, size, write)),
      ),
    ).toEqual(array([lines[0]!, lines[1]!]));
    expect(withFile('', (fd, size) => collect((write) => writeFileAsJsonArray(fd, size, write)))).toEqual(
      array([]),
    );
  });

  it('writes chosen lines in the order given: near ones in one read, far, out of order and pending ones too', () => {
    const lines = Array.from({ length: 4000 }, (_, n) => line(n, n === 7 ? 'z'.repeat(300_000) : ''));
    const text = `${lines.join('\n')}\n`;
    const offsets: number[] = [];
    let offset = 0;
    for (const each of lines) {
      offsets.push(offset);
      offset += Buffer.byteLength(each) + 1;
    }
    const chosen = [0, 1, 2, 7, 8, 500, 3999, 3998, 20, -1, 21];
    const positions = chosen.flatMap((n) => (n < 0 ? [-1, 0] : [offsets[n]!, Buffer.byteLength(lines[n]!)]));
    const result = withFile(text, (fd) =>
      collect((write) =>
        writeLinesAsJsonArray(
          fd,
          positions,
          () => 'pending line',
          write,
          () => new Error('short'),
        ),
      ),
    );
    expect(result).toEqual(array(chosen.map((n) => (n < 0 ? 'pending line' : lines[n]!))));
    expect(() =>
      withFile(text.slice(0, 1000), (fd) =>
        writeLinesAsJsonArray(
          fd,
          [offsets[3999]!, 10],
          () => '',
          () => undefined,
          () => new Error('short'),
        ),
      ),
    ).toThrow('short');
  });
});
