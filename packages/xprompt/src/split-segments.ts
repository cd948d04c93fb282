import type { Diagnostic } from './diagnostic.js';
import { findFencedCode } from './internal/fenced-code.js';
import { LineIndex, normalizeNewlines } from './internal/line-index.js';

/** One raw segment of a multi-prompt, before expansion. */
export interface PromptSegmentSource {
  /** The segment's lines, separators excluded, exactly as written (newlines normalized to `\n`). */
  text: string;
  /** The 1-based line of the input on which the segment starts. */
  startLine: number;
  /** The offset of the segment in the newline-normalized input. */
  startOffset: number;
}

export interface SplitSegmentsResult {
  /** The leading frontmatter block's content (without its `---` lines), when the input starts with one. */
  frontmatter: string | undefined;
  /** Whitespace-only segments are dropped (with an `empty-segment` warning when there was a separator). */
  segments: PromptSegmentSource[];
  diagnostics: Diagnostic[];
}

export interface SplitSegmentsOptions {
  /** The file name diagnostics carry. Defaults to `<input>`. */
  file?: string;
}

const SEPARATOR = /^---[ \t]*$/gm;

/**
 * Splits a multi-prompt into segments at lines that are exactly `---` (trailing spaces allowed) outside fenced
 * code. If the text starts with a `---` line and a later line is `---` (or `...`), that first block is
 * frontmatter, not a segment. Pure; no expansion happens here.
 */
export function splitSegments(text: string, options: SplitSegmentsOptions = {}): SplitSegmentsResult {
  const file = options.file ?? '<input>';
  const input = normalizeNewlines(text);
  const diagnostics: Diagnostic[] = [];
  const lines = new LineIndex(input);
  let frontmatter: string | undefined;
  let bodyStart = 0;

  const opening = /^---[ \t]*\n/.exec(input);
  if (opening) {
    const closing = /^(?:---|\.\.\.)[ \t]*$/m.exec(input.slice(opening[0].length));
    if (closing) {
      frontmatter = input.slice(opening[0].length, opening[0].length + closing.index);
      bodyStart = Math.min(input.length, opening[0].length + closing.index + closing[0].length + 1);
    }
  }

  const body = input.slice(bodyStart);
  const fences = findFencedCode(body);
  const raw: Array<{ start: number; end: number; separatorAt: number | undefined }> = [];
  let segmentStart = bodyStart;
  let separatorAt: number | undefined;
  SEPARATOR.lastIndex = bodyStart;
  // Separators come in order, so one pointer walks the (sorted) fences: linear, however many of each.
  let fenceIndex = 0;
  for (let match = SEPARATOR.exec(input); match; match = SEPARATOR.exec(input)) {
    const offset = match.index;
    while (fenceIndex < fences.length && fences[fenceIndex]!.end <= offset - bodyStart) fenceIndex++;
    const fence = fences[fenceIndex];
    if (fence !== undefined && fence.start <= offset - bodyStart) {
      if (!fence.isClosed) {
        const fenceLine = lines.position(fence.start + bodyStart).line;
        diagnostics.push({
          reason: `code fence opened on line ${fenceLine} is never closed, so this '---' does not start a new segment (close the fence)`,
          file,
          ...lines.position(offset),
          ruleId: 'unclosed-code-fence',
          fatal: false,
        });
        break;
      }
      continue;
    }
    raw.push({ start: segmentStart, end: offset, separatorAt });
    separatorAt = offset;
    segmentStart = Math.min(input.length, offset + match[0].length + 1);
    if (match[0].length === 0) SEPARATOR.lastIndex++;
  }
  raw.push({ start: segmentStart, end: input.length, separatorAt });

  const segments: PromptSegmentSource[] = [];
  for (const [index, part] of raw.entries()) {
    const segmentText = input.slice(part.start, part.end);
    if (segmentText.trim() === '') {
      if (raw.length > 1) {
        const at = part.separatorAt ?? raw[index + 1]?.separatorAt ?? part.start;
        diagnostics.push({
          reason: `empty segment: this '---' separates nothing (remove it, or put the prompt text between the separators)`,
          file,
          ...lines.position(at),
          ruleId: 'empty-segment',
          fatal: false,
        });
      }
      continue;
    }
    segments.push({ text: segmentText, startLine: lines.position(part.start).line, startOffset: part.start });
  }
  return { frontmatter, segments, diagnostics };
}
