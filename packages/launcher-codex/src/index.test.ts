import { expect, it } from 'vitest';

it('exports these names from @sase/launcher-codex', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toMatchInlineSnapshot(`
    [
      "CODEX_MODEL_ALIASES",
      "CODEX_OVERRIDE_VARIABLE",
      "codex",
      "codexArguments",
      "codexResumeArguments",
      "createCodex",
      "createCodexMapper",
      "findGitDirectories",
    ]
  `);
});
