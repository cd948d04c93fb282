import { describe, expect, it } from 'vitest';
import { type Plan, parsePlan, parsePlanDraft, stringifyPlan } from './plan.js';

const tale: Plan = {
  frontmatter: {
    prompt: 'prompts/202611/fix-login.md',
    tier: 'tale',
    title: 'Fix the login redirect',
    status: 'wip',
    createTime: '2026-11-03T10:00:00.000Z',
    round: 1,
    promptSha256: 'a'.repeat(64),
    model: 'claude/sonnet',
  },
  body: '# Fix the login redirect\n\nSteps:\n\n1. Reproduce.\n2. Fix.\n',
};

const epic: Plan = {
  frontmatter: {
    prompt: 'prompts/202611/auth-rework.md',
    tier: 'epic',
    title: 'Auth rework: sessions, tokens',
    status: 'done',
    createTime: '2026-11-03T10:00:00Z',
    round: 3,
    bead: 'sase-7',
    promptSha256: '0123456789abcdef'.repeat(4),
    model: 'codex/gpt-5',
    approvedBy: 'Ada Lovelace',
    approvedAt: '2026-11-04T08:30:00.000Z',
    phases: [
      {
        id: '1',
        title: 'Schema',
        dependsOn: [],
        description: 'Add the tables.\nTwo lines: "quoted"',
        bead: 'sase-7.1',
      },
      { id: 'api', title: 'API: tokens', dependsOn: ['1'], model: 'claude/opus', bead: 'sase-7.2' },
      { id: 'ui', title: 'UI', dependsOn: ['1', 'api'] },
    ],
  },
  body: '\n  leading blank line and indentation kept  \n\n### Questions and Answers\n\n1. Q: Why?\n   A: Because.\n',
};

const legend: Plan = {
  frontmatter: {
    prompt: 'prompts/202612/platform.md',
    tier: 'legend',
    title: '#1 platform: "yes" | no',
    status: 'wip',
    createTime: '2026-12-01T00:00:00.000Z',
    epicCount: 3,
    epics: ['auth-rework', 'epics/202612/billing.md'],
  },
  body: 'No trailing newline, CRLF inside\r\nand tabs\there',
};

describe('parsePlan / stringifyPlan', () => {
  it.each([
    ['tale', tale],
    ['epic', epic],
    ['legend', legend],
  ])('round-trips a %s, body byte for byte', (_tier, plan) => {
    const text = stringifyPlan(plan);
    const parsed = parsePlan(text, { file: 'x.md' });
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.plan).toEqual(plan);
    expect(parsed.plan!.body).toBe(plan.body);
    expect(stringifyPlan(parsed.plan!)).toBe(text);
  });

  it('round-trips an empty body and a minimal frontmatter', () => {
    const plan: Plan = {
      frontmatter: { tier: 'tale', title: 'x', status: 'wip', createTime: '2026-01-01T00:00:00Z' },
      body: '',
    };
    expect(parsePlan(stringifyPlan(plan)).plan).toEqual(plan);
  });

  it('writes snake_case keys in a fixed order', () => {
    expect(stringifyPlan(epic).split('---\n')[1]).toMatchInlineSnapshot(`
      "prompt: prompts/202611/auth-rework.md
      tier: epic
      title: "Auth rework: sessions, tokens"
      status: done
      create_time: 2026-11-03T10:00:00Z
      round: 3
      bead: sase-7
      prompt_sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      model: codex/gpt-5
      approved_by: Ada Lovelace
      approved_at: 2026-11-04T08:30:00.000Z
      phases:
        - id: "1"
          title: Schema
          depends_on: []
          description: |-
            Add the tables.
            Two lines: "quoted"
          bead: sase-7.1
        - id: api
          title: "API: tokens"
          depends_on:
            - "1"
          model: claude/opus
          bead: sase-7.2
        - id: ui
          title: UI
          depends_on:
            - "1"
            - api
      "
    `);
  });

  it('reads numeric phase ids as strings and defaults depends_on to []', () => {
    const text = `---
tier: epic
title: T
status: wip
create_time: 2026-11-03T10:00:00Z
phases:
  - id: 1
    title: A
  - id: 2
    title: B
    depends_on: [1]
---
body
`;
    expect(parsePlan(text).plan?.frontmatter.phases).toEqual([
      { id: '1', title: 'A', dependsOn: [] },
      { id: '2', title: 'B', dependsOn: ['1'] },
    ]);
  });

  it('collects every frontmatter problem with the line of its key', () => {
    const text = `---
tier: saga
title: ""
status: wip
create_time: yesterday
colour: blue
phases:
  - id: a
    depends-on: [b]
---
# Body
`;
    const { plan, diagnostics } = parsePlan(text, { file: 'epics/202611/x.md' });
    expect(plan).toBeUndefined();
    expect(diagnostics.map((d) => [d.line, d.ruleId, d.fatal])).toEqual([
      [2, 'frontmatter-schema', true],
      [3, 'frontmatter-schema', true],
      [5, 'frontmatter-schema', true],
      [8, 'frontmatter-schema', true],
      [9, 'frontmatter-schema', true],
      [6, 'frontmatter-schema', true],
    ]);
    expect(diagnostics.every((d) => d.file === 'epics/202611/x.md')).toBe(true);
    expect(diagnostics.find((d) => d.line === 6)?.reason).toContain('"colour"');
    expect(diagnostics.find((d) => d.line === 9)?.reason).toContain('"phases[0].depends-on"');
  });

  it('reports missing frontmatter and broken YAML as diagnostics', () => {
    expect(parsePlan('# Just a body\n').diagnostics).toMatchObject([
      { ruleId: 'frontmatter-missing', line: 1 },
    ]);
    expect(parsePlan('---\ntier: [tale\ntitle: x\n---\n').diagnostics[0]).toMatchObject({
      ruleId: 'frontmatter-yaml',
      fatal: true,
    });
  });
});

describe('parsePlanDraft', () => {
  it('refuses frontmatter opened with `---` and never closed, with file, line and rule', () => {
    const unclosed = '---\ntitle: Upload\ntier: tale\n\n# Heading\n\nBody\n';
    for (const result of [
      parsePlanDraft(unclosed, { file: 'plan.md' }),
      parsePlan(unclosed, { file: 'plan.md' }),
    ]) {
      expect(result).not.toHaveProperty('draft');
      expect(result).not.toHaveProperty('plan');
      expect(result.diagnostics).toMatchObject([
        { file: 'plan.md', line: 1, ruleId: 'frontmatter-unclosed', fatal: true },
      ]);
      expect(result.diagnostics[0]!.reason).toContain('never closed');
    }
    // A thematic break further down is not frontmatter, and neither is `----`.
    expect(parsePlanDraft('# T\n\n---\n\ntext\n').diagnostics).toEqual([]);
  });

  it('accepts a plan without frontmatter and reports its first heading', () => {
    expect(parsePlanDraft('Intro\n\n# Auth Rework\n\ntext\n')).toEqual({
      draft: { frontmatter: {}, body: 'Intro\n\n# Auth Rework\n\ntext\n', firstHeading: 'Auth Rework' },
      diagnostics: [],
    });
  });

  it('accepts partial frontmatter but still refuses unknown keys', () => {
    const draft = parsePlanDraft('---\nphases:\n  - {id: a, title: A}\n---\n# T\n').draft;
    expect(draft?.frontmatter).toEqual({ phases: [{ id: 'a', title: 'A', dependsOn: [] }] });
    expect(draft?.body).toBe('# T\n');
    expect(parsePlanDraft('---\nphase: []\n---\n').diagnostics).toMatchObject([
      { ruleId: 'frontmatter-schema', line: 2 },
    ]);
  });
});
