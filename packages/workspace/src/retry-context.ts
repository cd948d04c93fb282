import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PromptSection, readTranscript } from '@sase/launcher-core';
import {
  AGENT_FILES,
  type AttemptContext,
  type DoneRecord,
  isRetryableOutcome,
  type PreparedAttempt,
  parseDone,
} from '@sase/scheduler';
import type { RetryContextMode } from './config.js';

/** How many lines of the previous attempt's answers a `## Previous attempt` section quotes. */
export const PREVIOUS_ATTEMPT_TAIL_LINES = 40;

/** The previous attempt's outcome, from `attempts/<n-1>/done.json`; undefined for a first attempt. */
function previousOutcome(context: AttemptContext): DoneRecord | undefined {
  const previous = context.request.attempt - 1;
  if (previous < 1) return undefined;
  const file = join(context.agentDir, AGENT_FILES.attempts, String(previous), AGENT_FILES.done);
  try {
    return parseDone(JSON.parse(readFileSync(file, 'utf8')), file);
  } catch {
    return undefined;
  }
}

/** The last lines of what the agent said in its previous attempt (its answers; a shell agent's output). */
function previousAnswers(context: AttemptContext, attempt: number): string {
  const file = join(context.agentDir, AGENT_FILES.attempts, String(attempt), AGENT_FILES.transcript);
  if (!existsSync(file)) return '';
  let events: ReturnType<typeof readTranscript>;
  try {
    events = readTranscript(file);
  } catch {
    return '';
  }
  const answers = events.flatMap((event) =>
    event.type === 'message' && event.role === 'assistant' ? [event.text] : [],
  );
  const lines = (
    answers.length > 0
      ? answers
      : events.flatMap((event) => (event.type === 'output' && event.stream === 'stdout' ? [event.text] : []))
  )
    .join('\n')
    .replace(/\n+$/, '')
    .split('\n');
  return lines.slice(-PREVIOUS_ATTEMPT_TAIL_LINES).join('\n');
}

function describe(done: DoneRecord): string {
  const exit = done.exitCode === null ? '' : ` (exit ${done.exitCode})`;
  return `attempt ${done.attempt} ended ${done.outcome}${exit}${done.error === null ? '' : `: ${done.error}`}`;
}

/**
 * What a retry of a failed or killed agent is told (sase.yml `agents.retry_context`):
 * - `resume` (default): where the previous attempt's CLI reported a session and the launcher can resume,
 *   the session goes on with a short prompt naming what went wrong (and a failing check's log tail);
 *   otherwise as `summary`;
 * - `summary`: the original prompt plus a `## Previous attempt` section (outcome, error, the last 40 lines
 *   of the agent's answers);
 * - `none`: nothing but `notes` (a failing check's log tail is always passed on).
 * `notes` are what the change workflow has for this attempt (a failing check's log tail).
 */
export function retryContextOf(
  context: AttemptContext,
  mode: RetryContextMode,
  notes: readonly PromptSection[],
): Pick<PreparedAttempt, 'context' | 'resume'> {
  const done = previousOutcome(context);
  const sections = [...notes];
  if (done === undefined || !isRetryableOutcome(done.outcome) || mode === 'none') {
    return sections.length > 0 ? { context: sections } : {};
  }
  const answers = previousAnswers(context, done.attempt);
  sections.push({
    title: 'Previous attempt',
    text:
      `Your previous ${describe(done)}.` +
      (answers === '' ? '' : ` The last lines of what you said:\n\n\`\`\`text\n${answers}\n\`\`\``) +
      '\n\nStart from where it stopped, fix what went wrong, and finish the task.',
  });
  if (mode !== 'resume' || done.sessionId === undefined) return { context: sections };
  const prompt = [
    `Your previous ${describe(done)}.`,
    ...notes.map((note) => `## ${note.title}\n\n${note.text}`),
    'Continue the task from where you stopped: fix what went wrong, and finish it.',
  ].join('\n\n');
  return { context: sections, resume: { sessionId: done.sessionId, prompt: `${prompt}\n` } };
}
