/**
 * Normalizes the content of a `[[...]]` text argument: a first line that is empty is dropped, leading
 * whitespace of the first line is removed, continuation lines are dedented by their smallest common
 * indentation (blank lines ignored), and trailing whitespace is removed. Blank lines inside are kept.
 */
export function normalizeTextBlock(raw: string): string {
  let content = raw.replace(/^[ \t]*\n/, '');
  const lines = content.split('\n');
  if (lines.length > 1) {
    let indent = Number.POSITIVE_INFINITY;
    for (const line of lines) {
      if (line.trim() === '') continue;
      const width = line.length - line.trimStart().length;
      if (width < indent) indent = width;
    }
    if (indent > 0 && indent !== Number.POSITIVE_INFINITY) {
      content = lines
        .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
        .join('\n');
    }
  }
  return content.trim();
}
