import type { XPrompt, XPromptInput } from '@sase/xprompt';
import { type CommandContext, printJson } from '../../io.js';
import { type LoadWorkspaceCatalogOptions, loadWorkspaceCatalog } from './load-workspace-catalog.js';
import { printDiagnostics } from './print-diagnostics.js';

export interface XpromptListOptions extends CommandContext {
  homeDir?: string;
  builtins?: LoadWorkspaceCatalogOptions['builtins'];
}

/** An xprompt in `sase xprompt list --json`. */
export interface XPromptListEntry {
  name: string;
  description: string | null;
  source: string;
  inputs: XPromptInputJson[];
  tags: string[];
}

export interface XPromptInputJson {
  name: string;
  type: string;
  default?: string | number | boolean;
  description?: string;
}

export function inputToJson(input: XPromptInput): XPromptInputJson {
  const json: XPromptInputJson = { name: input.name, type: input.type };
  if (!input.isRequired) json.default = input.default ?? '';
  if (input.description !== undefined) json.description = input.description;
  return json;
}

export function listEntry(xprompt: XPrompt): XPromptListEntry {
  return {
    name: xprompt.name,
    description: xprompt.description ?? null,
    source: xprompt.source,
    inputs: xprompt.inputs.map(inputToJson),
    tags: xprompt.tags,
  };
}

/** `sase xprompt list [--json]`. */
export async function xpromptList(options: XpromptListOptions): Promise<number> {
  const catalog = await loadWorkspaceCatalog(options);
  const xprompts = catalog.list();
  printDiagnostics(options.io, catalog.diagnostics(), options.cwd);
  if (options.json) {
    printJson(options.io, xprompts.map(listEntry));
    return 0;
  }
  if (xprompts.length === 0) {
    options.io.stdout(
      'no xprompts found: add Markdown files to .xprompts/ in the workspace or to ~/.xprompts/\n',
    );
    return 0;
  }
  const nameWidth = Math.max(4, ...xprompts.map((xprompt) => xprompt.name.length + 1));
  const sourceWidth = Math.max(6, ...xprompts.map((xprompt) => xprompt.source.length));
  let text = `${'NAME'.padEnd(nameWidth)}  ${'SOURCE'.padEnd(sourceWidth)}  DESCRIPTION\n`;
  for (const xprompt of xprompts) {
    const description = xprompt.description ?? '';
    text +=
      `${`#${xprompt.name}`.padEnd(nameWidth)}  ${xprompt.source.padEnd(sourceWidth)}  ${description}`.trimEnd();
    text += '\n';
    for (const shadowed of catalog.definitions(xprompt.name).slice(1)) {
      text += `${''.padEnd(nameWidth)}  (shadows ${shadowed.source})\n`;
    }
  }
  options.io.stdout(text);
  return 0;
}
