import { describe, expect, it } from 'vitest';
import { displayWidth } from './internal/terminal-text.js';
import { type CliIo, createRedrawer } from './io.js';

function terminalIo(columns: number | undefined, rows?: number): CliIo & { out: string } {
  const io = {
    out: '',
    isTty: true,
    columns,
    rows,
    stdout(text: string) {
      io.out += text;
    },
    stderr() {},
  };
  return io;
}

/** Each write of the redrawer: how far it moved the cursor up, and the lines it drew. */
function parseDraws(output: string): { up: number; lines: string[] }[] {
  return output.split(/(?=\r\x1b\[\d+A\x1b\[J)/).map((chunk) => {
    const move = /^\r\x1b\[(\d+)A\x1b\[J/.exec(chunk);
    const text = move ? chunk.slice(move[0].length) : chunk;
    return { up: move ? Number(move[1]) : 0, lines: text.slice(0, -1).split('\n') };
  });
}

const TABLE = [
  'WAVE  AGENT    TITLE                                                       STATE      DETAIL',
  '0     demo-1.1 Add the credentials table and migrate the existing users    running    pid 4242',
  '1     demo-1.2 Hash every password with scrypt and a per-user salt          waiting    demo-1.1 is running',
  'land  demo-1   land the epic                                                waiting    every phase',
].join('\n');

describe('createRedrawer', () => {
  it('at a given width never draws a line longer than the width, and goes up exactly the rows it drew', () => {
    for (const columns of [40, 80, 120]) {
      const io = terminalIo(columns);
      const redraw = createRedrawer(io);
      redraw(`${TABLE}\n`);
      redraw(`${TABLE}\nsummary: 1 running\n`);
      redraw(`${TABLE}\n`);
      const draws = parseDraws(io.out);
      expect(draws).toHaveLength(3);
      expect(draws.map((draw) => draw.up)).toEqual([0, 4, 5]);
      for (const draw of draws) {
        for (const line of draw.lines) expect(displayWidth(line)).toBeLessThanOrEqual(columns);
      }
      if (columns < 100) expect(draws[0]!.lines[1]).toMatch(/…$/);
      else expect(draws[0]!.lines[0]).toBe(TABLE.split('\n')[0]);
    }
  });

  it('keeps a table taller than the terminal to its height, saying how many lines are not shown', () => {
    const io = terminalIo(80, 6);
    const redraw = createRedrawer(io);
    const tall = Array.from({ length: 10 }, (_, index) => `row ${index}`).join('\n');
    redraw(tall);
    redraw(tall);
    const draws = parseDraws(io.out);
    expect(draws[0]!.lines).toEqual([
      'row 0',
      'row 1',
      'row 2',
      'row 3',
      '… 6 more lines (a taller terminal shows them)',
    ]);
    expect(draws[1]!.up).toBe(5);
  });

  it('counts the old lines as rewrapped when the terminal got narrower', () => {
    const io = terminalIo(80);
    const redraw = createRedrawer(io);
    redraw(`${'x'.repeat(70)}\nshort\n`);
    io.columns = 35;
    redraw('next\n');
    expect(parseDraws(io.out)[1]!.up).toBe(3); // 70 columns are two rows at 35, and one for "short"
  });

  it('without a known width only counts lines; without a terminal it prints each version', () => {
    const unknown = terminalIo(undefined);
    const redraw = createRedrawer(unknown);
    redraw('a\nb\n');
    redraw('c\n');
    expect(unknown.out).toBe('a\nb\n\r\x1b[2A\x1b[Jc\n');
    const pipe = terminalIo(80);
    pipe.isTty = false;
    const printed = createRedrawer(pipe);
    printed('a\n');
    printed('b\n');
    expect(pipe.out).toBe('a\n\nb\n\n');
  });
});

describe('the live tables on a terminal (an xterm emulator at 80 columns)', () => {
  it('leave one copy of the table however often they redraw, lines wider than the terminal included', async () => {
    const { createRequire } = await import('node:module');
    const { Terminal } = createRequire(import.meta.url)(
      '@xterm/headless',
    ) as typeof import('@xterm/headless');
    // convertEol: a terminal's line discipline turns \n into \r\n.
    const terminal = new Terminal({ cols: 80, rows: 24, allowProposedApi: true, convertEol: true });
    const io = terminalIo(80, 24);
    const redraw = createRedrawer(io);
    for (const state of ['waiting', 'running', 'completed', 'completed', 'completed']) {
      redraw(`${TABLE.replace(/running|waiting/g, state)}\n`);
    }
    await new Promise<void>((resolve) => terminal.write(io.out, resolve));
    const screen = Array.from({ length: 24 }, (_, row) =>
      terminal.buffer.active.getLine(row)!.translateToString(true),
    );
    expect(screen.filter((line) => line.startsWith('WAVE'))).toHaveLength(1);
    expect(screen.slice(0, 4).every((line) => line.length <= 80)).toBe(true);
    expect(screen[1]).toMatch(/^0 +demo-1\.1 .*…$/);
    terminal.dispose();
  });
});
