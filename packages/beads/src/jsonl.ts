import { BeadError } from './errors.js';
import { compareIds } from './natural-sort.js';
import { type BeadRecord, stringifyRecord } from './record.js';
import { getBeadRecordSchema, isValidRecordFast } from './schema.js';

/** A line git writes into a file it could not merge: `<<<<<<< ours`, `=======`, `>>>>>>> theirs`, `|||||||`. */
export const CONFLICT_MARKER = /^(<{7}|={7}|>{7}|\|{7})( |$)/;

/** One parsed line: the record, its line number, and where its text sits in the file (bytes). */
export interface ParsedLine {
  record: BeadRecord;
  line: number;
  offset: number;
  length: number;
}

/**
 * Parses an issues.jsonl text. Blank lines are allowed. Throws a BeadError naming file and line for a git
 * conflict marker (JSONL_CONFLICT), a line that is not a valid record (JSONL_PARSE) or an id that appears
 * twice (DUPLICATE_ID). Pure: no file system access.
 */
export function parseJsonl(text: string, file = 'issues.jsonl'): ParsedLine[] {
  return parseJsonlBuffer(Buffer.from(text), file);
}

/** Like parseJsonl, from the bytes of the file (offsets and lengths are byte positions). */
export function parseJsonlBuffer(buffer: Uint8Array, file = 'issues.jsonl'): ParsedLine[] {
  const parsed: ParsedLine[] = [];
  forEachJsonlRecord(buffer, file, (line) => parsed.push(line));
  return parsed;
}

/**
 * Validates every line of an issues.jsonl and hands each record to `onLine` as soon as it is parsed, so a
 * caller that stores them elsewhere (the cache) keeps no array of 100,000 objects alive. Throws like
 * parseJsonl, before or after some lines were handed over: callers run it inside a transaction.
 */
export function forEachJsonlRecord(
  buffer: Uint8Array,
  file: string,
  onLine: (line: ParsedLine) => void,
  options: { checkDuplicateIds?: boolean } = {},
): void {
  const bytes = Buffer.isBuffer(buffer)
    ? buffer
    : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const seen = options.checkDuplicateIds === false ? undefined : new Map<string, number>();
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) throw bomError(file);
  let start = 0;
  let lineNumber = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    lineNumber++;
    const offset = start;
    let length = end - start;
    if (length > 0 && bytes[end - 1] === 13) length--;
    start = end + 1;
    const line = bytes.toString('utf8', offset, offset + length);
    // A line that starts like a record is neither blank nor a conflict marker: skip both checks for it.
    const plain = line.charCodeAt(0) === 123; // '{'
    if (!plain && line.trim() === '') continue;
    if (!plain && CONFLICT_MARKER.test(line)) {
      throw new BeadError(
        'JSONL_CONFLICT',
        `${file}:${lineNumber}: git conflict marker "${line.slice(0, 7)}": resolve the merge (keep one version of each bead line), then run the command again; \`sase bead merge --install\` makes git merge the store bead by bead`,
        { file, line: lineNumber },
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new BeadError(
        'JSONL_PARSE',
        `${file}:${lineNumber}: not valid JSON (${(error as Error).message}); each line must be one bead object like {"id":"p-1","title":"...","status":"open",...}`,
        { file, line: lineNumber, cause: error },
      );
    }
    let record: BeadRecord;
    if (isValidRecordFast(value)) {
      record = value;
    } else {
      const result = getBeadRecordSchema().safeParse(value);
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue && issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'record';
        const id =
          typeof (value as { id?: unknown })?.id === 'string'
            ? ` (bead ${(value as { id: string }).id})`
            : '';
        throw new BeadError(
          'JSONL_PARSE',
          `${file}:${lineNumber}${id}: ${where}: ${issue?.message ?? 'invalid bead record'}`,
          { file, line: lineNumber },
        );
      }
      record = result.data as BeadRecord;
    }
    if (seen) {
      const previous = seen.get(record.id);
      if (previous !== undefined) throw duplicateIdError(file, record.id, lineNumber, previous);
      seen.set(record.id, lineNumber);
    }
    onLine({ record, line: lineNumber, offset, length });
  }
}

/**
 * A file that starts with a UTF-8 byte order mark (EF BB BF), as some Windows editors save it: JSON has no
 * BOM, and the store would drop it on the next write, so it is refused with the fix.
 */
export function bomError(file: string): BeadError {
  return new BeadError(
    'JSONL_PARSE',
    `${file}:1: the file starts with a byte order mark (BOM, the bytes EF BB BF); save it as UTF-8 without a BOM ` +
      `(for example \`sed -i '1s/^\\xEF\\xBB\\xBF//' ${file}\`), then run the command again`,
    { file, line: 1 },
  );
}

/**
 * A second definition of bead `id` (on `line`; the first is on `previous`). With `checkDuplicateIds: false`,
 * forEachJsonlRecord leaves this check to its caller (the cache lets its unique index find them).
 */
export function duplicateIdError(file: string, id: string, line: number, previous: number): BeadError {
  return new BeadError(
    'DUPLICATE_ID',
    `${file}:${line}: bead ${id} is already defined on line ${previous}; two checkouts may have created the same id: \`sase bead doctor --fix\` renumbers the later bead (and \`sase bead merge --install\` makes git merges repair such collisions)`,
    { file, line, beadId: id },
  );
}

/** The canonical issues.jsonl text: one compact line per bead in natural id order, `\n` endings. */
export function stringifyJsonl(records: Iterable<BeadRecord>): string {
  const sorted = [...records].sort((a, b) => compareIds(a.id, b.id));
  let text = '';
  for (const record of sorted) text += `${stringifyRecord(record)}\n`;
  return text;
}
