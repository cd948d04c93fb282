import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import {
  createCatalog,
  directivesToJson,
  expandPrompt,
  expandPromptOrThrow,
  formatDiagnostic,
  loadCatalog,
  splitSegments,
  XPromptError,
} from './index.js';

it('README: load a catalog and expand a multi-prompt', async () => {
  const workspaceRoot = mkdtempSync(join(tmpdir(), 'sase-xprompt-readme-'));
  onTestFinished(() => rmSync(workspaceRoot, { recursive: true, force: true }));
  mkdirSync(join(workspaceRoot, '.xprompts'));
  writeFileSync(
    join(workspaceRoot, '.xprompts/review.md'),
    `---
description: Review one file
input:
  - {name: file, type: path}
  - {name: depth, type: int, default: 2}
---
Review {{ file }} to depth {{ depth }}. #style
`,
  );

  // --- README example starts here ---
  const catalog = await loadCatalog({
    workspaceRoot,
    homeDir: null, // skip ~/.xprompts in this example
    builtins: [{ name: 'style', text: 'Follow the house style.', source: '@sase/example' }],
  });

  const result = expandPrompt(
    `%name:plan %model:opus
Plan the change. #review:src/app.ts
---
%name:code %wait %approve
Implement the plan.`,
    { catalog, file: 'prompt.md' },
  );

  expect(result.diagnostics).toEqual([]);
  expect(result.segments.map((segment) => directivesToJson(segment.directives))).toEqual([
    { name: 'plan', model: 'opus' },
    { name: 'code', wait: ['plan'], approve: true },
  ]);
  expect(result.text).toBe(`Plan the change. Review src/app.ts to depth 2. Follow the house style.

---

Implement the plan.
`);
  expect(result.trace.map((entry) => `${entry.name} <- ${entry.source}`)).toEqual([
    'review <- .xprompts/review.md',
    'style <- builtin:@sase/example',
  ]);
  // --- README example ends here ---
});

it('README: errors are diagnostics, or an XPromptError with expandPromptOrThrow', () => {
  const catalog = createCatalog([
    { name: 'greet', text: '---\ninput: [{name: who, type: word}]\n---\nHello {{ who }}!' },
  ]);
  const result = expandPrompt('#greet(who=Ada) %time:soon', { catalog, file: 'prompt.md' });
  expect(result.diagnostics.map(formatDiagnostic)).toEqual([
    'prompt.md:1:23: %time value "soon" is not a time (unrecognized format): use an ISO-8601 timestamp (2025-06-01T09:00:00Z), HH:MM today in local time (14:30), or a delay from now (+10m, +2h, +1h30m, +1d) [invalid-time]',
  ]);
  expect(() => expandPromptOrThrow('#greet', { catalog })).toThrow(XPromptError);
});

it('README: splitSegments alone', () => {
  const { frontmatter, segments } = splitSegments('---\ntitle: two agents\n---\nFirst\n---\nSecond\n');
  expect(frontmatter).toBe('title: two agents\n');
  expect(segments.map((segment) => [segment.startLine, segment.text])).toEqual([
    [4, 'First\n'],
    [6, 'Second\n'],
  ]);
});
