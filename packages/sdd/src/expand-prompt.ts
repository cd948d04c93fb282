import type { BuiltinXPrompt } from '@sase/xprompt';

/** A prompt turned into its snapshot: the expanded text and the `%model` directive, if the prompt had one. */
export interface ExpandedPrompt {
  text: string;
  model?: string;
}

export interface ExpandPromptOptions {
  /** Workspace root: its `.xprompts/` and `xprompts/` catalogs are used. */
  workspaceRoot: string;
  /** The prompt's file, for diagnostics. */
  file?: string;
  /** Home directory for `~/.xprompts/`; default the user's home, `null` skips it. */
  homeDirectory?: string | null;
  /** Built-in xprompts (lowest priority). */
  builtins?: readonly BuiltinXPrompt[];
}

/** Turns a raw prompt into the text stored as its snapshot. */
export type PromptExpander = (text: string, options: ExpandPromptOptions) => Promise<ExpandedPrompt>;

/**
 * The default expander: @sase/xprompt resolves every `#xprompt` (workspace, home and built-in catalogs) and
 * strips every `%directive`; the first segment's `%model` is reported. A prompt with an error (unknown
 * argument, cycle, ...) throws the xprompt package's `XPROMPT_INVALID` error carrying its diagnostics. The
 * whole call to @sase/xprompt lives in this function.
 */
export async function expandPromptForSnapshot(
  text: string,
  options: ExpandPromptOptions,
): Promise<ExpandedPrompt> {
  const { expandPromptOrThrow, loadCatalog } = await import('@sase/xprompt');
  const catalog = await loadCatalog({
    workspaceRoot: options.workspaceRoot,
    ...(options.homeDirectory === undefined ? {} : { homeDir: options.homeDirectory }),
    ...(options.builtins ? { builtins: options.builtins } : {}),
  });
  const result = expandPromptOrThrow(text, { catalog, ...(options.file ? { file: options.file } : {}) });
  const model = result.segments.map((segment) => segment.directives.model).find((each) => each !== undefined);
  return { text: result.text, ...(model ? { model } : {}) };
}
