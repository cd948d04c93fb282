import type { PromptSection } from './spec.js';

/**
 * The environment variable naming the file that holds a request's context (its PromptSections as Markdown), for a
 * launcher that does not append the context to the prompt (the shell launcher). Unset when the run has no context.
 */
export const PROMPT_CONTEXT_VARIABLE = 'SASE_PROMPT_CONTEXT';

const TRAILING_NEWLINES = /(?:\r?\n)+$/;

/**
 * The sections alone, as Markdown: for each, `## <title>`, a blank line and the text (ending with a newline),
 * sections separated by a blank line. An empty string when there are none. For a launcher that writes the
 * context to a file.
 */
export function formatPromptContext(context: readonly PromptSection[] | undefined): string {
  if (context === undefined || context.length === 0) return '';
  return context
    .map((section) => {
      const text = section.text.replace(TRAILING_NEWLINES, '');
      return text === '' ? `## ${section.title}\n` : `## ${section.title}\n\n${text}\n`;
    })
    .join('\n');
}

/**
 * The prompt with the request's context appended, for a launcher whose prompt is read by a model: the prompt
 * unchanged when there is no context; otherwise the prompt (trailing newlines trimmed to one), then for each
 * section a blank line, `## <title>`, a blank line and the text (ending with a newline).
 *
 *   composePrompt('Fix the test.', [{ title: 'Failing check', text: 'FAIL src/math.test.ts' }])
 *   // 'Fix the test.\n\n## Failing check\n\nFAIL src/math.test.ts\n'
 */
export function composePrompt(prompt: string, context?: readonly PromptSection[]): string {
  if (context === undefined || context.length === 0) return prompt;
  const body = prompt.replace(TRAILING_NEWLINES, '');
  const sections = formatPromptContext(context);
  return body === '' ? sections : `${body}\n\n${sections}`;
}
