import { mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compareIds, openBeadStore } from '@sase/beads';
import {
  agentStates,
  createRegistry,
  type EpicWorkPlan,
  type LegendWorkPlan,
  planEpicWork,
  planLegendWork,
  type SubmittedAgent,
} from '@sase/scheduler';
import type { Diagnostic } from '@sase/xprompt';
import type { Workspace } from './config.js';
import { writeFileAtomic } from './internal/files.js';
import { currentBranch } from './internal/git.js';
import { chooseLauncher } from './launchers.js';
import { baseCommitOf, submitPrompt } from './submit.js';
import { WorkspaceError } from './workspace-error.js';
import { branchOf } from './worktrees.js';

export type WorkPlan = EpicWorkPlan | LegendWorkPlan;

/** `.sase/runs/<id>.json`: what `sase bead work` started, for `sase change land` and for people. */
export interface WorkRun {
  /** The epic (or legend) id. */
  id: string;
  kind: 'epic' | 'legend';
  /** HEAD of the checkout when the run started: where phase branches start. */
  base: string;
  /** The branch checked out when the run started: where `sase change land` merges (null: detached HEAD). */
  branch: string | null;
  startedAt: string;
  /** The agents of the run, the land agent last. */
  agents: string[];
}

export interface StartBeadWorkOptions {
  workspace: Workspace;
  /** The epic or legend bead (the prefix may be omitted). */
  id: string;
  /** Plan and check only: change nothing, launch nothing. */
  isDryRun?: boolean;
  /** `--launcher`; default sase.yml `launcher.default`. */
  launcher?: string;
  homeDir?: string;
}

export interface StartBeadWorkResult {
  plan: WorkPlan;
  /** Warnings (also in `plan.warnings`). */
  warnings: string[];
  /** The submitted agents (empty for a dry run). */
  agents: SubmittedAgent[];
  /** The bead each agent works on (phases and land agents; legend planners have none). */
  beadOf: Map<string, string>;
  /** The run record (undefined for a dry run). */
  run?: WorkRun;
  diagnostics: readonly Diagnostic[];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function agentNamesOf(plan: WorkPlan): string[] {
  const agents =
    plan.kind === 'epic'
      ? plan.phases.map((phase) => phase.agentName)
      : plan.planners.map((p) => p.agentName);
  return [...agents, plan.land.agentName];
}

/** `.sase/runs/<id>.json` */
export function workRunFileOf(workspace: Workspace, id: string): string {
  return join(workspace.root, '.sase', 'runs', `${id}.json`);
}

/** The last run of `sase bead work <id>`, or undefined. */
export function readWorkRun(workspace: Workspace, id: string): WorkRun | undefined {
  try {
    const value = JSON.parse(readFileSync(workRunFileOf(workspace, id), 'utf8')) as Record<string, unknown>;
    return {
      id: String(value.id),
      kind: value.kind === 'legend' ? 'legend' : 'epic',
      base: String(value.base),
      branch: typeof value.branch === 'string' ? value.branch : null,
      startedAt: String(value.started_at),
      agents: Array.isArray(value.agents) ? value.agents.map(String) : [],
    };
  } catch {
    return undefined;
  }
}

function writeWorkRun(workspace: Workspace, run: WorkRun): void {
  const file = workRunFileOf(workspace, run.id);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileAtomic(
    file,
    `${JSON.stringify(
      {
        id: run.id,
        kind: run.kind,
        base: run.base,
        branch: run.branch,
        started_at: run.startedAt,
        agents: run.agents,
      },
      null,
      2,
    )}\n`,
  );
}

/**
 * `sase bead work` (SPEC section 7, and worktrees): for an epic, validates it, refuses if an agent of one of
 * its names is still running, sets `is_ready_to_work`, builds the Kahn waves of its open phases, pre-claims
 * them and submits one multi-prompt: each phase agent in its own worktree starting from HEAD with its
 * blocker phases' branches merged in (id order), then the land agent in the checkout. The run (base commit,
 * branch) is recorded in `.sase/runs/<epic>.json`. For a legend: epic-planning agents, then a land agent.
 */
export async function startBeadWork(options: StartBeadWorkOptions): Promise<StartBeadWorkResult> {
  const { workspace } = options;
  const warnings: string[] = [];
  let launcher: string | undefined;
  try {
    launcher = await chooseLauncher(workspace, options.launcher);
  } catch (error) {
    if (!(options.isDryRun && (error as { code?: string }).code === 'NO_LAUNCHER')) throw error;
    warnings.push(`${(error as Error).message}; nothing could run`);
  }
  const store = openBeadStore({ dir: workspace.beadsDir });
  let plan: WorkPlan;
  const blockersOf = new Map<string, string[]>();
  try {
    const target = store.get(options.id);
    if (target.status === 'closed') {
      throw new WorkspaceError(
        'EPIC_CLOSED',
        `${target.id} is closed${target.closeReason ? ` (${target.closeReason})` : ''}: there is nothing to work; ` +
          `to work it again, reopen it first (sase bead reopen ${target.id})`,
        { beadId: target.id },
      );
    }
    if (target.tier === 'legend' && target.issueType === 'plan') {
      plan = planLegendWork(target);
    } else {
      const children = store.list({ parentId: target.id });
      plan = planEpicWork({ epic: target, children, lookup: (id) => store.find(id) });
      const phaseIds = new Set(
        children.filter((child) => child.issueType === 'phase').map((child) => child.id),
      );
      for (const phase of plan.phases) {
        const bead = children.find((child) => child.id === phase.beadId)!;
        const blockers = bead.dependencies
          .filter((dependency) => dependency.type === 'blocks' && phaseIds.has(dependency.id))
          .map((dependency) => dependency.id)
          .sort(compareIds);
        blockersOf.set(phase.agentName, blockers);
      }
    }
    plan.warnings.unshift(...warnings);
    const registry = createRegistry(workspace.root);
    const names = agentNamesOf(plan);
    // A `running` agent whose process is gone (its supervisor was killed) is not a collision: the next
    // supervisor records it `killed`, and force-reuse replaces it.
    const running = agentStates(registry).filter(
      (state) =>
        names.includes(state.name) && state.state === 'running' && (state.pid === null || isAlive(state.pid)),
    );
    if (running.length > 0) {
      const dirs = running.map((state) => relative(workspace.root, join(registry.agentsDir, state.name)));
      const message =
        `agents of this ${plan.kind} are still running: ${running.map((state) => state.name).join(', ')}; ` +
        `stop them (sase agent kill NAME) or wipe their artifact directories: ${dirs.join(' ')}`;
      if (!options.isDryRun) throw new WorkspaceError('AGENT_NAME_COLLISION', message);
      plan.warnings.push(message);
    }
    const beadOf = new Map<string, string>();
    if (plan.kind === 'epic') for (const phase of plan.phases) beadOf.set(phase.agentName, phase.beadId);
    // A legend's epic planners work for the legend: an epic they plan is linked to it when approved.
    if (plan.kind === 'legend')
      for (const planner of plan.planners) beadOf.set(planner.agentName, plan.legend);
    beadOf.set(plan.land.agentName, plan.kind === 'epic' ? plan.epic : plan.legend);
    if (options.isDryRun) return { plan, warnings: plan.warnings, agents: [], beadOf, diagnostics: [] };

    const base = await baseCommitOf(workspace, '`sase bead work`');
    const branch = (await currentBranch(workspace.root)) ?? null;
    store.batch((s) => {
      s.update(target.id, { isReadyToWork: true });
      if (plan.kind === 'epic') {
        for (const phase of plan.phases)
          s.update(phase.beadId, { status: 'in_progress', assignee: phase.beadId });
      }
    });
    const run: WorkRun = {
      id: target.id,
      kind: plan.kind,
      base,
      branch,
      startedAt: new Date().toISOString(),
      agents: names,
    };
    writeWorkRun(workspace, run);
    const phaseAgents = new Set(plan.kind === 'epic' ? plan.phases.map((phase) => phase.agentName) : []);
    const submitted = await submitPrompt({
      workspace,
      text: plan.multiPrompt,
      file: `<bead work ${target.id}>`,
      ...(launcher === undefined ? {} : { launcher }),
      ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
      isWorktree: false,
      // Legend planners (`%plan`, no `%approve`: a person approves their epics) still run their tools.
      isToolUseApproved: plan.kind === 'legend',
      decorate: (input) => {
        const name = input.directives?.name;
        const beadId = name === undefined ? undefined : beadOf.get(name);
        const decorated = beadId === undefined ? input : { ...input, beadId };
        if (name === undefined || !phaseAgents.has(name)) return decorated;
        return { ...decorated, worktree: { base, merge: (blockersOf.get(name) ?? []).map(branchOf) } };
      },
    });
    return {
      plan,
      warnings: plan.warnings,
      agents: submitted.agents,
      beadOf,
      run,
      diagnostics: submitted.diagnostics,
    };
  } finally {
    store.dispose();
  }
}
