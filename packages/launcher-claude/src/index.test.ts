import { expect, it } from 'vitest';

it('exports these names from @sase/launcher-claude', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toMatchInlineSnapshot(`
    [
      "CLAUDE_MODEL_ALIASES",
      "CLAUDE_OVERRIDE_VARIABLE",
      "CLAUDE_PERMISSION_MODES",
      "claude",
      "claudeArguments",
      "claudeEnvironment",
      "claudeResumeArguments",
      "createClaude",
      "createClaudeMapper",
    ]
  `);
});
