import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LauncherError } from './launcher-error.js';
import type { LaunchEvent, LaunchOutcome, OutcomeKind } from './spec.js';

/** The transcript's file name inside an agent's artifact directory. */
export const TRANSCRIPT_FILE_NAME = 'transcript.jsonl';

/**
 * One line of `transcript.jsonl`: a LaunchEvent with snake_case keys (JSON on disk) and the outcome flattened.
 * The same schema for every adapter:
 *
 * ```
 * {"type":"start","time":"…","pid":4242,"command":["claude","-p",…],"launcher_id":"claude"}
 * {"type":"output","time":"…","stream":"stderr","text":"a line"}
 * {"type":"message","time":"…","role":"assistant","text":"…"}
 * {"type":"tool-use","time":"…","name":"Bash","input":{…},"id":"toolu_1"}
 * {"type":"tool-result","time":"…","id":"toolu_1","output":"…","is_error":false}
 * {"type":"usage","time":"…","input_tokens":10,"output_tokens":5,"cost_usd":0.01}
 * {"type":"outcome","time":"…","outcome":"completed","exit_code":0,"final_text":"…","session_id":"…"}
 * ```
 */
export type TranscriptRecord = Record<string, unknown> & { type: LaunchEvent['type']; time: string };

function put(record: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) record[key] = value;
}

/** Converts an event to its transcript record (snake_case keys, undefined fields omitted). */
export function toTranscriptRecord(event: LaunchEvent): TranscriptRecord {
  const record: TranscriptRecord = { type: event.type, time: event.time };
  switch (event.type) {
    case 'start':
      record.pid = event.pid;
      record.command = event.command;
      put(record, 'launcher_id', event.launcherId);
      break;
    case 'output':
      record.stream = event.stream;
      record.text = event.text;
      break;
    case 'message':
      record.role = event.role;
      record.text = event.text;
      break;
    case 'tool-use':
      record.name = event.name;
      put(record, 'input', event.input);
      put(record, 'id', event.id);
      break;
    case 'tool-result':
      put(record, 'id', event.id);
      put(record, 'output', event.output);
      put(record, 'is_error', event.isError);
      break;
    case 'usage':
      put(record, 'input_tokens', event.inputTokens);
      put(record, 'output_tokens', event.outputTokens);
      put(record, 'cost_usd', event.costUsd);
      break;
    case 'outcome':
      record.outcome = event.outcome.outcome;
      record.exit_code = event.outcome.exitCode;
      put(record, 'final_text', event.outcome.finalText);
      put(record, 'error', event.outcome.error);
      put(record, 'session_id', event.outcome.sessionId);
      break;
  }
  return record;
}

const OUTCOMES: readonly OutcomeKind[] = ['completed', 'failed', 'killed'];

function text(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

function count(record: Record<string, unknown>, key: string): number | undefined {
  const value = record[key];
  return typeof value === 'number' ? value : undefined;
}

function withDefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

/** Converts a transcript record back to an event; undefined when the record is not one. */
export function fromTranscriptRecord(record: unknown): LaunchEvent | undefined {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const r = record as Record<string, unknown>;
  const time = text(r, 'time');
  if (time === undefined) return undefined;
  switch (r.type) {
    case 'start': {
      const pid = count(r, 'pid');
      if (pid === undefined || !Array.isArray(r.command)) return undefined;
      return withDefined({
        type: 'start' as const,
        time,
        pid,
        command: r.command.map(String),
        launcherId: text(r, 'launcher_id'),
      });
    }
    case 'output': {
      const value = text(r, 'text');
      if (value === undefined || (r.stream !== 'stdout' && r.stream !== 'stderr')) return undefined;
      return { type: 'output', time, stream: r.stream, text: value };
    }
    case 'message': {
      const value = text(r, 'text');
      if (value === undefined || (r.role !== 'assistant' && r.role !== 'user' && r.role !== 'system')) {
        return undefined;
      }
      return { type: 'message', time, role: r.role, text: value };
    }
    case 'tool-use': {
      const name = text(r, 'name');
      if (name === undefined) return undefined;
      return withDefined({ type: 'tool-use' as const, time, name, input: r.input, id: text(r, 'id') });
    }
    case 'tool-result':
      return withDefined({
        type: 'tool-result' as const,
        time,
        id: text(r, 'id'),
        output: text(r, 'output'),
        isError: typeof r.is_error === 'boolean' ? r.is_error : undefined,
      });
    case 'usage':
      return withDefined({
        type: 'usage' as const,
        time,
        inputTokens: count(r, 'input_tokens'),
        outputTokens: count(r, 'output_tokens'),
        costUsd: count(r, 'cost_usd'),
      });
    case 'outcome': {
      if (!OUTCOMES.includes(r.outcome as OutcomeKind)) return undefined;
      const exitCode = r.exit_code === null ? null : count(r, 'exit_code');
      if (exitCode === undefined) return undefined;
      const outcome: LaunchOutcome = withDefined({
        outcome: r.outcome as OutcomeKind,
        exitCode,
        finalText: text(r, 'final_text'),
        error: text(r, 'error'),
        sessionId: text(r, 'session_id'),
      });
      return { type: 'outcome', time, outcome };
    }
    default:
      return undefined;
  }
}

/** Serialises one event as a transcript line (with its `\n`). */
export function stringifyTranscriptEvent(event: LaunchEvent): string {
  return `${JSON.stringify(toTranscriptRecord(event))}\n`;
}

/**
 * Parses the text of a transcript. A malformed line is a LauncherError `TRANSCRIPT_PARSE` naming the line, except
 * a last line without its newline, which a crash can leave half-written and which is ignored.
 */
export function parseTranscript(content: string, file?: string): LaunchEvent[] {
  const events: LaunchEvent[] = [];
  const lines = content.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const isUnterminatedLast = index === lines.length - 1;
    let event: LaunchEvent | undefined;
    try {
      event = fromTranscriptRecord(JSON.parse(line));
    } catch (cause) {
      if (isUnterminatedLast) return;
      throw new LauncherError(
        'TRANSCRIPT_PARSE',
        `${file ?? 'transcript'}:${index + 1}: not a JSON line (${(cause as Error).message}); every line of a ` +
          'transcript is one JSON object such as {"type":"output","time":"…","stream":"stdout","text":"…"}',
        { ...(file === undefined ? {} : { file }), line: index + 1, cause },
      );
    }
    if (event === undefined) {
      if (isUnterminatedLast) return;
      throw new LauncherError(
        'TRANSCRIPT_PARSE',
        `${file ?? 'transcript'}:${index + 1}: not a transcript record; expected "type" to be one of start, ` +
          'output, message, tool-use, tool-result, usage, outcome with a "time" and that type\'s fields',
        { ...(file === undefined ? {} : { file }), line: index + 1 },
      );
    }
    events.push(event);
  });
  return events;
}

/** Reads `transcript.jsonl` (or any transcript file) into events. */
export function readTranscript(file: string): LaunchEvent[] {
  return parseTranscript(readFileSync(file, 'utf8'), file);
}

export interface TranscriptWriterOptions {
  /**
   * Whether a missing `artifactsDir` is created (default true). With false, a directory that is gone fails
   * with ENOENT instead: for a caller whose directory may have been removed on purpose (a workspace deleted
   * under its supervisor), where creating it again would plant files in whatever is at that path now.
   */
  canCreateDirectory?: boolean;
}

export interface TranscriptWriter {
  /** The transcript file's path. */
  readonly path: string;
  /** Appends one event as one line. Never throws: a write error is kept in `error` and later writes are skipped. */
  write(event: LaunchEvent): void;
  /** Closes the file. Further writes are ignored. */
  close(): void;
  /** The first write error, if any. */
  readonly error: Error | undefined;
}

/**
 * Opens `<artifactsDir>/transcript.jsonl` for appending (creating the directory, unless `canCreateDirectory` is
 * false) and writes one line per event, synchronously, so the file is complete up to the last event even when
 * the supervisor is killed. A run's lines begin with its `start` event (or, for a run that never started, its
 * `outcome`), so several attempts written into one directory stay readable.
 */
export function createTranscriptWriter(
  artifactsDir: string,
  fileName = TRANSCRIPT_FILE_NAME,
  options: TranscriptWriterOptions = {},
): TranscriptWriter {
  if (options.canCreateDirectory !== false) mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, fileName);
  let descriptor: number | undefined = openSync(path, 'a');
  let error: Error | undefined;
  return {
    path,
    get error() {
      return error;
    },
    write(event) {
      if (descriptor === undefined || error !== undefined) return;
      try {
        writeSync(descriptor, stringifyTranscriptEvent(event));
      } catch (cause) {
        error = cause as Error;
      }
    },
    close() {
      if (descriptor === undefined) return;
      try {
        closeSync(descriptor);
      } catch {
        // Nothing useful to do: the lines already written are on disk.
      }
      descriptor = undefined;
    },
  };
}
