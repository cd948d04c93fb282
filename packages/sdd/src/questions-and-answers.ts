import type { Diagnostic } from './diagnostic.js';
import { SddError } from './errors.js';
import { nodeText, parseMarkdown } from './internal/markdown.js';

/** One exchange from planning: a question the agent asked and the answer it got. */
export interface QuestionAndAnswer {
  question: string;
  answer: string;
}

export interface QuestionsAndAnswersParseResult {
  entries: QuestionAndAnswer[];
  diagnostics: Diagnostic[];
}

/** The heading of the one merged section in a plan body. */
export const questionsAndAnswersHeading = '### Questions and Answers';

const questionLine = /^(\s*(?:\d+[.)]\s+|[-*+]\s+)?Q:\s?)(.*)$/;
const answerLine = /^(\s*(?:[-*+]\s+)?A:\s?)(.*)$/;
const headingLine = /^#{1,6}(\s|$)/;

/**
 * Reads `Q:` / `A:` line pairs (optionally numbered `1. Q:` or bulleted `- Q:`; lines that follow a `Q:` or
 * `A:` line continue it, with the indentation up to the text column removed). Headings and blank lines
 * before the first question are ignored; any other stray text is a diagnostic.
 */
export function parseQuestionsAndAnswers(
  text: string,
  options: { file?: string; firstLine?: number } = {},
): QuestionsAndAnswersParseResult {
  const file = options.file ?? '<questions and answers>';
  const firstLine = options.firstLine ?? 1;
  const entries: QuestionAndAnswer[] = [];
  const diagnostics: Diagnostic[] = [];
  const problem = (index: number, ruleId: string, reason: string) =>
    diagnostics.push({ reason, file, line: firstLine + index, column: 1, ruleId, fatal: true });
  let current: { question: string[]; answer?: string[]; line: number } | undefined;
  let field: string[] | undefined;
  let column = 0;
  const finish = () => {
    if (!current) return;
    if (!current.answer) {
      problem(
        current.line,
        'qa-answer-missing',
        'Question has no answer; follow each `Q:` line with an `A:` line',
      );
    } else {
      entries.push({ question: joinField(current.question), answer: joinField(current.answer) });
    }
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const question = questionLine.exec(line);
    if (question) {
      finish();
      current = { question: [question[2] ?? ''], line: index };
      field = current.question;
      column = question[1]?.length ?? 0;
      return;
    }
    const answer = answerLine.exec(line);
    if (answer) {
      if (!current) {
        problem(
          index,
          'qa-answer-without-question',
          'Answer comes before any question; write `Q: ...` then `A: ...`',
        );
      } else if (current.answer) {
        problem(index, 'qa-answer-duplicate', 'Question already has an answer; start a new entry with `Q:`');
      } else {
        current.answer = [answer[2] ?? ''];
        field = current.answer;
        column = answer[1]?.length ?? 0;
      }
      return;
    }
    if (!field) {
      if (line.trim() !== '' && !headingLine.test(line)) {
        problem(
          index,
          'qa-text-outside-entry',
          'Text before the first question; each entry starts with `Q:`',
        );
      }
      return;
    }
    const indent = /^ */.exec(line)?.[0].length ?? 0;
    field.push(line.slice(Math.min(indent, column)));
  });
  finish();
  return { entries, diagnostics };
}

function joinField(lines: string[]): string {
  const kept = [...lines];
  while (kept.length > 1 && kept.at(-1)?.trim() === '') kept.pop();
  return kept.map((line) => line.trimEnd()).join('\n');
}

/** Renders the section: the heading, a blank line, then `N. Q: ...` with `A: ...` indented under it. */
export function formatQuestionsAndAnswers(entries: readonly QuestionAndAnswer[]): string {
  const rendered = entries.map((entry, index) => {
    const marker = `${index + 1}. `;
    const pad = ' '.repeat(marker.length);
    const continuation = ' '.repeat(marker.length + 3);
    const render = (prefix: string, value: string) => {
      const [first = '', ...rest] = value.split('\n');
      return [
        first ? `${prefix} ${first}` : prefix,
        ...rest.map((line) => (line ? `${continuation}${line}` : '')),
      ];
    };
    return [...render(`${marker}Q:`, entry.question), ...render(`${pad}A:`, entry.answer)].join('\n');
  });
  return `${questionsAndAnswersHeading}\n\n${rendered.join('\n')}\n`;
}

/** Where the `### Questions and Answers` section of a body is, and what it holds. */
export interface QuestionsAndAnswersSection {
  /** Offset of the heading in the body. */
  start: number;
  /** Offset just past the section (the next heading of depth 1-3, or the end of the body). */
  end: number;
  entries: QuestionAndAnswer[];
}

/** Finds the section in a plan body; throws INVALID_QUESTIONS_AND_ANSWERS when its entries are malformed. */
export function findQuestionsAndAnswersSection(
  body: string,
  options: { file?: string; firstLine?: number } = {},
): QuestionsAndAnswersSection | undefined {
  const tree = parseMarkdown(body);
  const children = tree.children ?? [];
  const index = children.findIndex(
    (node) =>
      node.type === 'heading' && node.depth === 3 && /^questions and answers$/i.test(nodeText(node).trim()),
  );
  const heading = children[index];
  if (!heading?.position) return undefined;
  const start = heading.position.start.offset ?? 0;
  const headingEnd = heading.position.end.offset ?? start;
  const next = children.slice(index + 1).find((node) => node.type === 'heading' && (node.depth ?? 9) <= 3);
  const end = next?.position?.start.offset ?? body.length;
  const file = options.file ?? '<plan>';
  const parsed = parseQuestionsAndAnswers(body.slice(headingEnd, end), {
    file,
    firstLine: (options.firstLine ?? 1) + heading.position.end.line - 1,
  });
  if (parsed.diagnostics.length) {
    throw new SddError(
      'INVALID_QUESTIONS_AND_ANSWERS',
      `The "${questionsAndAnswersHeading}" section of ${file} is malformed (${parsed.diagnostics[0]?.reason} at line ${parsed.diagnostics[0]?.line}); entries look like "1. Q: ..." followed by an indented "A: ..."`,
      { file, line: parsed.diagnostics[0]?.line, diagnostics: parsed.diagnostics },
    );
  }
  return { start, end, entries: parsed.entries };
}

/**
 * Builds the body of a new round: the new body with its own Q&A section (if any) taken out, and one merged
 * section appended at the end holding the previous round's entries, then the new body's entries, then `added`,
 * numbered from 1 without gaps, so numbering continues across rounds. An entry equal to one already present
 * is not repeated. With no entries at all the body is returned without a section.
 */
export function mergeQuestionsAndAnswers(options: {
  previousBody?: string;
  body: string;
  added?: readonly QuestionAndAnswer[];
  file?: string;
}): string {
  const previous = options.previousBody
    ? (findQuestionsAndAnswersSection(options.previousBody, { file: options.file })?.entries ?? [])
    : [];
  const ownSection = findQuestionsAndAnswersSection(options.body, { file: options.file });
  const body = ownSection
    ? options.body.slice(0, ownSection.start) + options.body.slice(ownSection.end)
    : options.body;
  const merged: QuestionAndAnswer[] = [...previous];
  for (const entry of [...(ownSection?.entries ?? []), ...(options.added ?? [])]) {
    if (!merged.some((known) => known.question === entry.question && known.answer === entry.answer))
      merged.push(entry);
  }
  if (merged.length === 0) return ownSection ? `${body.trimEnd()}\n` : body;
  const head = body.trimEnd();
  return `${head}${head ? '\n\n' : ''}${formatQuestionsAndAnswers(merged)}`;
}
