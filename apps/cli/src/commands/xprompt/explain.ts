import { XPromptError } from '@sase/xprompt';
import { type CommandContext, printJson } from '../../io.js';
import { inputToJson } from './list.js';
import { type LoadWorkspaceCatalogOptions, loadWorkspaceCatalog } from './load-workspace-catalog.js';
import { displayPath, printDiagnostics } from './print-diagnostics.js';

export interface XpromptExplainOptions extends CommandContext {
  /** The xprompt name (`review`, `bead/work_phase`); a leading `#` is ignored. */
  name: string;
  homeDir?: string;
  builtins?: LoadWorkspaceCatalogOptions['builtins'];
}

/** `sase xprompt explain NAME [--json]`. */
export async function xpromptExplain(options: XpromptExplainOptions): Promise<number> {
  const name = options.name.replace(/^#/, '');
  const catalog = await loadWorkspaceCatalog(options);
  const definitions = catalog.definitions(name);
  const xprompt = definitions[0];
  if (!xprompt) {
    const suggestions = catalog
      .names()
      .filter((candidate) => candidate.includes(name) || name.includes(candidate) || isClose(candidate, name))
      .slice(0, 3);
    const hint =
      suggestions.length > 0 ? `; did you mean ${suggestions.map((item) => `#${item}`).join(', ')}?` : '';
    throw new XPromptError(
      'XPROMPT_NOT_FOUND',
      `no xprompt named '${name}' in .xprompts/, xprompts/, ~/.xprompts/ or the built-ins (sase xprompt list shows them all)${hint}`,
      { name },
    );
  }
  const file = xprompt.file === undefined ? undefined : displayPath(xprompt.file, options.cwd);
  if (options.json) {
    printJson(options.io, {
      name: xprompt.name,
      description: xprompt.description ?? null,
      source: xprompt.source,
      file: file ?? null,
      inputs: xprompt.inputs.map(inputToJson),
      tags: xprompt.tags,
      body: xprompt.body,
      shadowed: definitions.slice(1).map((definition) => definition.source),
    });
  } else {
    let text = `#${xprompt.name}\n`;
    text += `source:      ${xprompt.source}${file && file !== xprompt.source ? ` (${file})` : ''}\n`;
    if (xprompt.description) text += `description: ${xprompt.description}\n`;
    if (xprompt.tags.length > 0) text += `tags:        ${xprompt.tags.join(', ')}\n`;
    for (const shadowed of definitions.slice(1)) text += `shadows:     ${shadowed.source}\n`;
    if (xprompt.inputs.length === 0) {
      text += `inputs:      none (use it as #${xprompt.name})\n`;
    } else {
      text += 'inputs:\n';
      for (const input of xprompt.inputs) {
        const detail = input.isRequired ? 'required' : `default ${JSON.stringify(input.default)}`;
        text += `  ${input.name}: ${input.type}, ${detail}${input.description ? ` - ${input.description}` : ''}\n`;
      }
      const positional = xprompt.inputs.map((input) => input.name.toUpperCase()).join(',');
      const named = xprompt.inputs.map((input) => `${input.name}=...`).join(', ');
      text += `usage:       #${xprompt.name}:${positional}  or  #${xprompt.name}(${named})\n`;
    }
    text += `body (from line ${xprompt.bodyStartLine}):\n`;
    const body = xprompt.body.replace(/\n$/, '');
    text += body === '' ? '  (empty)\n' : `${body.replace(/^/gm, '  ')}\n`;
    options.io.stdout(text);
  }
  printDiagnostics(options.io, xprompt.diagnostics, options.cwd);
  return xprompt.diagnostics.some((diagnostic) => diagnostic.fatal) ? 1 : 0;
}

/** True when two names differ by at most two single-character edits. */
function isClose(left: string, right: string): boolean {
  if (Math.abs(left.length - right.length) > 2) return false;
  const previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    let diagonal = previous[0]!;
    previous[0] = row;
    for (let column = 1; column <= right.length; column++) {
      const above = previous[column]!;
      previous[column] = Math.min(
        above + 1,
        previous[column - 1]! + 1,
        diagonal + (left[row - 1] === right[column - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[right.length]! <= 2;
}
