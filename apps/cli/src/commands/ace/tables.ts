// The four tabs of `sase ace` as tables: columns (with the widths they may shrink to) and rows (an agent, an
// epic, a plan, a change; and group headings on the Agents tab), filtered by the `/` text. Pure.
import type { PlanListing } from '@sase/workspace';
import {
  type AgentRow,
  type ChangeRow,
  type EpicRow,
  elapsedMsOf,
  formatDuration,
  groupAgents,
  matchesFilter,
  type TabName,
  type WorkspaceView,
} from './model.js';

export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray';

export interface Cell {
  text: string;
  color?: Color;
}

export interface Column {
  header: string;
  /** The narrowest it may get (cells are cut with an ellipsis); the header is cut too below its width. */
  min: number;
  /** The widest it gets, however long its cells. */
  max: number;
  /** Shrinks first when the table is too wide (names, titles, free text). */
  isFlexible?: boolean;
  align?: 'left' | 'right';
}

export type TableRow =
  | { kind: 'group'; label: string; note: string }
  | { kind: 'item'; key: string; cells: Cell[] };

export interface Table {
  columns: Column[];
  rows: TableRow[];
  /** Rows before the filter (items only). */
  total: number;
  /** What the body says when there is no row. */
  empty: string;
}

/** The colour of each agent state. */
export const STATE_COLORS: Record<string, Color> = {
  waiting: 'gray',
  running: 'cyan',
  plan: 'magenta',
  completed: 'green',
  noop: 'green',
  plan_committed: 'green',
  epic_approved: 'green',
  plan_approved: 'blue',
  plan_rejected: 'yellow',
  failed: 'red',
  killed: 'red',
};

const SUCCEEDED = new Set(['completed', 'noop', 'plan_committed', 'epic_approved']);

function waitsOnText(agent: AgentRow, byName: ReadonlyMap<string, AgentRow>): string {
  return agent.waitsOn
    .map((target) => {
      const other = byName.get(target);
      if (other === undefined) return agent.isParked ? `${target} (missing)` : target;
      return other.state === 'waiting' || other.state === 'running' ? target : `${target} (${other.state})`;
    })
    .join(', ');
}

function agentsTable(view: WorkspaceView, filter: string, now: number): Table {
  const byName = new Map(view.agents.map((agent) => [agent.name, agent]));
  const rows: TableRow[] = [];
  for (const group of groupAgents(view.agents, view.beads)) {
    const agents = group.agents.filter((agent) =>
      matchesFilter(filter, [
        agent.name,
        agent.state,
        group.label,
        agent.launcher,
        agent.model,
        agent.beadId,
        ...agent.waitsOn,
      ]),
    );
    if (agents.length === 0) continue;
    const succeeded = group.agents.filter((agent) => SUCCEEDED.has(agent.state)).length;
    rows.push({ kind: 'group', label: group.label, note: `${succeeded}/${group.agents.length} done` });
    for (const agent of agents) {
      rows.push({
        kind: 'item',
        key: agent.name,
        cells: [
          { text: agent.name },
          {
            text: agent.state,
            color: agent.state === 'waiting' && agent.isParked ? 'yellow' : STATE_COLORS[agent.state],
          },
          { text: String(agent.attempt) },
          { text: waitsOnText(agent, byName) },
          { text: formatDuration(elapsedMsOf(agent, now)) },
          { text: agent.launcher },
          { text: agent.model ?? '' },
        ],
      });
    }
  }
  return {
    columns: [
      { header: 'NAME', min: 8, max: 28, isFlexible: true },
      { header: 'STATE', min: 7, max: 14 },
      { header: 'TRY', min: 3, max: 3, align: 'right' },
      { header: 'WAITS ON', min: 8, max: 36, isFlexible: true },
      { header: 'ELAPSED', min: 7, max: 7, align: 'right' },
      { header: 'LAUNCHER', min: 6, max: 10, isFlexible: true },
      { header: 'MODEL', min: 5, max: 40, isFlexible: true },
    ],
    rows,
    total: view.agents.length,
    empty: 'no agents yet: `sase run` or `sase bead work` submits them',
  };
}

/** `#####-----  3/6`: a bar of `width` cells and the count. */
export function progressBar(done: number, total: number, width = 10): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `${'#'.repeat(filled)}${'-'.repeat(width - filled)} ${done}/${total}`;
}

function beadsTable(view: WorkspaceView, filter: string): Table {
  const epics = view.epics.filter((epic: EpicRow) =>
    matchesFilter(filter, [epic.id, epic.kind, epic.title, epic.status]),
  );
  return {
    columns: [
      { header: 'ID', min: 5, max: 16 },
      { header: 'KIND', min: 4, max: 6 },
      { header: 'STATUS', min: 6, max: 11 },
      { header: 'PROGRESS', min: 14, max: 16 },
      { header: 'READY', min: 5, max: 5, align: 'right' },
      { header: 'BLOCKED', min: 7, max: 7, align: 'right' },
      { header: 'TITLE', min: 8, max: 60, isFlexible: true },
    ],
    rows: epics.map((epic) => ({
      kind: 'item' as const,
      key: epic.id,
      cells: [
        { text: epic.id },
        { text: epic.kind },
        {
          text: epic.status,
          color: epic.status === 'closed' ? 'green' : epic.status === 'in_progress' ? 'cyan' : 'gray',
        },
        { text: progressBar(epic.done, epic.total), color: epic.done === epic.total ? 'green' : 'cyan' },
        { text: String(epic.ready) },
        { text: String(epic.blocked), ...(epic.blocked > 0 ? { color: 'yellow' as const } : {}) },
        { text: epic.title },
      ],
    })),
    total: view.epics.length,
    empty: view.problems.beads ?? 'no epics or legends: `sase plan approve` an epic plan to make one',
  };
}

const PLAN_STATE_COLORS: Record<PlanListing['state'], Color> = {
  awaiting: 'magenta',
  rejected: 'yellow',
  approved: 'green',
};

function plansTable(view: WorkspaceView, filter: string): Table {
  const plans = view.plans.filter((plan) =>
    matchesFilter(filter, [plan.name, plan.state, plan.tier, plan.title, plan.agent, plan.bead, plan.path]),
  );
  return {
    columns: [
      { header: 'STATE', min: 6, max: 8 },
      { header: 'TIER', min: 4, max: 6 },
      { header: 'NAME', min: 8, max: 30, isFlexible: true },
      { header: 'RND', min: 3, max: 3, align: 'right' },
      { header: 'AGENT', min: 5, max: 20, isFlexible: true },
      { header: 'BEAD', min: 4, max: 12 },
      { header: 'TITLE', min: 8, max: 60, isFlexible: true },
    ],
    rows: plans.map((plan) => ({
      kind: 'item' as const,
      key: plan.path,
      cells: [
        { text: plan.state, color: PLAN_STATE_COLORS[plan.state] },
        { text: plan.tier },
        { text: plan.name },
        { text: String(plan.round) },
        { text: plan.agent ?? '' },
        { text: plan.bead ?? '' },
        { text: plan.title },
      ],
    })),
    total: view.plans.length,
    empty: view.problems.plans ?? 'no plans: `sase plan submit` writes one',
  };
}

function hooksText(change: ChangeRow): string {
  return change.hooks
    .map((hook) => `${hook.name} ${hook.status === 'PASSED' ? '✓' : hook.status === 'FAILED' ? '✗' : '-'}`)
    .join(' ');
}

const CHANGE_STATUS_COLORS: Record<string, Color> = {
  wip: 'gray',
  draft: 'yellow',
  ready: 'cyan',
  mailed: 'blue',
  submitted: 'green',
  reverted: 'red',
  archived: 'gray',
};

function changesTable(view: WorkspaceView, filter: string): Table {
  const changes = view.changes.filter((change) =>
    matchesFilter(filter, [change.name, change.status, change.bead, change.description]),
  );
  return {
    columns: [
      { header: 'NAME', min: 8, max: 28, isFlexible: true },
      { header: 'STATUS', min: 6, max: 9 },
      { header: 'BEAD', min: 4, max: 12 },
      { header: 'COMMITS', min: 7, max: 7, align: 'right' },
      { header: 'HOOKS', min: 5, max: 30, isFlexible: true },
      { header: 'DESCRIPTION', min: 8, max: 60, isFlexible: true },
    ],
    rows: changes.map((change) => {
      const hasFailed = change.hooks.some((hook) => hook.status === 'FAILED');
      const text = hooksText(change);
      return {
        kind: 'item' as const,
        key: change.name,
        cells: [
          { text: change.name },
          {
            text: change.status,
            ...(CHANGE_STATUS_COLORS[change.status] ? { color: CHANGE_STATUS_COLORS[change.status]! } : {}),
          },
          { text: change.bead ?? '' },
          { text: String(change.commits) },
          { text, ...(text === '' ? {} : { color: hasFailed ? ('red' as const) : ('green' as const) }) },
          { text: change.description },
        ],
      };
    }),
    total: view.changes.length,
    empty: view.problems.changes ?? 'no ChangeSpecs yet: an agent in a worktree records one when it ends',
  };
}

/** The table of a tab, filtered. `now` (ms) is for the agents' elapsed times. */
export function tableOf(view: WorkspaceView, tab: TabName, options: { filter?: string; now: number }): Table {
  const filter = options.filter ?? '';
  switch (tab) {
    case 'agents':
      return agentsTable(view, filter, options.now);
    case 'beads':
      return beadsTable(view, filter);
    case 'plans':
      return plansTable(view, filter);
    default:
      return changesTable(view, filter);
  }
}

/** The keys of a table's items, in order: what the cursor moves over. */
export function itemKeys(table: Table): string[] {
  return table.rows.flatMap((row) => (row.kind === 'item' ? [row.key] : []));
}
