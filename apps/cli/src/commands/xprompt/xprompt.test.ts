import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliRuntime } from '../../runtime.js';
import { captureIo, createTempDir } from '../../testing/run-cli.js';
import { xpromptExpand } from './expand.js';
import { xpromptExplain } from './explain.js';
import { xpromptList } from './list.js';
import { findXPromptRoot } from './load-workspace-catalog.js';
import { registerXprompt } from './register.js';

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A workspace (with .git) holding a few xprompts, and a home with one more. */
function workspace() {
  const base = createTempDir('sase-xprompt-cli');
  const cwd = join(base, 'shop');
  const homeDir = join(base, 'home');
  mkdirSync(join(cwd, '.git'), { recursive: true });
  write(
    join(cwd, '.xprompts/review.md'),
    '---\ndescription: Review one file\ntags: [quality]\ninput:\n  - {name: file, type: path, description: what to review}\n  - {name: depth, type: int, default: 2}\n---\nReview {{ file }} to depth {{ depth }}. #style\n',
  );
  write(join(cwd, 'xprompts/style.md'), 'Follow the style guide.\n');
  write(join(homeDir, '.xprompts/style.md'), 'Home style (shadowed).\n');
  write(join(homeDir, '.xprompts/mine.md'), '---\ndescription: Mine\n---\nMy habits.\n');
  return { base, cwd, homeDir };
}

const builtins = [{ name: 'bead/work_phase', text: 'Work on the phase.', source: '@sase/test' }];

describe('sase xprompt list', () => {
  it('prints every xprompt as JSON with name, description, source, inputs and tags', async () => {
    const { cwd, homeDir } = workspace();
    const io = captureIo();
    expect(await xpromptList({ cwd, io, json: true, homeDir, builtins })).toBe(0);
    expect(JSON.parse(io.out)).toEqual([
      { name: 'bead/work_phase', description: null, source: 'builtin:@sase/test', inputs: [], tags: [] },
      { name: 'mine', description: 'Mine', source: '~/.xprompts/mine.md', inputs: [], tags: [] },
      {
        name: 'review',
        description: 'Review one file',
        source: '.xprompts/review.md',
        inputs: [
          { name: 'file', type: 'path', description: 'what to review' },
          { name: 'depth', type: 'int', default: 2 },
        ],
        tags: ['quality'],
      },
      { name: 'style', description: null, source: 'xprompts/style.md', inputs: [], tags: [] },
    ]);
    expect(io.err).toBe('');
  });

  it('prints a table that shows what shadows what', async () => {
    const { cwd, homeDir } = workspace();
    const io = captureIo();
    await xpromptList({ cwd: join(cwd), io, json: false, homeDir, builtins });
    expect(io.out).toMatchInlineSnapshot(`
      "NAME              SOURCE               DESCRIPTION
      #bead/work_phase  builtin:@sase/test
      #mine             ~/.xprompts/mine.md  Mine
      #review           .xprompts/review.md  Review one file
      #style            xprompts/style.md
                        (shadows ~/.xprompts/style.md)
      "
    `);
  });

  it('finds the workspace catalog from a subdirectory and warns about misnamed files', async () => {
    const { cwd, homeDir } = workspace();
    write(join(cwd, '.xprompts/bad name.md'), 'x');
    mkdirSync(join(cwd, 'src/deep'), { recursive: true });
    expect(findXPromptRoot(join(cwd, 'src/deep'))).toBe(cwd);
    const io = captureIo();
    await xpromptList({ cwd: join(cwd, 'src/deep'), io, json: true, homeDir });
    expect(JSON.parse(io.out).map((entry: { name: string }) => entry.name)).toEqual([
      'bead/land_epic',
      'bead/land_legend',
      'bead/plan_epic',
      'bead/work_phase',
      'change/review',
      'mine',
      'plan/implement',
      'plan/instructions',
      'review',
      'style',
    ]);
    // A path outside the current directory is printed absolute.
    expect(
      io.err.startsWith(
        `${join(cwd, '.xprompts/bad name.md')}:1:1: warning: 'bad name.md' is not a valid xprompt name`,
      ),
    ).toBe(true);
  });
});

describe('sase xprompt expand', () => {
  it('prints the snapshot of a file', async () => {
    const { cwd, homeDir } = workspace();
    write(join(cwd, 'prompt.md'), '%name:fix %approve\nPlease #review:src/app.ts, then stop.\n');
    const io = captureIo();
    expect(await xpromptExpand({ cwd, io, json: false, file: 'prompt.md', homeDir })).toBe(0);
    expect(io.out).toBe('Please Review src/app.ts to depth 2. Follow the style guide., then stop.\n');
    expect(io.err).toBe('');
  });

  it('prints the JSON shape of the issue, with snake_case directives', async () => {
    const { cwd, homeDir } = workspace();
    const io = captureIo();
    const prompt =
      '%name:!plan %model:opus %plan\nPlan #mine\n---\n%n:code %wait %a %g:backend %hide %t:2030-01-01T00:00:00Z\nCode it.\n';
    expect(await xpromptExpand({ cwd, io, json: true, homeDir, readStdin: async () => prompt })).toBe(0);
    expect(JSON.parse(io.out)).toEqual({
      text: 'Plan My habits.\n\n---\n\nCode it.\n',
      segments: [
        {
          text: 'Plan My habits.\n',
          directives: { name: 'plan', force_reuse: true, model: 'opus', plan: true },
        },
        {
          text: 'Code it.\n',
          directives: {
            name: 'code',
            wait: ['plan'],
            approve: true,
            time: '2030-01-01T00:00:00.000Z',
            group: 'backend',
            hide: true,
          },
        },
      ],
      diagnostics: [],
    });
  });

  it('reads stdin for -', async () => {
    const { cwd, homeDir } = workspace();
    const io = captureIo();
    await xpromptExpand({ cwd, io, json: false, file: '-', homeDir, readStdin: async () => '#style' });
    expect(io.out).toBe('Follow the style guide.\n');
  });

  it('prints the trace on stderr', async () => {
    const { cwd, homeDir } = workspace();
    write(join(cwd, 'p.md'), 'x\n#review(file=a.ts, depth=1)\n');
    const io = captureIo();
    await xpromptExpand({ cwd, io, json: false, file: 'p.md', trace: true, homeDir });
    expect(io.err).toBe(
      'trace: p.md:2:1 #review <- .xprompts/review.md (file="a.ts", depth="1")\n' +
        'trace:   .xprompts/review.md:8:41 #style <- xprompts/style.md\n',
    );
  });

  it('includes the trace in JSON when asked', async () => {
    const { cwd, homeDir } = workspace();
    const io = captureIo();
    await xpromptExpand({ cwd, io, json: true, trace: true, homeDir, readStdin: async () => '#style' });
    expect(JSON.parse(io.out).trace).toEqual([
      {
        name: 'style',
        source: 'xprompts/style.md',
        file: '<stdin>',
        line: 1,
        column: 1,
        depth: 0,
        segment: 0,
        chain: [],
        arguments: {},
      },
    ]);
  });

  it('exits 1 with file:line:column diagnostics on stderr', async () => {
    const { cwd, homeDir } = workspace();
    write(join(cwd, 'broken.md'), 'Fine line.\n  %wait(a, b\n#review(depth=x)\n');
    const io = captureIo();
    expect(await xpromptExpand({ cwd, io, json: false, file: 'broken.md', homeDir })).toBe(1);
    expect(io.err.split('\n').filter(Boolean)).toEqual([
      "broken.md:2:8: %wait( is never closed: expected ')' on the same line (write %wait(value) or %wait:value) [unclosed-directive]",
      "broken.md:3:1: missing argument 'file' (path) of #review: write #review:VALUE or #review(file=VALUE) [missing-argument]",
      'broken.md:3:9: argument \'depth\' of #review must be an int (like 3 or -12), got "x" [invalid-argument]',
    ]);
  });

  it('keeps JSON on stdout when the prompt has errors', async () => {
    const { cwd, homeDir } = workspace();
    const io = captureIo();
    expect(
      await xpromptExpand({ cwd, io, json: true, homeDir, readStdin: async () => '%time:later x' }),
    ).toBe(1);
    expect(JSON.parse(io.out).diagnostics).toEqual([
      expect.objectContaining({ file: '<stdin>', line: 1, column: 7, rule_id: 'invalid-time', fatal: true }),
    ]);
    expect(io.err).toMatch(/^<stdin>:1:7: %time value "later" is not a time/);
  });

  it('throws a coded error for a missing file', async () => {
    const { cwd, homeDir } = workspace();
    await expect(
      xpromptExpand({ cwd, io: captureIo(), json: false, file: 'nope.md', homeDir }),
    ).rejects.toMatchObject({
      code: 'XPROMPT_READ_FAILED',
      message: 'cannot read prompt file nope.md: no such file (give a Markdown file, or - to read stdin)',
    });
  });
});

describe('sase xprompt explain', () => {
  it('shows source, description, inputs with types and defaults, and the body', async () => {
    const { cwd, homeDir } = workspace();
    const io = captureIo();
    expect(await xpromptExplain({ cwd, io, json: false, name: '#review', homeDir })).toBe(0);
    expect(io.out).toMatchInlineSnapshot(`
      "#review
      source:      .xprompts/review.md
      description: Review one file
      tags:        quality
      inputs:
        file: path, required - what to review
        depth: int, default 2
      usage:       #review:FILE,DEPTH  or  #review(file=..., depth=...)
      body (from line 8):
        Review {{ file }} to depth {{ depth }}. #style
      "
    `);
  });

  it('prints JSON with the shadowed definitions', async () => {
    const { cwd, homeDir } = workspace();
    const io = captureIo();
    await xpromptExplain({ cwd, io, json: true, name: 'style', homeDir });
    expect(JSON.parse(io.out)).toEqual({
      name: 'style',
      description: null,
      source: 'xprompts/style.md',
      file: 'xprompts/style.md',
      inputs: [],
      tags: [],
      body: 'Follow the style guide.\n',
      shadowed: ['~/.xprompts/style.md'],
    });
  });

  it('throws XPROMPT_NOT_FOUND with a suggestion', async () => {
    const { cwd, homeDir } = workspace();
    await expect(
      xpromptExplain({ cwd, io: captureIo(), json: false, name: 'reveiw', homeDir }),
    ).rejects.toMatchObject({
      code: 'XPROMPT_NOT_FOUND',
      message: expect.stringMatching(/no xprompt named 'reveiw'.*did you mean #review\?$/),
    });
  });
});

describe('registerXprompt', () => {
  it('declares list, expand and explain and runs them through the runtime', async () => {
    const { cwd } = workspace();
    write(join(cwd, 'p.md'), 'Use #style\n');
    const io = captureIo();
    const program = new Command('sase').exitOverride();
    const runtime = new CliRuntime(io, () => cwd);
    registerXprompt(program, runtime);
    const xprompt = program.commands.find((command) => command.name() === 'xprompt')!;
    expect(xprompt.commands.map((command) => command.name())).toEqual(['list', 'expand', 'explain']);
    await program.parseAsync(['xprompt', 'expand', 'p.md', '--json'], { from: 'user' });
    expect(runtime.exitCode).toBe(0);
    expect(JSON.parse(io.out).text).toBe('Use Follow the style guide.\n');
    io.out = '';
    await program.parseAsync(['xprompt', 'explain', 'style'], { from: 'user' });
    expect(io.out).toContain('source:      xprompts/style.md');
  });
});
