// The live side of `sase ace`, without any terminal code: the current view of the workspace, kept up to date
// by file watching, the detail pane's data, and the actions (approve, reject, retry, kill) through the same
// library calls as `sase plan approve|reject` and `sase agent retry|kill`. The ink app subscribes to it.
import { agentStates, killAgent, retryAgent, waitForAgent } from '@sase/scheduler';
import { approvePlanFor, rejectPlanFor } from '@sase/workspace';
import type { Workspace } from '@sase/workspace/config';
import { ensureSupervisor } from '../axe/workspace-supervisor.js';
import type { DetailData } from './detail.js';
import type { TabName, WorkspaceView } from './model.js';
import {
  type ChangeKind,
  isEmpty,
  noChanges,
  type WorkspaceChanges,
  type WorkspaceWatcher,
  watchWorkspace,
} from './watch.js';
import { createWorkspaceReader } from './workspace-reader.js';

export interface AceSessionOptions {
  workspace: Workspace;
  /** `~/.sase/.ace_refresh_pulse`. */
  pulseFile: string;
  isAll?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The safety-net poll (ms). Default 3000. */
  pollMs?: number;
  /** Starts the supervisor when an action released an agent. Default: `sase axe start`'s. */
  startSupervisor?: (root: string) => Promise<{ pid: number; isNew: boolean }>;
}

export interface AceSession {
  view(): WorkspaceView;
  /** The detail pane's data, once read. */
  detail(): DetailData | undefined;
  /** What the detail pane shows (null: none); it is read now and again whenever its files change. */
  setDetailTarget(target: { tab: TabName; key: string } | null): void;
  /** Called after every change of view() or detail(). Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Reads everything again now. */
  refresh(): Promise<void>;
  /**
   * approvePlanFor / rejectPlanFor; when the plan's agent is still running (it has just submitted), first
   * waits for its run to end, calling `onWait` with its name.
   */
  approve(plan: string, onWait?: (agent: string) => void): Promise<string>;
  reject(plan: string, feedback: string, onWait?: (agent: string) => void): Promise<string>;
  retry(agent: string): Promise<string>;
  kill(agent: string): Promise<string>;
  close(): void;
}

const ALL: readonly ChangeKind[] = ['beads', 'agents', 'sdd'];

/** How long a decision waits for the run of the agent that submitted the plan to end. */
const PLANNER_WAIT_MS = 60_000;

/** `tales/202611/retry-the-upload.md` → `retry-the-upload`. */
function planNameOf(path: string): string {
  return path.split('/').at(-1)!.replace(/\.md$/, '');
}

export async function openAceSession(options: AceSessionOptions): Promise<AceSession> {
  const { workspace } = options;
  const env = options.env ?? process.env;
  const startSupervisor = options.startSupervisor ?? ensureSupervisor;
  const reader = createWorkspaceReader(workspace, { isAll: options.isAll === true });
  let view = await reader.readAll();
  let fingerprint = JSON.stringify(view);
  let detailTarget: { tab: TabName; key: string } | null = null;
  let detail: DetailData | undefined;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };

  let detailRead = 0;
  const readDetail = async () => {
    const target = detailTarget;
    const serial = ++detailRead;
    if (target === null) return;
    const data = await reader.readDetail(target.tab, target.key, view);
    if (serial !== detailRead || detailTarget !== target) return; // a newer read or another target
    detail = data;
    notify();
  };

  let pending = noChanges();
  let isRefreshing = false;
  let isClosed = false;
  const refresh = async (changes: WorkspaceChanges): Promise<void> => {
    for (const kind of changes.kinds) pending.kinds.add(kind);
    for (const name of changes.agents) pending.agents.add(name);
    for (const name of changes.transcripts) pending.transcripts.add(name);
    if (isRefreshing || isClosed) return;
    isRefreshing = true;
    try {
      while (!isEmpty(pending)) {
        const { kinds, agents: changedAgents, transcripts } = pending;
        pending = noChanges();
        const next: WorkspaceView = { ...view, problems: { ...view.problems } };
        // Beads first: the agents are grouped by their beads' epics.
        if (kinds.has('beads')) {
          const beads = reader.readBeads();
          next.beads = beads.beads;
          next.epics = beads.epics;
          next.problems.beads = beads.problem;
        }
        if (kinds.has('agents') || changedAgents.size > 0) {
          // Only the agents whose directories changed are read again (a fleet of hundreds takes tens of
          // milliseconds to read whole); the whole registry on anything else.
          const agents = reader.readAgents(kinds.has('agents') ? undefined : changedAgents);
          next.agents = agents.agents;
          next.supervisor = agents.supervisor;
          next.problems.agents = agents.problem;
        }
        if (kinds.has('sdd')) {
          const [plans, changes] = await Promise.all([reader.readPlans(), reader.readChanges()]);
          next.plans = plans.plans;
          next.changes = changes.changes;
          next.problems.plans = plans.problem;
          next.problems.changes = changes.problem;
        }
        for (const key of Object.keys(next.problems) as TabName[]) {
          if (next.problems[key] === undefined) delete next.problems[key];
        }
        if (isClosed) return;
        const nextFingerprint = JSON.stringify(next);
        const isChanged = nextFingerprint !== fingerprint;
        if (isChanged) {
          view = next;
          fingerprint = nextFingerprint;
        }
        const target = detailTarget;
        const isDetailStale =
          target !== null &&
          (target.tab === 'agents'
            ? transcripts.has(target.key) || changedAgents.has(target.key) || kinds.has('agents')
            : target.tab === 'beads'
              ? kinds.has('beads')
              : kinds.has('sdd'));
        if (isDetailStale) await readDetail();
        else if (isChanged) notify();
      }
    } finally {
      isRefreshing = false;
    }
  };

  const watcher: WorkspaceWatcher = watchWorkspace({
    root: workspace.root,
    sddRoot: workspace.sddRoot,
    beadsDir: workspace.beadsDir,
    pulseFile: options.pulseFile,
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    onChange: (changes) => {
      // Each part's read reports its own problems; anything else is retried by the next change or poll.
      refresh(changes).catch(() => undefined);
    },
  });

  const refreshAll = () => refresh({ ...noChanges(), kinds: new Set(ALL) });

  /** Starts the supervisor for an agent an action released, and says so. */
  const released = async (agent: string | undefined): Promise<string> => {
    if (agent === undefined) return '';
    const supervisor = await startSupervisor(workspace.root);
    return supervisor.isNew ? `; supervisor started (pid ${supervisor.pid})` : '';
  };

  /**
   * A `%plan` agent's run ends a moment after it submits its plan (outcome `plan_submitted`); a decision made
   * in between is recorded in the plan but does not release the agent (approvePlanFor looks for the
   * outcome), which then stays in `plan` with its plan decided. So a decision waits for that run to end.
   */
  const settlePlanner = async (plan: string, onWait: (agent: string) => void): Promise<void> => {
    const agent = view.plans.find((each) => each.path === plan)?.agent;
    if (!agent) return;
    const state = agentStates(reader.registry).find((each) => each.name === agent);
    if (state?.state !== 'running') return;
    onWait(agent);
    await waitForAgent(reader.registry, agent, { timeoutMs: PLANNER_WAIT_MS, pollMs: 500 });
  };

  return {
    view: () => view,
    detail: () => detail,
    setDetailTarget(target) {
      const isSame =
        target !== null &&
        detailTarget !== null &&
        target.tab === detailTarget.tab &&
        target.key === detailTarget.key;
      if (isSame) return;
      detailTarget = target;
      detail = undefined;
      void readDetail();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh: refreshAll,
    async approve(plan, onWait = () => {}) {
      await settlePlanner(plan, onWait);
      const result = await approvePlanFor({ workspace, plan, cwd: workspace.root, env });
      const name = planNameOf(result.plan);
      let message = result.isAlreadyApproved
        ? `${name} is already approved as ${result.bead}`
        : `approved ${name} as ${result.bead}${result.phases.length > 0 ? ` (phases ${result.phases.join(', ')})` : ''}`;
      if (result.outcome === 'plan_approved') {
        message += `; ${result.agent} implements it (attempt ${result.nextAttempt})`;
      } else if (result.outcome === 'epic_approved') {
        message += `; ${result.agent}: epic_approved`;
        if (result.workStarted?.length) message += `; bead work started (${result.workStarted.join(', ')})`;
      }
      const isReleased = result.outcome === 'plan_approved' || (result.workStarted?.length ?? 0) > 0;
      message += await released(isReleased ? (result.agent ?? 'work') : undefined);
      await refreshAll();
      return message;
    },
    async reject(plan, feedback, onWait = () => {}) {
      await settlePlanner(plan, onWait);
      const result = await rejectPlanFor({ workspace, plan, feedback, cwd: workspace.root, env });
      let message = `rejected ${planNameOf(result.plan)}`;
      if (result.agent !== undefined) {
        message += `; ${result.agent} plans again with the feedback (attempt ${result.nextAttempt})`;
      }
      message += await released(result.agent);
      await refreshAll();
      return message;
    },
    async retry(agent) {
      const result = retryAgent(reader.registry, agent);
      let message = `${result.name}: attempt ${result.attempt} submitted (attempt ${result.attempt - 1} ${result.previousState})`;
      message += await released(result.name);
      await refreshAll();
      return message;
    },
    async kill(agent) {
      const result = await killAgent(reader.registry, agent, { reason: 'killed with sase ace' });
      await refreshAll();
      return result.previousState === 'waiting' || result.previousState === 'running'
        ? `${result.name}: ${result.previousState} -> ${result.state}`
        : `${result.name} had already finished (${result.state}); nothing to kill`;
    },
    close() {
      isClosed = true;
      watcher.close();
      reader.close();
      listeners.clear();
    },
  };
}
