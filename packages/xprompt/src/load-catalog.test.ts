import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCatalog } from './create-catalog.js';
import { expandPrompt } from './expand-prompt.js';
import { loadCatalog, readXPromptDirectory } from './load-catalog.js';
import { XPromptError } from './xprompt-error.js';

let root: string;
let workspace: string;
let home: string;

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sase-xprompt-'));
  workspace = join(root, 'workspace');
  home = join(root, 'home');
  mkdirSync(workspace);
  mkdirSync(home);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('loadCatalog', () => {
  it('shadows by priority: .xprompts/, xprompts/, ~/.xprompts/, then built-ins', async () => {
    write(join(workspace, '.xprompts/review.md'), 'hidden workspace review');
    write(join(workspace, 'xprompts/review.md'), 'visible workspace review');
    write(join(workspace, 'xprompts/style.md'), 'visible workspace style');
    write(join(home, '.xprompts/style.md'), 'home style');
    write(join(home, '.xprompts/review.md'), 'home review');
    write(join(home, '.xprompts/mine.md'), 'home mine');
    const catalog = await loadCatalog({
      workspaceRoot: workspace,
      homeDir: home,
      builtins: [
        { name: 'review', text: 'builtin review', source: '@sase/test' },
        { name: 'bead/work_phase', text: 'builtin work phase', source: '@sase/test' },
        { name: 'bead/work_phase', text: 'second builtin loses' },
      ],
    });
    expect(catalog.names()).toEqual(['bead/work_phase', 'mine', 'review', 'style']);
    expect(
      catalog.list().map((xprompt) => [xprompt.name, xprompt.origin, xprompt.source, xprompt.body]),
    ).toEqual([
      ['bead/work_phase', 'builtin', 'builtin:@sase/test', 'builtin work phase'],
      ['mine', 'home', '~/.xprompts/mine.md', 'home mine'],
      ['review', 'workspace', '.xprompts/review.md', 'hidden workspace review'],
      ['style', 'workspace', 'xprompts/style.md', 'visible workspace style'],
    ]);
    expect(catalog.definitions('review').map((xprompt) => xprompt.source)).toEqual([
      '.xprompts/review.md',
      'xprompts/review.md',
      '~/.xprompts/review.md',
      'builtin:@sase/test',
    ]);
    expect(catalog.get('review')?.file).toBe(join(workspace, '.xprompts/review.md'));
  });

  it("lets a user's .xprompts/bead/work_phase.md shadow the built-in", async () => {
    write(
      join(workspace, '.xprompts/bead/work_phase.md'),
      '---\ninput: [{name: bead_id, type: word}]\n---\nMine: {{ bead_id }}',
    );
    const builtins = [{ name: 'bead/work_phase', text: 'Built-in', source: '@sase/scheduler' }];
    const catalog = await loadCatalog({ workspaceRoot: workspace, homeDir: home, builtins });
    expect(expandPrompt('#bead/work_phase:p-7.1', { catalog }).text).toBe('Mine: p-7.1\n');
    const withoutOverride = await loadCatalog({
      workspaceRoot: join(root, 'elsewhere'),
      homeDir: null,
      builtins,
    });
    expect(expandPrompt('#bead/work_phase', { catalog: withoutOverride }).text).toBe('Built-in\n');
  });

  it('skips missing directories, hidden entries, README.md and non-Markdown files', async () => {
    write(join(workspace, '.xprompts/README.md'), 'docs');
    write(join(workspace, '.xprompts/.draft.md'), 'hidden');
    write(join(workspace, '.xprompts/.git/x.md'), 'hidden dir');
    write(join(workspace, '.xprompts/notes.txt'), 'not markdown');
    write(join(workspace, '.xprompts/ok.md'), 'ok');
    const catalog = await loadCatalog({ workspaceRoot: workspace, homeDir: join(root, 'no-home') });
    expect(catalog.names()).toEqual(['ok']);
    expect(catalog.diagnostics()).toEqual([]);
  });

  it('warns about files whose path is not a valid name, and reports bad frontmatter', async () => {
    write(join(workspace, '.xprompts/my prompt.md'), 'x');
    write(join(workspace, '.xprompts/2fast.md'), 'x');
    write(join(workspace, '.xprompts/bad.md'), '---\ninput: 5\n---\nx');
    const catalog = await loadCatalog({ workspaceRoot: workspace, homeDir: null });
    expect(catalog.names()).toEqual(['bad']);
    expect(catalog.diagnostics().map((diagnostic) => [diagnostic.ruleId, diagnostic.fatal])).toEqual([
      ['invalid-xprompt-name', false],
      ['invalid-xprompt-name', false],
      ['invalid-input', true],
    ]);
  });

  it('does not read the same directory twice when the workspace is the home directory', async () => {
    write(join(home, '.xprompts/a.md'), 'a');
    const catalog = await loadCatalog({ workspaceRoot: home, homeDir: home });
    expect(catalog.definitions('a').map((xprompt) => xprompt.source)).toEqual(['.xprompts/a.md']);
  });

  it('throws XPROMPT_READ_FAILED for a catalog directory that cannot be read', async () => {
    // A symbolic link that points at itself cannot be read, whoever runs the test (root ignores permissions).
    symlinkSync(join(workspace, '.xprompts'), join(workspace, '.xprompts'));
    await expect(loadCatalog({ workspaceRoot: workspace, homeDir: null })).rejects.toMatchObject({
      code: 'XPROMPT_READ_FAILED',
      file: join(workspace, '.xprompts'),
      message: expect.stringContaining(`cannot read xprompt directory ${join(workspace, '.xprompts')}`),
    });
  });
});

describe('readXPromptDirectory', () => {
  it('names xprompts by their path below the directory', async () => {
    write(join(root, 'lib/a/b/c.md'), 'deep');
    write(join(root, 'lib/top.md'), 'top');
    const found = await readXPromptDirectory(join(root, 'lib'), {
      origin: 'builtin',
      display: (path) => `lib:${path}`,
    });
    expect(found.xprompts.map((xprompt) => [xprompt.name, xprompt.source, xprompt.origin])).toEqual([
      ['a/b/c', 'lib:a/b/c.md', 'builtin'],
      ['top', 'lib:top.md', 'builtin'],
    ]);
  });
});

describe('createCatalog', () => {
  it('refuses an invalid name with XPROMPT_INVALID_NAME', () => {
    expect(() => createCatalog([{ name: 'bad name', text: 'x', source: 'builtin:@sase/test' }])).toThrowError(
      expect.objectContaining({ code: 'XPROMPT_INVALID_NAME' }),
    );
    expect(() => createCatalog([{ name: '../escape', text: 'x' }])).toThrow(XPromptError);
  });

  it('parses an xprompt only when it is used', () => {
    let reads = 0;
    const unused = {
      name: 'unused',
      get text() {
        reads++;
        return '---\ninput: [[[\n---\n';
      },
    };
    const catalog = createCatalog([{ name: 'used', text: 'fine' }, unused]);
    expect(catalog.size).toBe(2);
    expect(catalog.has('unused')).toBe(true);
    expect(expandPrompt('#used', { catalog }).diagnostics).toEqual([]);
    expect(reads).toBe(0);
    const ruleIds = catalog.diagnostics().map((diagnostic) => diagnostic.ruleId);
    expect(reads).toBe(1);
    expect(new Set(ruleIds)).toEqual(new Set(['invalid-frontmatter']));
  });
});
