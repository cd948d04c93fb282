import { expect, it } from 'vitest';

it('exports these names from @sase/launcher-gemini', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toMatchInlineSnapshot(`
    [
      "GEMINI_MODEL_ALIASES",
      "GEMINI_OVERRIDE_VARIABLE",
      "createGemini",
      "createGeminiJsonMapper",
      "createGeminiStreamMapper",
      "gemini",
      "geminiArguments",
      "geminiResumeArguments",
    ]
  `);
});
