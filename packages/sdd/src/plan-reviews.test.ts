import { describe, expect, it } from 'vitest';
import { parsePlan, stringifyPlan } from './plan.js';
import { addPlanReview, parsePlanReviews, planApprovalState } from './plan-reviews.js';

const PLAN = `---
tier: tale
title: Retry the upload
status: wip
create_time: 2026-11-28T07:00:00.000Z
round: 1
agent: fix-upload-1
---
# Retry the upload

Wrap the upload in three tries.
`;

describe('plan reviews', () => {
  it('adds a review round that reads back, with feedback quoted so it cannot read as a heading', () => {
    const plan = parsePlan(PLAN).plan!;
    expect(plan.frontmatter.agent).toBe('fix-upload-1');
    expect(planApprovalState(plan)).toBe('awaiting');
    const reviewed = addPlanReview(plan, {
      round: 1,
      by: 'alice',
      at: '2026-11-28T08:00:00.000Z',
      verdict: 'rejected',
      feedback: 'Back off exponentially.\n# not a heading\n\nAnd log each try.',
    });
    const text = stringifyPlan(reviewed);
    expect(text).toContain(
      '### Review (round 1)\n\n- by: alice\n- at: 2026-11-28T08:00:00.000Z\n- verdict: rejected\n\n' +
        '> Back off exponentially.\n> # not a heading\n>\n> And log each try.\n',
    );
    const again = parsePlan(text).plan!;
    expect(planApprovalState(again)).toBe('rejected');
    const { reviews, rest } = parsePlanReviews(again.body);
    expect(reviews).toEqual([
      {
        round: 1,
        by: 'alice',
        at: '2026-11-28T08:00:00.000Z',
        verdict: 'rejected',
        feedback: 'Back off exponentially.\n# not a heading\n\nAnd log each try.',
      },
    ]);
    expect(rest.trim()).toBe('# Retry the upload\n\nWrap the upload in three tries.');
    // A new round is awaiting again; an approved plan is approved.
    expect(planApprovalState({ ...again, frontmatter: { ...again.frontmatter, round: 2 } })).toBe('awaiting');
    expect(
      planApprovalState({
        ...again,
        frontmatter: { ...again.frontmatter, approvedAt: '2026-11-28T09:00:00Z' },
      }),
    ).toBe('approved');
  });
});
