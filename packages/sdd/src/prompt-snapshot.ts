import type { Diagnostic } from './diagnostic.js';
import {
  promptSnapshotSchema,
  readFrontmatter,
  stringifyFrontmatter,
} from './internal/frontmatter-schema.js';
import { type FrontmatterDocument, type Location, parseFrontmatterDocument } from './internal/markdown.js';
import type { ParseOptions } from './plan.js';

/**
 * The expanded prompt a plan was made from: every `#xprompt` resolved, every `%directive` stripped. Its
 * frontmatter links back to the plan (`plan:`, relative to the SDD root).
 */
export interface PromptSnapshot {
  frontmatter: { plan: string };
  body: string;
}

export interface PromptSnapshotParseResult {
  snapshot?: PromptSnapshot;
  diagnostics: Diagnostic[];
}

/** @internal */
export interface PromptSnapshotDocument extends PromptSnapshotParseResult {
  locate(path: ReadonlyArray<string | number>): Location;
  document: FrontmatterDocument;
}

/** @internal */
export function parsePromptSnapshotDocument(text: string, file: string): PromptSnapshotDocument {
  const document = parseFrontmatterDocument(text, file);
  const base = { locate: document.locate, document };
  const checked = readFrontmatter(
    promptSnapshotSchema,
    document,
    file,
    'prompt snapshot',
    'Prompt snapshot has no YAML frontmatter; it starts with a `---` block holding `plan: <path of its plan>`',
  );
  if (!checked.value) return { ...base, diagnostics: checked.diagnostics };
  return {
    ...base,
    snapshot: { frontmatter: { plan: checked.value.plan }, body: document.body },
    diagnostics: [],
  };
}

/** Parses a prompt snapshot file. Never throws for bad input: problems come back as diagnostics. */
export function parsePromptSnapshot(text: string, options: ParseOptions = {}): PromptSnapshotParseResult {
  const { snapshot, diagnostics } = parsePromptSnapshotDocument(text, options.file ?? '<prompt>');
  return snapshot ? { snapshot, diagnostics } : { diagnostics };
}

/** Writes a prompt snapshot file; round-trips through `parsePromptSnapshot`, body kept byte for byte. */
export function stringifyPromptSnapshot(snapshot: PromptSnapshot): string {
  return stringifyFrontmatter({ plan: snapshot.frontmatter.plan }, snapshot.body);
}
