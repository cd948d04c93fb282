import { describe, expect, it } from 'vitest';
import { planEpicWork, planLegendWork, type WorkBead } from './bead-work.js';

let clock = 0;
function bead(id: string, fields: Partial<WorkBead> = {}): WorkBead {
  clock++;
  return {
    id,
    title: `title of ${id}`,
    status: 'open',
    issueType: id.includes('.') ? 'phase' : 'plan',
    createdAt: new Date(Date.UTC(2026, 10, 1, 0, 0, clock)).toISOString(),
    dependencies: [],
    ...fields,
  };
}

const blocks = (...ids: string[]) => ids.map((id) => ({ id, type: 'blocks' as const }));

describe('planEpicWork', () => {
  const epic = bead('p-1', { tier: 'epic' });
  const diamond = [
    bead('p-1.1', { model: 'opus' }),
    bead('p-1.2', { dependencies: blocks('p-1.1') }),
    bead('p-1.3', { dependencies: blocks('p-1.1') }),
    bead('p-1.4', { dependencies: blocks('p-1.2', 'p-1.3') }),
  ];

  it('schedules a diamond in waves and writes the multi-prompt', () => {
    const plan = planEpicWork({ epic, children: diamond, lookup: () => undefined });
    expect(plan.waves).toEqual([['p-1.1'], ['p-1.2', 'p-1.3'], ['p-1.4']]);
    expect(plan.phases.map((phase) => [phase.agentName, phase.wave, phase.waitsOn])).toEqual([
      ['p-1.1', 0, []],
      ['p-1.2', 1, ['p-1.1']],
      ['p-1.3', 1, ['p-1.1']],
      ['p-1.4', 2, ['p-1.2', 'p-1.3']],
    ]);
    expect(plan.land).toEqual({ agentName: 'p-1', waitsOn: ['p-1.1', 'p-1.2', 'p-1.3', 'p-1.4'] });
    expect(plan.multiPrompt).toMatchInlineSnapshot(`
      "%name:!p-1.1 %approve %model:opus
      #bead/work_phase(p-1.1)
      ---
      %name:!p-1.2 %approve %wait:p-1.1
      #bead/work_phase(p-1.2)
      ---
      %name:!p-1.3 %approve %wait:p-1.1
      #bead/work_phase(p-1.3)
      ---
      %name:!p-1.4 %approve %wait:p-1.2,p-1.3
      #bead/work_phase(p-1.4)
      ---
      %name:!p-1 %approve %wait:p-1.1,p-1.2,p-1.3,p-1.4
      #bead/land_epic(p-1)
      "
    `);
  });

  it('skips closed phases, and their edges no longer block', () => {
    const children = diamond.map((phase) =>
      phase.id === 'p-1.1' ? { ...phase, status: 'closed' as const } : phase,
    );
    const plan = planEpicWork({ epic, children, lookup: () => undefined });
    expect(plan.waves).toEqual([['p-1.2', 'p-1.3'], ['p-1.4']]);
    expect(plan.land.waitsOn).toEqual(['p-1.2', 'p-1.3', 'p-1.4']);
  });

  it('refuses a non-epic, an open blocker outside the epic, and a cycle; warns on a missing blocker', () => {
    expect(() => planEpicWork({ epic: bead('p-2'), children: [], lookup: () => undefined })).toThrow(
      expect.objectContaining({ code: 'NOT_AN_EPIC' }),
    );
    const outside = bead('p-9');
    const children = [bead('p-1.1', { dependencies: blocks('p-9') })];
    expect(() =>
      planEpicWork({ epic, children, lookup: (id) => (id === 'p-9' ? outside : undefined) }),
    ).toThrow(expect.objectContaining({ code: 'OPEN_BLOCKER_OUTSIDE_EPIC' }));
    const closedOutside = { ...outside, status: 'closed' as const };
    expect(planEpicWork({ epic, children, lookup: () => closedOutside }).warnings).toEqual([]);
    expect(planEpicWork({ epic, children, lookup: () => undefined }).warnings).toEqual([
      'p-1.1 depends on p-9, which does not exist; ignoring that dependency',
    ]);
    const cycle = [
      bead('p-1.1', { dependencies: blocks('p-1.2') }),
      bead('p-1.2', { dependencies: blocks('p-1.1') }),
    ];
    expect(() => planEpicWork({ epic, children: cycle, lookup: () => undefined })).toThrow(
      expect.objectContaining({ code: 'DEPENDENCY_CYCLE' }),
    );
  });
});

describe('planLegendWork', () => {
  it('chains the epic planners and lands after them', () => {
    const plan = planLegendWork(bead('p-5', { tier: 'legend', epicCount: 3 }));
    expect(plan.planners.map((planner) => [planner.agentName, planner.waitsOn])).toEqual([
      ['p-5.plan-1', []],
      ['p-5.plan-2', ['p-5.plan-1']],
      ['p-5.plan-3', ['p-5.plan-2']],
    ]);
    expect(plan.multiPrompt).toMatchInlineSnapshot(`
      "%name:!p-5.plan-1 %plan
      #bead/plan_epic(p-5, 1)
      ---
      %name:!p-5.plan-2 %plan %wait:p-5.plan-1
      #bead/plan_epic(p-5, 2)
      ---
      %name:!p-5.plan-3 %plan %wait:p-5.plan-2
      #bead/plan_epic(p-5, 3)
      ---
      %name:!p-5 %approve %wait:p-5.plan-1,p-5.plan-2,p-5.plan-3
      #bead/land_legend(p-5)
      "
    `);
    expect(() => planLegendWork(bead('p-6', { tier: 'epic' }))).toThrow(
      expect.objectContaining({ code: 'NOT_A_LEGEND' }),
    );
  });
});
