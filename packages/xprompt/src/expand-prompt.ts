import type { XPromptCatalog } from './create-catalog.js';
import { type Diagnostic, hasFatalDiagnostic } from './diagnostic.js';
import type { Directives } from './directives.js';
import { Expander, type Origin, SegmentDirectives } from './internal/expander.js';
import { removeMarkers, trimBlankLines } from './internal/finish-text.js';
import { LineIndex, normalizeNewlines } from './internal/line-index.js';
import { splitSegments } from './split-segments.js';
import { XPromptError } from './xprompt-error.js';

export interface ExpandOptions {
  /** The xprompts that `#name` references resolve against. */
  catalog: XPromptCatalog;
  /** The input's file name for diagnostics and the trace. Defaults to `<input>`. */
  file?: string;
  /** How deep xprompts may include xprompts. Defaults to 32. */
  maxDepth?: number;
  /** How many expansions one call may do before giving up (guards against exponential growth). Defaults to 100,000. */
  maxExpansions?: number;
  /** "Now", for `%time:HH:MM` and `%time:+10m`. Defaults to the current time. */
  now?: Date;
  /**
   * Names segments that have no `%name` (the segment's index is given). Without it, unnamed segments stay
   * unnamed and a bare `%wait` after one is an error.
   */
  defaultName?: (segmentIndex: number) => string;
}

/** One expanded segment: one agent launch. */
export interface ExpandedSegment {
  /** The snapshot: every xprompt resolved, every directive stripped; ends with a newline unless empty. */
  text: string;
  directives: Directives;
  /** The 1-based input line on which the segment starts. */
  startLine: number;
}

/** One xprompt expansion, in the order they happened (depth-first). */
export interface TraceEntry {
  /** The xprompt expanded. */
  name: string;
  /** Where the xprompt came from (`.xprompts/review.md`, `builtin:@sase/cli`). */
  source: string;
  /** Where the reference was written. */
  file: string;
  line: number;
  column: number;
  /** 0 for a reference in the input, 1 inside an xprompt it expanded, and so on. */
  depth: number;
  /** Index of the segment being expanded. */
  segment: number;
  /** The xprompts whose bodies contain this reference, outermost first (empty at depth 0). */
  chain: string[];
  /** The bound argument values, defaults included. */
  arguments: Record<string, string>;
}

export interface ExpandResult {
  /** The snapshot of the whole input: the segments' texts joined by `---` lines (frontmatter not included). */
  text: string;
  segments: ExpandedSegment[];
  /** The leading frontmatter block's content, unparsed, when the input has one. */
  frontmatter: string | undefined;
  /** Every problem found, errors and warnings; the result is usable only when none is fatal. */
  diagnostics: Diagnostic[];
  trace: TraceEntry[];
}

/** Between two segments in `ExpandResult.text`. Blank lines keep `---` from turning a line into a heading. */
const SEGMENT_SEPARATOR = '\n---\n\n';

/**
 * Expands a prompt (pure: no I/O): splits it into segments, resolves every `#reference` against the catalog
 * (recursively), collects and strips every `%directive`, and resolves bare `%wait` to the previous segment's
 * agent. Problems are returned as diagnostics, never thrown; a reference that cannot be expanded is left as
 * written.
 */
export function expandPrompt(text: string, options: ExpandOptions): ExpandResult {
  const file = options.file ?? '<input>';
  const input = normalizeNewlines(text);
  const split = splitSegments(input, { file });
  const lines = new LineIndex(input);
  const expander = new Expander({
    catalog: options.catalog,
    maxDepth: options.maxDepth ?? 32,
    maxExpansions: options.maxExpansions ?? 100_000,
    now: options.now ?? new Date(),
  });
  const collected = split.segments.map((segment, index) => {
    const origin: Origin = { file, locate: (offset) => lines.position(segment.startOffset + offset) };
    const state = new SegmentDirectives(index);
    const output = trimBlankLines(removeMarkers(expander.scan(segment.text, origin, [], state)));
    return { state, text: output === '' ? '' : `${output}\n`, startLine: segment.startLine };
  });

  const diagnostics = [...split.diagnostics, ...expander.diagnostics];
  if (options.defaultName) {
    for (const { state } of collected) state.directives.name ??= options.defaultName(state.index);
  }
  for (const [index, { state }] of collected.entries()) {
    const bareWait = state.bareWait;
    if (bareWait) {
      const previous = collected[index - 1]?.state;
      if (!previous) {
        diagnostics.push({
          reason:
            'bare %wait waits for the previous segment, but this is the first segment: name the agent to wait for (%wait:NAME)',
          ...bareWait,
          ruleId: 'wait-without-previous-segment',
          fatal: true,
        });
      } else if (previous.directives.name === undefined) {
        diagnostics.push({
          reason: `bare %wait waits for the previous segment's agent, but that segment (line ${collected[index - 1]!.startLine}) has no %name: add %name:NAME to it`,
          ...bareWait,
          ruleId: 'wait-on-unnamed-segment',
          fatal: true,
        });
      } else {
        const waits = state.directives.wait ?? [];
        if (!waits.includes(previous.directives.name)) waits.unshift(previous.directives.name);
        state.directives.wait = waits;
      }
    }
    const name = state.directives.name;
    if (name !== undefined && state.directives.wait?.includes(name)) {
      diagnostics.push({
        reason: `agent '${name}' waits for itself: remove '${name}' from its %wait`,
        ...(state.locations.wait ?? bareWait ?? state.locations.name!),
        ruleId: 'wait-on-self',
        fatal: true,
      });
    }
  }

  const segments = collected.map(({ state, text: segmentText, startLine }) => ({
    text: segmentText,
    directives: state.directives,
    startLine,
  }));
  for (const segment of segments) {
    if (segment.text === '') {
      diagnostics.push({
        reason: 'this segment has directives but no prompt text: the agent would receive an empty prompt',
        file,
        line: segment.startLine,
        column: 1,
        ruleId: 'empty-prompt',
        fatal: false,
      });
    }
  }
  return {
    text: segments.map((segment) => segment.text).join(SEGMENT_SEPARATOR),
    segments,
    frontmatter: split.frontmatter,
    diagnostics,
    trace: expander.trace,
  };
}

/** Like {@link expandPrompt}, but throws an `XPROMPT_INVALID` {@link XPromptError} when any diagnostic is fatal. */
export function expandPromptOrThrow(text: string, options: ExpandOptions): ExpandResult {
  const result = expandPrompt(text, options);
  if (hasFatalDiagnostic(result.diagnostics)) throw XPromptError.fromDiagnostics(result.diagnostics);
  return result;
}
