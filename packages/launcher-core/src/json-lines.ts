import { StringDecoder } from 'node:string_decoder';

/** A JSON object as parsed from one line. */
export type JsonObject = Record<string, unknown>;

/** One complete line of output: a JSON object, or anything else (noise, plain text, a truncated object). */
export type JsonLine = { kind: 'json'; value: JsonObject; line: string } | { kind: 'text'; line: string };

export interface JsonLineParserOptions {
  /**
   * A line longer than this many characters (without a newline yet) is given out as `text` in pieces rather
   * than buffered without bound. Default 64 MiB: Claude Code's stream-json puts whole file contents on one line.
   */
  maxLineLength?: number;
}

export interface JsonLineParser {
  /** Feeds a chunk (bytes or text; a UTF-8 character split across chunks is kept intact). Returns every line completed by it. */
  push(chunk: string | Uint8Array): JsonLine[];
  /** Ends the input: returns the last line if it had no trailing newline. */
  end(): JsonLine[];
}

/** Classifies one line (without its newline): a JSON object, or text. Arrays, numbers and strings count as text. */
export function parseJsonLine(line: string): JsonLine {
  const trimmed = line.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        return { kind: 'json', value: value as JsonObject, line };
      }
    } catch {
      // Not JSON after all: fall through to text.
    }
  }
  return { kind: 'text', line };
}

/**
 * A line-delimited JSON reader for agent CLIs' stdout (Claude Code stream-json, `codex exec --json`, Gemini CLI
 * stream-json). It survives what real processes do: chunks that end in the middle of a line or of a UTF-8
 * character, `\r\n` endings, blank lines (skipped), and lines that are not JSON (returned as `text` instead of
 * throwing), such as a warning printed by a wrapper script or a line cut short when the process died.
 */
export function createJsonLineParser(options: JsonLineParserOptions = {}): JsonLineParser {
  const maxLineLength = options.maxLineLength ?? 64 * 1024 * 1024;
  const decoder = new StringDecoder('utf8');
  let buffer = '';

  const take = (line: string, out: JsonLine[]): void => {
    const withoutCarriageReturn = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (withoutCarriageReturn.trim() === '') return;
    out.push(parseJsonLine(withoutCarriageReturn));
  };

  const drain = (out: JsonLine[]): void => {
    let start = 0;
    let newline = buffer.indexOf('\n', start);
    while (newline !== -1) {
      take(buffer.slice(start, newline), out);
      start = newline + 1;
      newline = buffer.indexOf('\n', start);
    }
    buffer = start === 0 ? buffer : buffer.slice(start);
    while (buffer.length > maxLineLength) {
      out.push({ kind: 'text', line: buffer.slice(0, maxLineLength) });
      buffer = buffer.slice(maxLineLength);
    }
  };

  return {
    push(chunk) {
      buffer += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      const out: JsonLine[] = [];
      drain(out);
      return out;
    },
    end() {
      buffer += decoder.end();
      const out: JsonLine[] = [];
      drain(out);
      if (buffer !== '') take(buffer, out);
      buffer = '';
      return out;
    },
  };
}

/** `value` as a JSON object, or undefined (arrays and null are not objects here). For mapping CLI events. */
export function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** `value` if it is a string, else undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `value` if it is a finite number, else undefined. */
export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
