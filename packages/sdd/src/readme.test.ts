import { openBeadStore } from '@sase/beads';
import { expect, it } from 'vitest';
import { approvePlan, createSddStore, parsePlan, stringifyPlan, submitPlan, validateSdd } from './index.js';
import { createTestWorkspace } from './internal/test-workspace.js';

it('runs the README example', async () => {
  const { workspaceRoot, env } = createTestWorkspace();
  const store = createSddStore({ workspaceRoot, env }); // .sase/sdd/, its own git repository

  const submitted = await submitPlan({
    store,
    tier: 'epic',
    planText: `---
phases:
  - {id: db, title: Schema}
  - {id: api, title: Token API, depends_on: [db]}
---
# Auth rework
`,
    promptText: '%model:claude/opus\nRework the auth layer.\n',
    now: new Date('2026-11-03T10:00:00Z'),
    promptExpansion: { homeDirectory: env.HOME! },
  });
  expect(submitted.plan).toBe('epics/202611/auth-rework.md');
  expect(submitted.prompt).toBe('prompts/202611/auth-rework.md');

  const approved = await approvePlan({ store, plan: 'auth-rework', approvedBy: 'Ada', beadPrefix: 'shop' });
  expect(approved.bead).toBe('shop-1');
  expect(approved.phases).toEqual(['shop-1.1', 'shop-1.2']);
  const beads = openBeadStore({ dir: store.beadsDir });
  expect(beads.blocked().map((entry) => [entry.bead.id, entry.blockedBy])).toEqual([
    ['shop-1.2', ['shop-1.1']],
  ]);
  beads.dispose();

  const { ok, diagnostics } = await validateSdd(store);
  expect(ok).toBe(true);
  expect(diagnostics).toEqual([]);

  const text = store.readText(submitted.plan);
  expect(text).toContain('model: claude/opus\napproved_by: Ada\n');
  const { plan } = parsePlan(text, { file: submitted.plan });
  expect(plan && stringifyPlan(plan)).toBe(text);
});
