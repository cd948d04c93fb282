import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  diagnosticToJson,
  directivesToJson,
  expandPrompt,
  hasFatalDiagnostic,
  type TraceEntry,
  XPromptError,
} from '@sase/xprompt';
import { type CommandContext, printJson } from '../../io.js';
import { type LoadWorkspaceCatalogOptions, loadWorkspaceCatalog } from './load-workspace-catalog.js';
import { displayPath, printDiagnostics } from './print-diagnostics.js';

export interface XpromptExpandOptions extends CommandContext {
  /** The prompt file (relative to cwd); `-` or undefined reads stdin. */
  file?: string;
  /** Print the expansion trace on stderr (or as `trace` in the JSON). */
  trace?: boolean;
  homeDir?: string;
  builtins?: LoadWorkspaceCatalogOptions['builtins'];
  /** Reads standard input; defaults to the process's stdin. */
  readStdin?: () => Promise<string>;
  /** "Now" for %time; defaults to the current time. */
  now?: Date;
}

/** `sase xprompt expand [FILE|-] [--trace] [--json]`: exit 1 when the prompt has errors. */
export async function xpromptExpand(options: XpromptExpandOptions): Promise<number> {
  const isStdin = options.file === undefined || options.file === '-';
  const file = isStdin ? '<stdin>' : options.file!;
  const text = isStdin
    ? await (options.readStdin ?? readProcessStdin)()
    : await readPromptFile(options.cwd, file);
  const catalog = await loadWorkspaceCatalog(options);
  const result = expandPrompt(text, { catalog, file, ...(options.now ? { now: options.now } : {}) });
  const diagnostics = result.diagnostics.map((diagnostic) => ({
    ...diagnostic,
    file: displayPath(diagnostic.file, options.cwd),
  }));
  const trace = result.trace.map((entry) => ({ ...entry, file: displayPath(entry.file, options.cwd) }));
  if (options.json) {
    printJson(options.io, {
      text: result.text,
      segments: result.segments.map((segment) => ({
        text: segment.text,
        directives: directivesToJson(segment.directives),
      })),
      diagnostics: diagnostics.map(diagnosticToJson),
      ...(options.trace ? { trace } : {}),
    });
  } else {
    options.io.stdout(result.text);
    if (options.trace) printTrace(options, trace);
  }
  printDiagnostics(options.io, diagnostics, options.cwd);
  return hasFatalDiagnostic(result.diagnostics) ? 1 : 0;
}

function printTrace(options: XpromptExpandOptions, trace: TraceEntry[]): void {
  if (trace.length === 0) {
    options.io.stderr('trace: no xprompt references\n');
    return;
  }
  for (const entry of trace) {
    const argumentsText = Object.entries(entry.arguments)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join(', ');
    const indent = '  '.repeat(entry.depth);
    options.io.stderr(
      `trace: ${indent}${entry.file}:${entry.line}:${entry.column} #${entry.name} <- ${entry.source}${argumentsText ? ` (${argumentsText})` : ''}\n`,
    );
  }
}

async function readPromptFile(cwd: string, file: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new XPromptError(
      'XPROMPT_READ_FAILED',
      `cannot read prompt file ${file}: ${reason} (give a Markdown file, or - to read stdin)`,
      { file, cause: error },
    );
  }
}

async function readProcessStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new XPromptError(
      'XPROMPT_READ_FAILED',
      'no prompt given: pass a file (sase xprompt expand prompt.md) or pipe one in (echo "#review" | sase xprompt expand)',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
