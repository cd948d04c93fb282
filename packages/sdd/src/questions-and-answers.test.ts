import { describe, expect, it } from 'vitest';
import {
  findQuestionsAndAnswersSection,
  formatQuestionsAndAnswers,
  mergeQuestionsAndAnswers,
  parseQuestionsAndAnswers,
} from './questions-and-answers.js';

describe('parseQuestionsAndAnswers', () => {
  it('reads Q:/A: pairs with continuation lines, numbering and bullets', () => {
    const text = `# Planning questions

Q: Which database?
A: Postgres,
   because we run it already.
- Q: Keep the old tokens
  for a while?
- A: Yes.

3. Q: Deadline?
   A:
`;
    expect(parseQuestionsAndAnswers(text)).toEqual({
      entries: [
        { question: 'Which database?', answer: 'Postgres,\nbecause we run it already.' },
        { question: 'Keep the old tokens\nfor a while?', answer: 'Yes.' },
        { question: 'Deadline?', answer: '' },
      ],
      diagnostics: [],
    });
  });

  it('reports every malformed entry with its line', () => {
    const text = 'stray text\nA: orphan\nQ: one\nQ: two\nA: x\nA: y\n';
    expect(
      parseQuestionsAndAnswers(text, { file: 'qa.md' }).diagnostics.map((d) => [d.line, d.ruleId]),
    ).toEqual([
      [1, 'qa-text-outside-entry'],
      [2, 'qa-answer-without-question'],
      [3, 'qa-answer-missing'],
      [6, 'qa-answer-duplicate'],
    ]);
  });

  it('reads back what formatQuestionsAndAnswers writes', () => {
    const entries = Array.from({ length: 11 }, (_, index) => ({
      question: `Question ${index + 1}?\nsecond line`,
      answer: index % 2 ? `Answer ${index + 1}` : 'multi\n\nparagraph',
    }));
    const section = formatQuestionsAndAnswers(entries);
    expect(section.split('\n').slice(0, 7)).toEqual([
      '### Questions and Answers',
      '',
      '1. Q: Question 1?',
      '      second line',
      '   A: multi',
      '',
      '      paragraph',
    ]);
    expect(section).toContain('\n10. Q: Question 10?\n       second line\n    A: Answer 10\n');
    expect(findQuestionsAndAnswersSection(`# Plan\n\n${section}`)?.entries).toEqual(entries);
  });
});

describe('mergeQuestionsAndAnswers', () => {
  it('continues the numbering over three rounds and keeps one section', () => {
    const round1 = mergeQuestionsAndAnswers({
      body: '# Plan v1\n',
      added: [
        { question: 'Q one?', answer: 'A one.' },
        { question: 'Q two?', answer: 'A two.' },
      ],
    });
    const round2 = mergeQuestionsAndAnswers({
      previousBody: round1,
      body: '# Plan v2\n\nMore detail.\n',
      added: [{ question: 'Q three?', answer: 'A three.' }],
    });
    const round3 = mergeQuestionsAndAnswers({
      previousBody: round2,
      body: round2.replace('v2', 'v3'),
      added: [
        { question: 'Q four?', answer: 'A four.' },
        { question: 'Q two?', answer: 'A two.' },
      ],
    });
    expect(round3).toBe(`# Plan v3

More detail.

### Questions and Answers

1. Q: Q one?
   A: A one.
2. Q: Q two?
   A: A two.
3. Q: Q three?
   A: A three.
4. Q: Q four?
   A: A four.
`);
    expect(round3.match(/### Questions and Answers/g)).toHaveLength(1);
  });

  it('moves a section found mid-body to the end and loses nothing else', () => {
    const body = '# Plan\n\n### Questions and Answers\n\n1. Q: a\n   A: b\n\n## Steps\n\nDo it.\n';
    expect(mergeQuestionsAndAnswers({ body, added: [{ question: 'c', answer: 'd' }] })).toBe(
      '# Plan\n\n## Steps\n\nDo it.\n\n### Questions and Answers\n\n1. Q: a\n   A: b\n2. Q: c\n   A: d\n',
    );
  });

  it('leaves a body without any Q&A untouched', () => {
    expect(mergeQuestionsAndAnswers({ body: '# Plan\n\nno trailing newline' })).toBe(
      '# Plan\n\nno trailing newline',
    );
  });
});
