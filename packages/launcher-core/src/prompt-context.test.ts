import { describe, expect, it } from 'vitest';
import { composePrompt, formatPromptContext } from './prompt-context.js';

const context = [
  { title: 'Failing check', text: 'FAIL src/math.test.ts\n  expected 3, received 4\n\n' },
  { title: 'Previous attempt', text: 'exited with code 1' },
];

describe('composePrompt', () => {
  it('returns the prompt unchanged without context', () => {
    expect(composePrompt('Fix it.\n\n\n')).toBe('Fix it.\n\n\n');
    expect(composePrompt('Fix it.', [])).toBe('Fix it.');
  });

  it('appends each section after a blank line as a ## heading, a blank line and the text', () => {
    expect(composePrompt('Fix the test.\n\n', context)).toBe(
      [
        'Fix the test.',
        '',
        '## Failing check',
        '',
        'FAIL src/math.test.ts',
        '  expected 3, received 4',
        '',
        '## Previous attempt',
        '',
        'exited with code 1',
        '',
      ].join('\n'),
    );
    expect(composePrompt('Fix it.', [{ title: 'Plan', text: 'step 1' }])).toBe(
      'Fix it.\n\n## Plan\n\nstep 1\n',
    );
    expect(composePrompt('Fix it.\r\n', [{ title: 'Plan', text: 'step 1' }])).toBe(
      'Fix it.\n\n## Plan\n\nstep 1\n',
    );
  });

  it('is the sections alone for an empty prompt, and a heading alone for an empty text', () => {
    expect(composePrompt('', [{ title: 'Plan', text: '' }])).toBe('## Plan\n');
  });
});

describe('formatPromptContext', () => {
  it('renders the sections alone, separated by blank lines', () => {
    expect(formatPromptContext(context)).toMatchInlineSnapshot(`
      "## Failing check

      FAIL src/math.test.ts
        expected 3, received 4

      ## Previous attempt

      exited with code 1
      "
    `);
    expect(formatPromptContext(undefined)).toBe('');
    expect(formatPromptContext([])).toBe('');
  });
});
