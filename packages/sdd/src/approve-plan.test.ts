import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBeadStore } from '@sase/beads';
import { describe, expect, it } from 'vitest';
import { approvePlan } from './approve-plan.js';
import { createTestWorkspace, runGit } from './internal/test-workspace.js';
import { createSddStore } from './sdd-store.js';
import { submitPlan } from './submit-plan.js';

const expandPrompt = async (text: string) => ({ text });

const epicText = `---
phases:
  - id: schema
    title: Schema
    description: Add the session tables.
  - id: api
    title: Token API
    depends_on: [schema]
    model: claude/opus
  - id: ui
    title: Login UI
    depends_on: [schema]
  - id: land
    title: Wire it up
    depends_on: [api, ui]
---
# Auth rework
`;

async function setup(versionControlled = false) {
  const { workspaceRoot, home, env } = createTestWorkspace();
  const store = createSddStore({ workspaceRoot, versionControlled, env });
  return { store, home, env, workspaceRoot };
}

describe('approvePlan', () => {
  it('turns an epic into phase beads whose ready/blocked order follows depends_on', async () => {
    const { store, home, env } = await setup();
    await submitPlan({
      store,
      planText: epicText,
      tier: 'epic',
      promptText: 'p',
      expandPrompt,
      model: 'codex/gpt-5',
      now: new Date('2026-11-03T00:00:00Z'),
    });
    const result = await approvePlan({
      store,
      plan: 'auth-rework',
      env,
      now: new Date('2026-11-04T09:00:00Z'),
    });
    expect(result).toMatchObject({
      plan: 'epics/202611/auth-rework.md',
      bead: 'myapp-1',
      phases: ['myapp-1.1', 'myapp-1.2', 'myapp-1.3', 'myapp-1.4'],
      isAlreadyApproved: false,
    });

    const plan = store.readPlan(result.plan);
    expect(plan.frontmatter).toMatchObject({
      bead: 'myapp-1',
      approvedBy: 'tester',
      approvedAt: '2026-11-04T09:00:00.000Z',
      status: 'wip',
    });
    expect(plan.frontmatter.phases?.map((phase) => phase.bead)).toEqual(result.phases);
    expect(runGit(store.root, ['log', '-1', '--format=%s'], home).trim()).toBe(
      'plan: approve epics/202611/auth-rework as myapp-1',
    );
    expect(
      runGit(store.root, ['show', '--name-only', '--format=', 'HEAD'], home).trim().split('\n').sort(),
    ).toEqual([
      'MAP.md',
      'beads/.gitignore',
      'beads/config.json',
      'beads/issues.jsonl',
      'epics/202611/auth-rework.md',
    ]);
    expect(runGit(store.root, ['status', '--porcelain'], home)).toBe('');
    expect(readFileSync(join(store.root, 'MAP.md'), 'utf8')).toContain('| wip | myapp-1 |');

    const beads = openBeadStore({ dir: store.beadsDir });
    try {
      expect(beads.get('myapp-1')).toMatchObject({
        issueType: 'plan',
        tier: 'epic',
        title: 'Auth rework',
        design: '.sase/sdd/epics/202611/auth-rework.md',
        model: 'codex/gpt-5',
      });
      expect(beads.get('myapp-1.1')).toMatchObject({
        issueType: 'phase',
        parentId: 'myapp-1',
        title: 'Schema',
        description: 'Add the session tables.',
      });
      expect(beads.get('myapp-1.2')).toMatchObject({ model: 'claude/opus' });
      const phaseIds = (list: Array<{ id: string }>) =>
        list.map((bead) => bead.id).filter((id) => id.includes('.'));
      expect(phaseIds(beads.ready())).toEqual(['myapp-1.1']);
      expect(beads.blocked().map(({ bead, blockedBy }) => [bead.id, blockedBy])).toEqual([
        ['myapp-1.2', ['myapp-1.1']],
        ['myapp-1.3', ['myapp-1.1']],
        ['myapp-1.4', ['myapp-1.2', 'myapp-1.3']],
      ]);
      beads.update('myapp-1.1', { status: 'closed' });
      expect(phaseIds(beads.ready())).toEqual(['myapp-1.2', 'myapp-1.3']);
      beads.update('myapp-1.2', { status: 'closed' });
      beads.update('myapp-1.3', { status: 'closed' });
      expect(phaseIds(beads.ready())).toEqual(['myapp-1.4']);
    } finally {
      beads.dispose();
    }
  });

  it('is idempotent: a second approval writes nothing and creates no bead', async () => {
    const { store, home, env } = await setup();
    await submitPlan({ store, planText: epicText, tier: 'epic', promptText: 'p', expandPrompt });
    const first = await approvePlan({ store, plan: 'auth-rework', env, approvedBy: 'Ada' });
    const planText = readFileSync(store.absolutePath(first.plan), 'utf8');
    const jsonl = readFileSync(join(store.beadsDir, 'issues.jsonl'), 'utf8');
    const head = runGit(store.root, ['rev-parse', 'HEAD'], home);
    const second = await approvePlan({
      store,
      plan: store.absolutePath(first.plan),
      env,
      approvedBy: 'Someone else',
    });
    expect(second).toEqual({ ...first, isAlreadyApproved: true, commit: undefined });
    expect(readFileSync(store.absolutePath(first.plan), 'utf8')).toBe(planText);
    expect(readFileSync(join(store.beadsDir, 'issues.jsonl'), 'utf8')).toBe(jsonl);
    expect(runGit(store.root, ['rev-parse', 'HEAD'], home)).toBe(head);
  });

  it('reuses the beads of an approval interrupted before the plan was rewritten', async () => {
    const { store, env } = await setup(true);
    const { plan } = await submitPlan({
      store,
      planText: epicText,
      tier: 'epic',
      promptText: 'p',
      expandPrompt,
    });
    const before = readFileSync(store.absolutePath(plan), 'utf8');
    await approvePlan({ store, plan: 'auth-rework', env });
    writeFileSync(store.absolutePath(plan), before);
    const again = await approvePlan({ store, plan: 'auth-rework', env });
    expect(again).toMatchObject({
      bead: 'myapp-1',
      phases: ['myapp-1.1', 'myapp-1.2', 'myapp-1.3', 'myapp-1.4'],
    });
    const beads = openBeadStore({ dir: store.beadsDir });
    expect(beads.list()).toHaveLength(5);
    beads.dispose();
  });

  it('promotes a tale to a plan bead and a legend with its epic_count', async () => {
    const { store, env } = await setup(true);
    await submitPlan({ store, planText: '# Fix login\n', tier: 'tale', promptText: 'p', expandPrompt });
    await submitPlan({
      store,
      planText: '---\nepic_count: 3\n---\n# Platform\n',
      tier: 'legend',
      promptText: 'p',
      expandPrompt,
    });
    const tale = await approvePlan({ store, plan: 'fix-login', env, beadPrefix: 'app' });
    const legend = await approvePlan({ store, plan: 'platform', env });
    expect([tale.bead, tale.phases, legend.bead, legend.phases]).toEqual(['app-1', [], 'app-2', []]);
    const beads = openBeadStore({ dir: store.beadsDir });
    expect(beads.get('app-1')).toMatchObject({
      tier: 'plan',
      design: expect.stringMatching(/^sdd\/tales\/\d{6}\/fix-login\.md$/),
    });
    expect(beads.get('app-2')).toMatchObject({ tier: 'legend', epicCount: 3 });
    beads.dispose();
  });

  it('refuses an epic without phases and a legend without epic_count', async () => {
    const { store, env } = await setup(true);
    await submitPlan({ store, planText: '# Empty epic\n', tier: 'epic', promptText: 'p', expandPrompt });
    await submitPlan({ store, planText: '# Vague legend\n', tier: 'legend', promptText: 'p', expandPrompt });
    await expect(approvePlan({ store, plan: 'empty-epic', env })).rejects.toMatchObject({
      code: 'INVALID_PLAN',
    });
    await expect(approvePlan({ store, plan: 'vague-legend', env })).rejects.toMatchObject({
      code: 'INVALID_PLAN',
    });
    await expect(approvePlan({ store, plan: 'missing', env })).rejects.toMatchObject({
      code: 'PLAN_NOT_FOUND',
    });
  });
});

describe('the default approver', () => {
  it("reads user.name from the project's own repository when neither the SDD repository nor ~/.gitconfig has it", async () => {
    const { store, env, workspaceRoot } = await setup();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(workspaceRoot, '.git'), { recursive: true });
    writeFileSync(join(workspaceRoot, '.git', 'config'), '[user]\n\tname = Project Person\n');
    await submitPlan({ store, planText: epicText, tier: 'epic', promptText: 'p', expandPrompt });
    await approvePlan({ store, plan: 'auth-rework', env: { ...env, USER: 'shell-user' } });
    expect(store.readPlan(store.resolvePlan('auth-rework').path).frontmatter.approvedBy).toBe(
      'Project Person',
    );
  });
});
