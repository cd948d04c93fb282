import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { createCatalog, type XPromptCatalog } from './create-catalog.js';
import type { Diagnostic } from './diagnostic.js';
import { isValidXPromptName, type XPromptOrigin, type XPromptText } from './parse-xprompt.js';
import { XPromptError } from './xprompt-error.js';

/** An xprompt that a package ships with its code (e.g. `bead/work_phase`); any file of the same name shadows it. */
export interface BuiltinXPrompt {
  name: string;
  /** The whole xprompt: optional YAML frontmatter, then the body. */
  text: string;
  /** Who ships it, e.g. `@sase/scheduler`; shown as `builtin:@sase/scheduler`. Defaults to `builtin`. */
  source?: string;
}

export interface LoadCatalogOptions {
  /** The workspace root: `.xprompts/` and `xprompts/` below it are read. Omit to skip the workspace. */
  workspaceRoot?: string;
  /** The user's home directory (`~/.xprompts/`). Defaults to `os.homedir()`; `null` skips it. */
  homeDir?: string | null;
  /** Built-in xprompts, lowest priority, earlier entries winning over later ones. */
  builtins?: readonly BuiltinXPrompt[];
}

/** What {@link readXPromptDirectory} found. */
export interface XPromptDirectory {
  xprompts: XPromptText[];
  diagnostics: Diagnostic[];
}

/**
 * Loads the catalog of a workspace: `<workspace>/.xprompts/`, `<workspace>/xprompts/`, `~/.xprompts/`, then
 * the built-ins, highest priority first. Missing directories are skipped; a file whose path is not a valid
 * xprompt name is skipped with a warning; a directory that exists but cannot be read throws
 * `XPROMPT_READ_FAILED`.
 */
export async function loadCatalog(options: LoadCatalogOptions = {}): Promise<XPromptCatalog> {
  const layers: Array<{
    directory: string;
    origin: XPromptOrigin;
    display: (relativePath: string) => string;
  }> = [];
  const seen = new Set<string>();
  const addLayer = (directory: string, origin: XPromptOrigin, display: (relativePath: string) => string) => {
    const absolute = resolve(directory);
    if (seen.has(absolute)) return;
    seen.add(absolute);
    layers.push({ directory: absolute, origin, display });
  };
  if (options.workspaceRoot !== undefined) {
    for (const directoryName of ['.xprompts', 'xprompts']) {
      addLayer(join(options.workspaceRoot, directoryName), 'workspace', (path) => `${directoryName}/${path}`);
    }
  }
  const homeDir = options.homeDir === undefined ? homedir() : options.homeDir;
  if (homeDir !== null) addLayer(join(homeDir, '.xprompts'), 'home', (path) => `~/.xprompts/${path}`);

  const found = await Promise.all(
    layers.map((layer) =>
      readXPromptDirectory(layer.directory, { origin: layer.origin, display: layer.display }),
    ),
  );
  const texts: XPromptText[] = found.flatMap((directory) => directory.xprompts);
  for (const builtin of options.builtins ?? []) {
    texts.push({
      name: builtin.name,
      text: builtin.text,
      origin: 'builtin',
      source: builtin.source ? `builtin:${builtin.source}` : 'builtin',
    });
  }
  return createCatalog(texts, { diagnostics: found.flatMap((directory) => directory.diagnostics) });
}

export interface ReadXPromptDirectoryOptions {
  /** Defaults to `workspace`. */
  origin?: XPromptOrigin;
  /** Turns a path relative to the directory (`bead/work_phase.md`) into the `source` shown to people. */
  display?: (relativePath: string) => string;
}

/**
 * Reads every `*.md` file below a directory (recursively; hidden entries and `README.md` are skipped) as
 * xprompt texts named by their relative path without `.md`. A missing directory gives an empty result.
 */
export async function readXPromptDirectory(
  directory: string,
  options: ReadXPromptDirectoryOptions = {},
): Promise<XPromptDirectory> {
  const origin = options.origin ?? 'workspace';
  const display = options.display ?? ((path: string) => join(directory, path));
  const result: XPromptDirectory = { xprompts: [], diagnostics: [] };
  const files: string[] = [];
  try {
    await collectMarkdownFiles(directory, files, 0);
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    ) {
      return result;
    }
    throw new XPromptError(
      'XPROMPT_READ_FAILED',
      `cannot read xprompt directory ${directory}: ${(error as Error).message}`,
      {
        file: directory,
        cause: error,
      },
    );
  }
  files.sort();
  const texts = await Promise.all(
    files.map(async (file) => {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        throw new XPromptError(
          'XPROMPT_READ_FAILED',
          `cannot read xprompt file ${file}: ${(error as Error).message}`,
          {
            file,
            cause: error,
          },
        );
      }
    }),
  );
  files.forEach((file, index) => {
    const relativePath = relative(directory, file).split(sep).join('/');
    const name = relativePath.slice(0, -'.md'.length);
    if (!isValidXPromptName(name)) {
      result.diagnostics.push({
        reason: `'${relativePath}' is not a valid xprompt name and is skipped: name files like review.md or bead/work_phase.md (letters, digits, '_', '-')`,
        file,
        line: 1,
        column: 1,
        ruleId: 'invalid-xprompt-name',
        fatal: false,
      });
      return;
    }
    result.xprompts.push({ name, text: texts[index]!, origin, source: display(relativePath), file });
  });
  return result;
}

async function collectMarkdownFiles(directory: string, files: string[], depth: number): Promise<void> {
  if (depth > 16) return;
  const entries = await readdir(directory, { withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      if (entry.name.startsWith('.')) return;
      const path = join(directory, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => undefined);
        isDirectory = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (isDirectory) await collectMarkdownFiles(path, files, depth + 1);
      else if (isFile && entry.name.endsWith('.md') && entry.name.toLowerCase() !== 'readme.md')
        files.push(path);
    }),
  );
}
