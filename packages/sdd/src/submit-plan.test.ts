import { existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestWorkspace } from './internal/test-workspace.js';
import { parsePlan } from './plan.js';
import { createSddStore } from './sdd-store.js';
import { submitPlan } from './submit-plan.js';

const expandPrompt = async (text: string) => {
  const model = /%model:(\S+)/.exec(text)?.[1];
  return { text: text.replace(/%model:\S+\s*/g, ''), ...(model ? { model } : {}) };
};

function setup() {
  const { workspaceRoot, home, env } = createTestWorkspace();
  return { store: createSddStore({ workspaceRoot, versionControlled: true, env }), home };
}

describe('submitPlan', () => {
  it('writes the snapshot and the plan cross-linked, with the origin recorded', async () => {
    const { store, home } = setup();
    const pulse = join(home, '.sase', '.ace_refresh_pulse');
    const result = await submitPlan({
      store,
      planText:
        '---\nphases:\n  - {id: a, title: Schema}\n  - {id: b, title: API, depends_on: [a]}\n---\n# Auth Rework\n\nPlan.\n',
      planFile: 'PLAN.md',
      tier: 'epic',
      promptText: '%model:claude/opus Rework auth, see #notes.\n',
      now: new Date('2026-11-03T10:00:00.000Z'),
      expandPrompt,
      refreshPulseFile: pulse,
    });
    expect(result).toEqual({
      name: 'auth-rework',
      tier: 'epic',
      round: 1,
      plan: 'epics/202611/auth-rework.md',
      prompt: 'prompts/202611/auth-rework.md',
      warnings: [],
    });
    expect(store.readPromptSnapshot(result.prompt)).toEqual({
      frontmatter: { plan: 'epics/202611/auth-rework.md' },
      body: 'Rework auth, see #notes.\n',
    });
    expect(store.readPlan(result.plan)).toEqual({
      frontmatter: {
        prompt: 'prompts/202611/auth-rework.md',
        tier: 'epic',
        title: 'Auth Rework',
        status: 'wip',
        createTime: '2026-11-03T10:00:00.000Z',
        round: 1,
        promptSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        model: 'claude/opus',
        phases: [
          { id: 'a', title: 'Schema', dependsOn: [] },
          { id: 'b', title: 'API', dependsOn: ['a'] },
        ],
      },
      body: '# Auth Rework\n\nPlan.\n',
    });
    expect(existsSync(pulse)).toBe(true);
  });

  it('hashes the snapshot body into prompt_sha256', async () => {
    const { store } = setup();
    const { plan } = await submitPlan({
      store,
      planText: '# T\n',
      tier: 'tale',
      promptText: 'abc',
      expandPrompt,
    });
    // sha256("abc")
    expect(store.readPlan(plan).frontmatter.promptSha256).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('numbers Q&A continuously over three rounds, keeps month, creation time and prompt', async () => {
    const { store, home } = setup();
    const pulse = join(home, '.sase', '.ace_refresh_pulse');
    const submit = (planText: string, qa: string, now: string) =>
      submitPlan({
        store,
        planText,
        tier: 'tale',
        name: 'cache-layer',
        questionsAndAnswers: qa,
        now: new Date(now),
        expandPrompt,
        refreshPulseFile: pulse,
        ...(now.startsWith('2026-05') ? { promptText: 'Add a cache.' } : {}),
      });
    const first = await submit(
      '# Cache layer\n\nv1\n',
      'Q: Redis or memory?\nA: Memory.\nQ: TTL?\nA: 60 s.\n',
      '2026-05-30T12:00:00Z',
    );
    utimesSync(pulse, new Date(0), new Date(0));
    const second = await submit('# Cache layer\n\nv2\n', 'Q: Eviction?\nA: LRU.\n', '2026-06-02T12:00:00Z');
    expect(statSync(pulse).mtimeMs).toBeGreaterThan(0);
    const third = await submit(
      '# Cache layer\n\nv3\n',
      '1. Q: Metrics?\n   A: Yes,\n      hit rate.\n',
      '2026-07-01T12:00:00Z',
    );
    expect([first.round, second.round, third.round]).toEqual([1, 2, 3]);
    expect(third.plan).toBe('tales/202605/cache-layer.md');
    const plan = store.readPlan(third.plan);
    expect(plan.frontmatter).toMatchObject({
      round: 3,
      createTime: '2026-05-30T12:00:00.000Z',
      prompt: 'prompts/202605/cache-layer.md',
    });
    expect(plan.body).toBe(`# Cache layer

v3

### Questions and Answers

1. Q: Redis or memory?
   A: Memory.
2. Q: TTL?
   A: 60 s.
3. Q: Eviction?
   A: LRU.
4. Q: Metrics?
   A: Yes,
      hit rate.
`);
    expect(store.list('prompts')).toHaveLength(1);
    expect(store.readPromptSnapshot(plan.frontmatter.prompt!).body).toBe('Add a cache.');
  });

  it('derives the name from --name, else the title, else the file name', async () => {
    const { store } = setup();
    const base = { store, tier: 'tale' as const, promptText: 'p', expandPrompt };
    expect((await submitPlan({ ...base, planText: '# Ignored\n', name: 'given' })).name).toBe('given');
    expect(
      (await submitPlan({ ...base, planText: '---\ntitle: From Frontmatter\n---\n# Heading\n' })).name,
    ).toBe('from-frontmatter');
    expect((await submitPlan({ ...base, planText: 'no heading\n', planFile: '/tmp/My Plan.md' })).name).toBe(
      'my-plan',
    );
    await expect(submitPlan({ ...base, planText: 'no heading\n', planFile: '-' })).rejects.toMatchObject({
      code: 'INVALID_PLAN_NAME',
    });
    await expect(submitPlan({ ...base, planText: '# x\n', name: '../escape' })).rejects.toMatchObject({
      code: 'INVALID_PLAN_NAME',
    });
  });

  it('refuses what it cannot submit, with coded errors', async () => {
    const { store } = setup();
    const base = { store, expandPrompt };
    await expect(submitPlan({ ...base, planText: '# New\n', tier: 'tale' })).rejects.toMatchObject({
      code: 'PROMPT_REQUIRED',
    });
    await expect(
      submitPlan({ ...base, planText: '# New\n', tier: 'saga' as 'tale', promptText: 'p' }),
    ).rejects.toMatchObject({
      code: 'INVALID_TIER',
    });
    await expect(
      submitPlan({
        ...base,
        planText: '---\nphases:\n  - {id: a, title: A, depends_on: [a]}\n---\n',
        name: 'loop',
        tier: 'epic',
        promptText: 'p',
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_PLAN',
      diagnostics: [expect.objectContaining({ ruleId: 'phase-cycle' })],
    });
    await expect(
      submitPlan({
        ...base,
        planText: '# Q\n',
        tier: 'tale',
        promptText: 'p',
        questionsAndAnswers: 'Q: no answer\n',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_QUESTIONS_AND_ANSWERS' });
    await submitPlan({ ...base, planText: '# Shared\n', tier: 'tale', promptText: 'p' });
    await expect(
      submitPlan({ ...base, planText: '# Shared\n', tier: 'epic', promptText: 'p' }),
    ).rejects.toMatchObject({
      code: 'PLAN_TIER_MISMATCH',
    });
    expect(store.list('epics')).toEqual([]);
  });

  it('refuses to replace an approved plan', async () => {
    const { store } = setup();
    const { plan } = await submitPlan({
      store,
      planText: '# Done\n',
      tier: 'tale',
      promptText: 'p',
      expandPrompt,
    });
    const text = store.readText(plan).replace('status: wip', 'status: wip\nbead: myapp-1');
    writeFileSync(store.absolutePath(plan), text);
    expect(parsePlan(text).plan?.frontmatter.bead).toBe('myapp-1');
    await expect(
      submitPlan({ store, planText: '# Done\n', tier: 'tale', expandPrompt }),
    ).rejects.toMatchObject({
      code: 'PLAN_ALREADY_APPROVED',
    });
  });

  it('drops tier-foreign keys with a warning', async () => {
    const { store } = setup();
    const result = await submitPlan({
      store,
      planText: '---\nphases: [{id: a, title: A}]\nepic_count: 2\n---\n# Tale\n',
      tier: 'tale',
      promptText: 'p',
      expandPrompt,
    });
    expect(result.warnings.map((warning) => [warning.ruleId, warning.line])).toEqual([
      ['plan-tier-keys', 2],
      ['plan-tier-keys', 3],
    ]);
    expect(store.readPlan(result.plan).frontmatter.phases).toBeUndefined();
  });
});
