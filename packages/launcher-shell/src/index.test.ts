import { expect, it } from 'vitest';

it('exports these names from @sase/launcher-shell', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toMatchInlineSnapshot(`
    [
      "SHELL_CONTEXT_FILE_NAME",
      "SHELL_OVERRIDE_VARIABLE",
      "createShell",
      "shell",
    ]
  `);
});
