import { computeWaves } from './kahn-waves.js';
import { SchedulerError } from './scheduler-error.js';

/**
 * The fields of a bead that work planning reads. `Bead` from @sase/beads fits it as is; the scheduler does
 * not depend on the bead store, so any issue tracker can feed it.
 */
export interface WorkBead {
  id: string;
  title: string;
  status: 'open' | 'in_progress' | 'closed';
  issueType: 'plan' | 'phase';
  tier?: 'plan' | 'epic' | 'legend';
  parentId?: string;
  model?: string;
  epicCount?: number;
  createdAt: string;
  dependencies: readonly { id: string; type: 'blocks' | 'related' }[];
}

export interface PlannedPhase {
  beadId: string;
  title: string;
  agentName: string;
  wave: number;
  /** Agent names this phase waits on (its blocker phases that are scheduled too). */
  waitsOn: string[];
  model?: string;
}

export interface EpicWorkPlan {
  kind: 'epic';
  epic: string;
  waves: string[][];
  phases: PlannedPhase[];
  land: { agentName: string; waitsOn: string[] };
  warnings: string[];
  /** The `---`-separated multi-prompt that carries the plan out: one segment per phase, then the land agent. */
  multiPrompt: string;
}

export interface LegendWorkPlan {
  kind: 'legend';
  legend: string;
  planners: { agentName: string; index: number; waitsOn: string[] }[];
  land: { agentName: string; waitsOn: string[] };
  warnings: string[];
  multiPrompt: string;
}

export interface PlanEpicWorkInput {
  epic: WorkBead;
  /** The epic's children (closed ones included; they are skipped). */
  children: readonly WorkBead[];
  /** Finds a bead outside the epic that a phase depends on. */
  lookup: (id: string) => WorkBead | undefined;
}

/**
 * Plans `sase bead work` for an epic (SPEC section 7, steps 1 and 4, and the multi-prompt of step 6): the
 * Kahn waves of its phases that are not closed, who waits on whom, and the multi-prompt. Pure: it reads the
 * beads it is given and changes nothing.
 *
 * Throws SchedulerError NOT_AN_EPIC, DEPENDENCY_CYCLE, or OPEN_BLOCKER_OUTSIDE_EPIC (a phase waits on a bead
 * outside the epic that is not closed: the run could never finish). A blocker that does not exist is a
 * warning and is ignored.
 */
export function planEpicWork(input: PlanEpicWorkInput): EpicWorkPlan {
  const { epic } = input;
  if (epic.issueType !== 'plan' || epic.tier !== 'epic') {
    const what = epic.issueType === 'phase' ? 'a phase bead' : `a plan bead of tier ${epic.tier ?? 'plan'}`;
    throw new SchedulerError(
      'NOT_AN_EPIC',
      `${epic.id} is ${what}; \`sase bead work\` takes an epic or a legend`,
    );
  }
  const warnings: string[] = [];
  const children = new Map(input.children.map((child) => [child.id, child]));
  const phases = input.children.filter((child) => child.issueType === 'phase' && child.status !== 'closed');
  const scheduled = new Set(phases.map((phase) => phase.id));
  const edges: { from: string; to: string }[] = [];
  for (const phase of phases) {
    for (const dependency of phase.dependencies) {
      if (dependency.type !== 'blocks') continue;
      if (scheduled.has(dependency.id)) {
        edges.push({ from: phase.id, to: dependency.id });
        continue;
      }
      const blocker = children.get(dependency.id) ?? input.lookup(dependency.id);
      if (!blocker) {
        warnings.push(
          `${phase.id} depends on ${dependency.id}, which does not exist; ignoring that dependency`,
        );
      } else if (blocker.status !== 'closed') {
        throw new SchedulerError(
          'OPEN_BLOCKER_OUTSIDE_EPIC',
          `${phase.id} is blocked by ${blocker.id} (${blocker.status}), which is outside epic ${epic.id}; close it or remove the dependency (sase bead dep rm ${phase.id} ${blocker.id})`,
        );
      }
    }
  }
  const { waves } = computeWaves(
    phases.map((phase) => ({ id: phase.id, createdAt: phase.createdAt })),
    edges,
  );
  const waveOf = new Map<string, number>();
  waves.forEach((wave, index) => {
    for (const id of wave) waveOf.set(id, index);
  });
  const byId = new Map(phases.map((phase) => [phase.id, phase]));
  const planned: PlannedPhase[] = waves.flat().map((id) => {
    const phase = byId.get(id)!;
    return {
      beadId: id,
      title: phase.title,
      agentName: id,
      wave: waveOf.get(id)!,
      waitsOn: edges.filter((edge) => edge.from === id).map((edge) => edge.to),
      ...(phase.model ? { model: phase.model } : {}),
    };
  });
  const land = { agentName: epic.id, waitsOn: planned.map((phase) => phase.agentName) };
  const segments = planned.map((phase) =>
    segment(
      [
        `%name:!${phase.agentName}`,
        '%approve',
        phase.model && `%model:${phase.model}`,
        waitDirective(phase.waitsOn),
      ],
      `#bead/work_phase(${phase.beadId})`,
    ),
  );
  segments.push(
    segment(
      [`%name:!${land.agentName}`, '%approve', waitDirective(land.waitsOn)],
      `#bead/land_epic(${epic.id})`,
    ),
  );
  return {
    kind: 'epic',
    epic: epic.id,
    waves,
    phases: planned,
    land,
    warnings,
    multiPrompt: segments.join('---\n'),
  };
}

/**
 * Plans `sase bead work` for a legend: `epic_count` epic-planning agents (`%plan`: each submits its epic for
 * approval) chained one after another with `%wait`, then a `land_legend` agent that waits on all of them.
 */
export function planLegendWork(legend: WorkBead): LegendWorkPlan {
  if (legend.issueType !== 'plan' || legend.tier !== 'legend') {
    throw new SchedulerError('NOT_A_LEGEND', `${legend.id} is not a legend plan bead`);
  }
  const count = legend.epicCount ?? 0;
  const warnings = count === 0 ? [`${legend.id} has no epic_count; only the land agent runs`] : [];
  const planners = Array.from({ length: count }, (_, offset) => ({
    agentName: `${legend.id}.plan-${offset + 1}`,
    index: offset + 1,
    waitsOn: offset === 0 ? [] : [`${legend.id}.plan-${offset}`],
  }));
  const land = { agentName: legend.id, waitsOn: planners.map((planner) => planner.agentName) };
  const segments = planners.map((planner) =>
    segment(
      [
        `%name:!${planner.agentName}`,
        '%plan',
        legend.model && `%model:${legend.model}`,
        waitDirective(planner.waitsOn),
      ],
      `#bead/plan_epic(${legend.id}, ${planner.index})`,
    ),
  );
  segments.push(
    segment(
      [`%name:!${land.agentName}`, '%approve', waitDirective(land.waitsOn)],
      `#bead/land_legend(${legend.id})`,
    ),
  );
  return { kind: 'legend', legend: legend.id, planners, land, warnings, multiPrompt: segments.join('---\n') };
}

function waitDirective(names: readonly string[]): string | undefined {
  return names.length > 0 ? `%wait:${names.join(',')}` : undefined;
}

function segment(directives: (string | undefined)[], body: string): string {
  return `${directives.filter(Boolean).join(' ')}\n${body}\n`;
}

/** The built-in xprompts `sase bead work` relies on. A workspace's `.xprompts/bead/*.md` overrides them. */
export const BEAD_WORK_XPROMPTS: readonly { name: string; text: string; source: string }[] = [
  {
    name: 'bead/work_phase',
    source: '@sase/scheduler',
    text: `---
description: The prompt of a phase agent started by \`sase bead work\`
input:
  - {name: bead, type: word}
---
You are a SASE phase agent. Your work unit is bead {{ bead }}, one phase of an epic.

1. Read your assignment: \`sase bead show {{ bead }}\` gives its title and description, and its parent epic.
   \`sase bead show <epic id>\` gives the epic's \`design\`: the path of the plan you carry out. Read the
   phase of that plan that matches this bead, and nothing more than it asks.
2. Do the work here: this is a git worktree of your own, on the branch \`sase/{{ bead }}\`, with the work of
   the phases yours depends on already merged in. Other phases run at the same time in worktrees of their
   own. Commit as you like; whatever you leave uncommitted, SASE commits for you when you finish.
3. When the work is done, close your bead: \`sase bead close {{ bead }} -r "<one line on what you did>"\`.
   If you cannot finish, leave the bead open, say why in your final answer and exit with a failure: the
   phases that depend on yours will wait instead of building on unfinished work. SASE runs the project's
   checks on your change; if one fails, you are started again with its log.
`,
  },
  {
    name: 'bead/land_epic',
    source: '@sase/scheduler',
    text: `---
description: The prompt of the land agent started by \`sase bead work\`
input:
  - {name: epic, type: word}
---
You are the SASE land agent of epic {{ epic }}. Every phase agent of the epic has completed, each on its
own branch, and every phase's checks passed.

1. Land the epic: run \`sase change land {{ epic }}\`. It merges the phase branches in dependency order into
   the branch the run started from, marks their ChangeSpecs submitted and closes the epic.
2. If it stops at a conflict, it names the branch and the files, and leaves this checkout as it was. Resolve
   the conflict on that branch in a worktree of your own (\`git worktree add <dir> <branch>\`, merge the
   target branch into it, fix, commit), then run \`sase change land {{ epic }}\` again.
3. If the epic cannot land, leave it open, say why in your final answer and exit with a failure.
`,
  },
  {
    name: 'bead/plan_epic',
    source: '@sase/scheduler',
    text: `---
description: The prompt of an epic-planning agent started by \`sase bead work\` on a legend
input:
  - {name: legend, type: word}
  - {name: index, type: int}
---
You are epic-planning agent {{ index }} of legend {{ legend }}.

1. \`sase bead show {{ legend }}\` gives the legend and the epics planned for it so far; read the
   coordination plan at its \`design\`.
2. Write epic number {{ index }} of that plan: a Markdown plan whose frontmatter lists its \`phases\` (id,
   title, depends_on, description, model).
3. Submit it for approval: \`sase plan submit <file> --tier epic --agent $SASE_AGENT_NAME\`, then stop. When
   it is approved, the epic becomes beads linked to the legend; if it is rejected, you are started again
   with the feedback.
`,
  },
  {
    name: 'bead/land_legend',
    source: '@sase/scheduler',
    text: `---
description: The prompt of the land agent of a legend
input:
  - {name: legend, type: word}
---
You are the land agent of legend {{ legend }}. Every epic the legend calls for is planned and approved.

1. \`sase bead show {{ legend }}\` lists its epics with their progress; \`sase sdd validate\` should be clean.
2. Summarise the epics and the order to work them in your final answer. The legend closes by itself when
   its last epic lands (\`sase change land\`).
`,
  },
];
