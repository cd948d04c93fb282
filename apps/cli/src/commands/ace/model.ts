// The view model of `sase ace`: the workspace read into rows (agents grouped by epic or run, epics and
// legends with their progress, plans, ChangeSpecs). Pure functions of what was read; reading is in
// workspace-reader.ts.
import type { Bead } from '@sase/beads';
import type { AgentSnapshot, AgentStateName } from '@sase/scheduler';
import { deriveAgentStates } from '@sase/scheduler';
import type { ChangeEntry, PlanListing } from '@sase/workspace';

export type TabName = 'agents' | 'beads' | 'plans' | 'changes';

/** The tabs, in the order of their number keys (1-4). */
export const TABS: readonly TabName[] = ['agents', 'beads', 'plans', 'changes'];

export const TAB_TITLES: Record<TabName, string> = {
  agents: 'Agents',
  beads: 'Beads',
  plans: 'Plans',
  changes: 'Changes',
};

/** One agent as ACE shows it: its derived state plus what its request says. */
export interface AgentRow {
  name: string;
  state: AgentStateName;
  attempt: number;
  /** Every `%wait` target. */
  waits: string[];
  /** The wait targets not satisfied yet. */
  waitsOn: string[];
  /** Why it waits (`b failed (exit 1)`, `a is running`), or null. */
  reason: string | null;
  isParked: boolean;
  launcher: string;
  model: string | null;
  group: string | null;
  beadId: string | null;
  isHidden: boolean;
  submittedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  error: string | null;
  pid: number | null;
}

/** Agents of one epic (or legend, or `%group`, or none: "other"), in submission order. */
export interface AgentGroup {
  key: string;
  label: string;
  agents: AgentRow[];
}

/** An epic or a legend with the progress of its phases (of its epics, for a legend). */
export interface EpicRow {
  id: string;
  kind: 'epic' | 'legend';
  title: string;
  status: Bead['status'];
  /** Phases closed (epics closed, for a legend). */
  done: number;
  /** Phases (epics: the larger of `epic_count` and the epics planned so far, for a legend). */
  total: number;
  inProgress: number;
  /** Open phases whose blockers are all closed. */
  ready: number;
  /** Open phases waiting on a blocker. */
  blocked: number;
}

/** A ChangeSpec with its latest run of each hook. */
export interface ChangeRow {
  name: string;
  path: string;
  status: string;
  bead: string | null;
  description: string;
  commits: number;
  hooks: { name: string; status: 'PASSED' | 'FAILED' | null }[];
}

/** Everything ACE shows, read at one moment. */
export interface WorkspaceView {
  /** The workspace directory's name. */
  name: string;
  root: string;
  agents: AgentRow[];
  beads: Bead[];
  epics: EpicRow[];
  plans: PlanListing[];
  changes: ChangeRow[];
  supervisor: { isRunning: boolean; pid: number | null };
  /** What could not be read, per tab (shown instead of its rows' absence). */
  problems: Partial<Record<TabName, string>>;
}

export function emptyView(name: string, root: string): WorkspaceView {
  return {
    name,
    root,
    agents: [],
    beads: [],
    epics: [],
    plans: [],
    changes: [],
    supervisor: { isRunning: false, pid: null },
    problems: {},
  };
}

/** The agents of a registry read (AgentRegistry.list()), with their derived states. */
export function agentRowsOf(
  snapshots: readonly AgentSnapshot[],
  options: { isAll?: boolean; now?: Date } = {},
): AgentRow[] {
  const beadOf = new Map(snapshots.map((snapshot) => [snapshot.name, snapshot.request?.beadId ?? null]));
  return deriveAgentStates(snapshots, options.now)
    .filter((state) => options.isAll || !state.isHidden)
    .map((state) => ({
      name: state.name,
      state: state.state,
      attempt: state.attempt,
      waits: state.waits,
      waitsOn: state.waitsOn,
      reason: state.reason,
      isParked: state.isParked,
      launcher: state.launcher,
      model: state.model,
      group: state.group,
      beadId: beadOf.get(state.name) ?? null,
      isHidden: state.isHidden,
      submittedAt: state.submittedAt,
      startedAt: state.startedAt,
      finishedAt: state.finishedAt,
      exitCode: state.exitCode,
      error: state.error,
      pid: state.pid,
    }));
}

function tierLabel(bead: Bead): string {
  if (bead.issueType === 'phase') return 'phase';
  return bead.tier === 'legend' ? 'legend' : bead.tier === 'epic' ? 'epic' : 'tale';
}

/**
 * Groups agents by the run they belong to: the epic of their bead (a phase's parent, or the epic or legend
 * bead itself: its land agent, its planners), else their `%group`, else "other" (last). Groups come in the
 * order of their first agent's submission.
 */
export function groupAgents(agents: readonly AgentRow[], beads: readonly Bead[]): AgentGroup[] {
  const byId = new Map(beads.map((bead) => [bead.id, bead]));
  const groups = new Map<string, AgentGroup>();
  const other: AgentGroup = { key: 'other', label: 'other', agents: [] };
  for (const agent of agents) {
    let key: string | undefined;
    let label = '';
    if (agent.beadId !== null) {
      const bead = byId.get(agent.beadId);
      const ownerId = bead?.issueType === 'phase' && bead.parentId ? bead.parentId : agent.beadId;
      const owner = byId.get(ownerId);
      key = `bead:${ownerId}`;
      label =
        owner === undefined
          ? `${ownerId === agent.beadId ? 'bead' : 'epic'} ${ownerId}`
          : `${tierLabel(owner)} ${owner.id} · ${owner.title}`;
    } else if (agent.group !== null) {
      key = `group:${agent.group}`;
      label = `group ${agent.group}`;
    }
    if (key === undefined) {
      other.agents.push(agent);
      continue;
    }
    let group = groups.get(key);
    if (group === undefined) {
      group = { key, label, agents: [] };
      groups.set(key, group);
    }
    group.agents.push(agent);
  }
  const result = [...groups.values()];
  if (other.agents.length > 0) result.push(other);
  // Within a group, what waits comes after what it waits on (agents of one multi-prompt share a submission
  // time, so the registry's order is by name: a land agent `p-1` would come before its phases `p-1.1`).
  const depths = waitDepths(agents);
  for (const group of result) {
    group.agents = group.agents
      .map((agent, index) => ({ agent, index }))
      .sort(
        (left, right) =>
          depths.get(left.agent.name)! - depths.get(right.agent.name)! || left.index - right.index,
      )
      .map(({ agent }) => agent);
  }
  return result;
}

/** How many `%wait` steps each agent is from one that waits on nothing (cycles count as 0). */
function waitDepths(agents: readonly AgentRow[]): Map<string, number> {
  const byName = new Map(agents.map((agent) => [agent.name, agent]));
  const depths = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (agent: AgentRow): number => {
    const known = depths.get(agent.name);
    if (known !== undefined) return known;
    if (visiting.has(agent.name)) return 0;
    visiting.add(agent.name);
    let depth = 0;
    for (const target of agent.waits) {
      const other = byName.get(target);
      if (other !== undefined) depth = Math.max(depth, depthOf(other) + 1);
    }
    visiting.delete(agent.name);
    depths.set(agent.name, depth);
    return depth;
  };
  for (const agent of agents) depthOf(agent);
  return depths;
}

/**
 * Epics and legends with the progress of their phases. `readyIds` and `blockedIds` are the bead store's
 * ready() and blocked() sets. Open ones first (in id order), then closed ones.
 */
export function epicRowsOf(
  beads: readonly Bead[],
  readyIds: ReadonlySet<string>,
  blockedIds: ReadonlySet<string>,
): EpicRow[] {
  const children = new Map<string, Bead[]>();
  for (const bead of beads) {
    if (bead.parentId === undefined) continue;
    const list = children.get(bead.parentId) ?? [];
    list.push(bead);
    children.set(bead.parentId, list);
  }
  const phasesOf = (epic: Bead) => (children.get(epic.id) ?? []).filter((bead) => bead.issueType === 'phase');
  const rows: EpicRow[] = [];
  for (const bead of beads) {
    if (bead.issueType !== 'plan' || (bead.tier !== 'epic' && bead.tier !== 'legend')) continue;
    if (bead.tier === 'epic') {
      const phases = phasesOf(bead);
      rows.push({
        id: bead.id,
        kind: 'epic',
        title: bead.title,
        status: bead.status,
        done: phases.filter((phase) => phase.status === 'closed').length,
        total: phases.length,
        inProgress: phases.filter((phase) => phase.status === 'in_progress').length,
        ready: phases.filter((phase) => readyIds.has(phase.id)).length,
        blocked: phases.filter((phase) => blockedIds.has(phase.id)).length,
      });
    } else {
      const epics = (children.get(bead.id) ?? []).filter((child) => child.issueType === 'plan');
      const phases = epics.flatMap(phasesOf);
      rows.push({
        id: bead.id,
        kind: 'legend',
        title: bead.title,
        status: bead.status,
        done: epics.filter((epic) => epic.status === 'closed').length,
        total: Math.max(bead.epicCount ?? 0, epics.length),
        inProgress: phases.filter((phase) => phase.status === 'in_progress').length,
        ready: phases.filter((phase) => readyIds.has(phase.id)).length,
        blocked: phases.filter((phase) => blockedIds.has(phase.id)).length,
      });
    }
  }
  const isClosed = (row: EpicRow) => (row.status === 'closed' ? 1 : 0);
  return rows.sort((left, right) => isClosed(left) - isClosed(right));
}

/** A ChangeSpec as a row: its status, commits, and the latest run of each hook. */
export function changeRowOf(entry: ChangeEntry): ChangeRow {
  const { change } = entry;
  return {
    name: change.name,
    path: entry.path,
    status: change.status,
    bead: change.bead,
    description: change.description,
    commits: change.commits.length,
    hooks: change.hooks.map((hook) => ({ name: hook.name, status: hook.runs.at(-1)?.status ?? null })),
  };
}

/** How long an agent has run (running), ran (finished), or nothing (waiting), in ms. */
export function elapsedMsOf(agent: AgentRow, now: number): number | null {
  if (agent.startedAt === null) return null;
  const start = Date.parse(agent.startedAt);
  const end = agent.finishedAt === null ? now : Date.parse(agent.finishedAt);
  return Number.isNaN(start) || Number.isNaN(end) ? null : Math.max(0, end - start);
}

/** `850ms`, `12s`, `4m05s`, `2h03m`, `3d04h`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}

/** The row keys of a tab: agent names, bead ids, plan paths, change names. */
export function rowKey(tab: TabName, row: AgentRow | EpicRow | PlanListing | ChangeRow): string {
  switch (tab) {
    case 'agents':
      return (row as AgentRow).name;
    case 'beads':
      return (row as EpicRow).id;
    case 'plans':
      return (row as PlanListing).path;
    default:
      return (row as ChangeRow).name;
  }
}

/** Case-insensitive: does any of these texts contain the filter? An empty filter matches everything. */
export function matchesFilter(filter: string, texts: readonly (string | null | undefined)[]): boolean {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return true;
  return texts.some((text) => text?.toLowerCase().includes(needle));
}

/** The plan that an agent in the `plan` state awaits a decision on, if it is listed. */
export function awaitingPlanOf(view: WorkspaceView, agentName: string): PlanListing | undefined {
  return view.plans.find((plan) => plan.agent === agentName && plan.state === 'awaiting');
}
