import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { openBeadStore } from '@sase/beads';
import { afterAll, expect, it } from 'vitest';
import {
  approvePlan,
  createSddStore,
  moveChangeStatus,
  parseChangeSpec,
  parsePlan,
  stringifyChangeSpec,
  stringifyPlan,
  submitPlan,
  validateSdd,
} from './index.js';
import { createTestWorkspace } from './internal/test-workspace.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A test workspace, removed after the tests of this file. */
function temporaryWorkspace() {
  const workspace = createTestWorkspace();
  temporary.push(dirname(workspace.workspaceRoot));
  return workspace;
}

it('runs the README example', async () => {
  const { workspaceRoot, env } = temporaryWorkspace();
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

  await store.updateChangeSpec(
    'shop-1.1',
    (change) => ({
      ...change,
      comments: [
        ...change.comments,
        { time: '2026-11-03T11:00:00.000Z', author: 'Ada', text: 'Looks good.' },
      ],
    }),
    {
      create: () => ({
        name: 'shop-1.1',
        description: 'Schema',
        bead: 'shop-1.1',
        plan: 'epics/202611/auth-rework.md',
        parent: [],
        branch: 'sase/shop-1.1',
        base: '0123456789abcdef0123456789abcdef01234567',
        status: 'wip',
        pr: null,
        bug: null,
        commits: [],
        hooks: [],
        comments: [],
        timestamps: [{ time: '2026-11-03T10:30:00.000Z', status: 'wip' }],
      }),
    },
  );
  const change = await store.updateChangeSpec('shop-1.1', (current) =>
    moveChangeStatus(current, 'ready', '2026-11-03T11:05:00.000Z'),
  );
  expect(change.status).toBe('ready');
  expect(change.comments).toHaveLength(1);
  expect(store.findChangeSpec('shop-1.1')?.path).toBe('changes/202611/shop-1.1.md');
  expect(() => moveChangeStatus(change, 'submitted', '2026-11-03T11:06:00.000Z')).toThrow(
    'change shop-1.1: cannot move from ready to submitted; valid moves from ready: mailed, draft, archived',
  );
  expect(await validateSdd(store)).toEqual({ ok: true, diagnostics: [] });
});

it('documents the ChangeSpec format exactly as SASE writes it', () => {
  const format = /### Format\n\n```md\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(format).toBeDefined();
  const { changeSpec, diagnostics } = parseChangeSpec(format!);
  expect(diagnostics).toEqual([]);
  expect(stringifyChangeSpec(changeSpec!)).toBe(format);
});
