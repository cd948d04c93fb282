import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LaunchEvent } from './spec.js';
import {
  createTranscriptWriter,
  parseTranscript,
  readTranscript,
  stringifyTranscriptEvent,
  TRANSCRIPT_FILE_NAME,
} from './transcript.js';

const time = '2026-01-02T03:04:05.000Z';
const events: LaunchEvent[] = [
  { type: 'start', time, pid: 42, command: ['claude', '-p'], launcherId: 'claude' },
  { type: 'output', time, stream: 'stderr', text: 'warning' },
  { type: 'message', time, role: 'assistant', text: 'Hello' },
  { type: 'tool-use', time, name: 'Bash', input: { command: 'ls' }, id: 't1' },
  { type: 'tool-result', time, id: 't1', output: 'a\nb', isError: false },
  { type: 'usage', time, inputTokens: 10, outputTokens: 5, costUsd: 0.01 },
  {
    type: 'outcome',
    time,
    outcome: { outcome: 'completed', exitCode: 0, finalText: 'Hello', sessionId: 's1' },
  },
];

const directory = mkdtempSync(join(tmpdir(), 'sase-transcript-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('transcript', () => {
  it('writes snake_case JSON lines', () => {
    expect(events.map(stringifyTranscriptEvent).join('')).toMatchInlineSnapshot(`
      "{"type":"start","time":"2026-01-02T03:04:05.000Z","pid":42,"command":["claude","-p"],"launcher_id":"claude"}
      {"type":"output","time":"2026-01-02T03:04:05.000Z","stream":"stderr","text":"warning"}
      {"type":"message","time":"2026-01-02T03:04:05.000Z","role":"assistant","text":"Hello"}
      {"type":"tool-use","time":"2026-01-02T03:04:05.000Z","name":"Bash","input":{"command":"ls"},"id":"t1"}
      {"type":"tool-result","time":"2026-01-02T03:04:05.000Z","id":"t1","output":"a\\nb","is_error":false}
      {"type":"usage","time":"2026-01-02T03:04:05.000Z","input_tokens":10,"output_tokens":5,"cost_usd":0.01}
      {"type":"outcome","time":"2026-01-02T03:04:05.000Z","outcome":"completed","exit_code":0,"final_text":"Hello","session_id":"s1"}
      "
    `);
  });

  it('round-trips every event type through a file, appending across writers', () => {
    const first = createTranscriptWriter(join(directory, 'agent'));
    for (const event of events.slice(0, 3)) first.write(event);
    first.close();
    first.write(events[3] as LaunchEvent); // ignored after close
    const second = createTranscriptWriter(join(directory, 'agent'));
    for (const event of events.slice(3)) second.write(event);
    second.close();
    expect(second.path).toBe(join(directory, 'agent', TRANSCRIPT_FILE_NAME));
    expect(readTranscript(second.path)).toEqual(events);
  });

  it('creates a missing directory unless canCreateDirectory is false', () => {
    const gone = join(directory, 'gone');
    expect(() => createTranscriptWriter(gone, TRANSCRIPT_FILE_NAME, { canCreateDirectory: false })).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
    expect(existsSync(gone)).toBe(false);
    createTranscriptWriter(gone).close();
    expect(existsSync(join(gone, TRANSCRIPT_FILE_NAME))).toBe(true);
    const again = createTranscriptWriter(gone, TRANSCRIPT_FILE_NAME, { canCreateDirectory: false });
    again.write(events[0] as LaunchEvent);
    again.close();
    expect(readTranscript(again.path)).toEqual([events[0]]);
  });

  it('ignores a half-written last line but reports a malformed line elsewhere with its number', () => {
    const good = stringifyTranscriptEvent(events[1] as LaunchEvent);
    expect(parseTranscript(`${good}{"type":"outp`)).toEqual([events[1]]);
    expect(() => parseTranscript(`${good}nonsense\n${good}`, 't.jsonl')).toThrow(
      expect.objectContaining({ code: 'TRANSCRIPT_PARSE', line: 2, file: 't.jsonl' }),
    );
    expect(() => parseTranscript(`{"type":"bogus","time":"x"}\n`)).toThrow(
      /transcript:1: not a transcript record/,
    );
  });

  it('keeps a killed outcome with a null exit code', () => {
    const killed: LaunchEvent = {
      type: 'outcome',
      time,
      outcome: { outcome: 'killed', exitCode: null, error: 'aborted' },
    };
    const file = join(directory, 'killed.jsonl');
    const writer = createTranscriptWriter(directory, 'killed.jsonl');
    writer.write(killed);
    writer.close();
    expect(readFileSync(file, 'utf8')).toContain('"exit_code":null');
    expect(readTranscript(file)).toEqual([killed]);
  });
});
