// Reads a workspace for `sase ace`: the agent registry, the supervisor, the bead store, the plans and the
// ChangeSpecs, each part on its own (a file watcher says which changed), and one row in detail. Every read
// goes through the packages' own functions; a part that cannot be read becomes a problem shown on its tab.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { type Bead, type BeadStore, openBeadStore } from '@sase/beads';
import { type LaunchEvent, parseTranscript } from '@sase/launcher-core';
import {
  AGENT_FILES,
  type AgentRegistry,
  type AgentSnapshot,
  createRegistry,
  isValidAgentName,
  readSupervisorStatus,
} from '@sase/scheduler';
import { listChanges, listPlans, type PlanListing, readChange, showPlan } from '@sase/workspace';
import type { Workspace } from '@sase/workspace/config';
import type { DetailData } from './detail.js';
import {
  type AgentRow,
  agentRowsOf,
  type ChangeRow,
  changeRowOf,
  type EpicRow,
  emptyView,
  epicRowsOf,
  type TabName,
  type WorkspaceView,
} from './model.js';

export interface WorkspaceReader {
  readonly workspace: Workspace;
  readonly registry: AgentRegistry;
  /**
   * The agents and the supervisor. With `names`, only those agents' files are read again (the others as
   * last read); without, every agent's.
   */
  readAgents(
    names?: ReadonlySet<string>,
  ): Pick<WorkspaceView, 'agents' | 'supervisor'> & { problem?: string };
  readBeads(): { beads: Bead[]; epics: EpicRow[]; problem?: string };
  readPlans(): Promise<{ plans: PlanListing[]; problem?: string }>;
  readChanges(): Promise<{ changes: ChangeRow[]; problem?: string }>;
  /** Every part. */
  readAll(): Promise<WorkspaceView>;
  /** One row of a tab in detail; `view` is what the rows were read from. */
  readDetail(tab: TabName, key: string, view: WorkspaceView): Promise<DetailData>;
  close(): void;
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function messageOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) ? `${message} [${code}]` : message;
}

/** The last `maxBytes` of a file as text, starting at a line boundary. */
function readTail(file: string, maxBytes: number): string {
  let descriptor: number | undefined;
  try {
    const size = statSync(file).size;
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    descriptor = openSync(file, 'r');
    readSync(descriptor, buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } catch {
    return '';
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** The events of a transcript.jsonl's last 256 KB; lines that do not parse are skipped. */
export function readTranscriptTail(file: string, maxEvents = 400): LaunchEvent[] {
  const text = readTail(file, 256 * 1024);
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  const events: LaunchEvent[] = [];
  for (const line of complete.split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(...parseTranscript(`${line}\n`));
    } catch {
      // a line of another format: skipped
    }
  }
  return events.slice(-maxEvents);
}

export function createWorkspaceReader(
  workspace: Workspace,
  options: { isAll?: boolean } = {},
): WorkspaceReader {
  const registry = createRegistry(workspace.root);
  let store: BeadStore | undefined;
  /** The agents as last read, by name. */
  let snapshots: Map<string, AgentSnapshot> | undefined;

  const reader: WorkspaceReader = {
    workspace,
    registry,
    readAgents(names) {
      const supervisorStatus = readSupervisorStatus(workspace.root);
      const supervisor = { isRunning: supervisorStatus.isRunning, pid: supervisorStatus.pid };
      try {
        if (names === undefined || snapshots === undefined) {
          snapshots = new Map(registry.list().map((snapshot) => [snapshot.name, snapshot]));
        } else {
          for (const name of names) {
            if (!isValidAgentName(name)) continue;
            const snapshot = registry.read(name);
            if (snapshot?.request === undefined) snapshots.delete(name);
            else snapshots.set(name, snapshot);
          }
        }
        // The registry's order (submission time, then name), whichever agents were read again.
        const ordered = [...snapshots.values()].sort(
          (left, right) =>
            compareText(left.request?.submittedAt ?? '', right.request?.submittedAt ?? '') ||
            left.name.localeCompare(right.name, 'en', { numeric: true }),
        );
        return { agents: agentRowsOf(ordered, { isAll: options.isAll === true }), supervisor };
      } catch (error) {
        snapshots = undefined;
        return { agents: [], supervisor, problem: `cannot read the agents: ${messageOf(error)}` };
      }
    },
    readBeads() {
      try {
        store ??= openBeadStore({ dir: workspace.beadsDir });
        const beads = store.list();
        const ready = new Set(store.ready().map((bead) => bead.id));
        const blocked = new Set(store.blocked().map((entry) => entry.bead.id));
        return { beads, epics: epicRowsOf(beads, ready, blocked) };
      } catch (error) {
        const isMissing = (error as { code?: unknown })?.code === 'STORE_NOT_FOUND';
        return {
          beads: [],
          epics: [],
          problem: isMissing
            ? 'no bead store yet (`sase init` creates it)'
            : `cannot read the bead store: ${messageOf(error)}`,
        };
      }
    },
    async readPlans() {
      try {
        return { plans: await listPlans(workspace) };
      } catch (error) {
        return { plans: [], problem: `cannot read the plans: ${messageOf(error)}` };
      }
    },
    async readChanges() {
      try {
        return { changes: (await listChanges(workspace)).map(changeRowOf) };
      } catch (error) {
        return { changes: [], problem: `cannot read the ChangeSpecs: ${messageOf(error)}` };
      }
    },
    async readAll() {
      const view = emptyView(basename(workspace.root), workspace.root);
      const agents = reader.readAgents();
      const beads = reader.readBeads();
      const [plans, changes] = await Promise.all([reader.readPlans(), reader.readChanges()]);
      const problems: WorkspaceView['problems'] = {};
      if (agents.problem) problems.agents = agents.problem;
      if (beads.problem) problems.beads = beads.problem;
      if (plans.problem) problems.plans = plans.problem;
      if (changes.problem) problems.changes = changes.problem;
      return {
        ...view,
        agents: agents.agents,
        supervisor: agents.supervisor,
        beads: beads.beads,
        epics: beads.epics,
        plans: plans.plans,
        changes: changes.changes,
        problems,
      };
    },
    async readDetail(tab, key, view) {
      try {
        return await readDetailOf(tab, key, view);
      } catch (error) {
        return { kind: 'missing', title: key, message: messageOf(error) };
      }
    },
    close() {
      store?.dispose();
      store = undefined;
    },
  };

  const readDetailOf = async (tab: TabName, key: string, view: WorkspaceView): Promise<DetailData> => {
    switch (tab) {
      case 'agents': {
        const snapshot = registry.read(key);
        if (snapshot === undefined)
          return { kind: 'missing', title: `agent ${key}`, message: 'no such agent (any more)' };
        const request = snapshot.request;
        const row: AgentRow | undefined = view.agents.find((agent) => agent.name === key);
        return {
          kind: 'agent',
          name: key,
          row,
          request:
            request === undefined
              ? undefined
              : {
                  prompt: request.prompt,
                  launcher: request.launcher,
                  model: request.model,
                  waits: request.waits,
                  beadId: request.beadId,
                  cwd: request.cwd,
                  isPlan: request.plan,
                  isApproved: request.approve,
                  implementsPlan: request.implementsPlan,
                },
          done:
            snapshot.done === undefined
              ? undefined
              : {
                  outcome: snapshot.done.outcome,
                  exitCode: snapshot.done.exitCode,
                  error: snapshot.done.error,
                  finishedAt: snapshot.done.finishedAt,
                },
          earlierAttempts: snapshot.archivedAttempts,
          dir: relative(workspace.root, snapshot.dir),
          events: readTranscriptTail(join(snapshot.dir, AGENT_FILES.transcript)),
        };
      }
      case 'plans': {
        const plan = await showPlan(workspace, key, { cwd: workspace.root });
        return { kind: 'plan', plan, body: plan.body };
      }
      case 'beads': {
        const epic = view.epics.find((each) => each.id === key);
        if (epic === undefined)
          return { kind: 'missing', title: key, message: 'no such epic or legend (any more)' };
        const children = view.beads.filter(
          (bead) =>
            bead.parentId === key &&
            (epic.kind === 'legend' ? bead.issueType === 'plan' : bead.issueType === 'phase'),
        );
        return { kind: 'epic', epic, children };
      }
      default: {
        const { change, path } = await readChange(workspace, key);
        return {
          kind: 'change',
          name: change.name,
          path,
          status: change.status,
          description: change.description,
          bead: change.bead,
          branch: change.branch,
          commits: change.commits.map((commit) => ({ sha: commit.sha, subject: commit.subject })),
          hooks: change.hooks.map((hook) => ({
            name: hook.name,
            runs: hook.runs.map((run) => ({
              status: run.status,
              exitCode: run.exitCode,
              durationMs: run.durationMs,
              log: run.log,
            })),
          })),
          comments: change.comments,
        };
      }
    }
  };

  return reader;
}
