import { expect, it } from 'vitest';

it('exports exactly these names', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toMatchInlineSnapshot(`
    [
      "DIRECTIVE_ALIASES",
      "XPromptError",
      "createCatalog",
      "diagnosticToJson",
      "directivesToJson",
      "expandPrompt",
      "expandPromptOrThrow",
      "formatDiagnostic",
      "hasFatalDiagnostic",
      "isValidXPromptName",
      "loadCatalog",
      "parseXPrompt",
      "readXPromptDirectory",
      "splitSegments",
    ]
  `);
});
