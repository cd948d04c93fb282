import { expect, it } from 'vitest';

it('exports these names from @sase/launcher-shell', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_SHELL_COMMAND",
      "SHELL_OVERRIDE_VARIABLE",
      "createShell",
      "shell",
    ]
  `);
});
