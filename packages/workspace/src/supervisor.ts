import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type AgentOutcome,
  type AgentRequest,
  type AgentSnapshot,
  agentStates,
  createRegistry,
  type DoneRecord,
  isRetryableOutcome,
  isSettled,
  isWaitSatisfying,
  runAgentHost,
  type StartSupervisorProcessResult,
  type SupervisorOptions,
  serveSupervisor,
  startSupervisorProcess,
} from '@sase/scheduler';
import { createWorkspaceLifecycle } from './agent-change.js';
import { recordBeadOutcome } from './bead-outcome.js';
import { readWorkRun } from './bead-work.js';
import {
  CONFIG_FILE,
  loadConfig,
  parseConfigText,
  type SaseConfig,
  type Workspace,
  workspaceAt,
} from './config.js';
import { launcherResolverOf } from './launchers.js';
import { decideReview, isMentorRequest, readReviewRound, startMentors } from './mentors.js';
import { notify } from './notify.js';
import { applyPlanDecision, readPlanSubmission } from './plans.js';
import { commitSdd } from './sdd.js';

/** Sends `run_settled` for each `sase bead work` run of `agentName` whose agents are now all settled. */
function noteSettledRuns(workspace: Workspace, agentName: string): void {
  const directory = join(workspace.root, '.sase', 'runs');
  let files: string[];
  try {
    files = readdirSync(directory).filter((file) => file.endsWith('.json'));
  } catch {
    return;
  }
  const states = new Map(agentStates(createRegistry(workspace.root)).map((state) => [state.name, state]));
  for (const file of files) {
    const run = readWorkRun(workspace, file.slice(0, -'.json'.length));
    if (run === undefined || !run.agents.includes(agentName)) continue;
    const agents = run.agents.map((name) => states.get(name));
    if (agents.some((state) => state === undefined || !isSettled(state))) continue;
    void notify(workspace, `run_settled:${run.id}:${run.startedAt}`, {
      event: 'run_settled',
      bead: run.id,
      // `completed` when every agent succeeded, else `unfinished` (something failed, or awaits a decision).
      outcome: agents.every((state) => isWaitSatisfying(state!.state as AgentOutcome))
        ? 'completed'
        : 'unfinished',
      agents: agents.map((state) => ({ name: state!.name, state: state!.state })),
    });
  }
}

/** A settled agent, as the supervisor's onSettled hook sees it. */
export { recordBeadOutcome };

export type SettledAgent = AgentSnapshot & { request: AgentRequest; done: DoneRecord };

/**
 * What the workspace's supervisor does when an attempt settles: keeps the agent's bead in step with its
 * outcome, and commits that (and the agent's ChangeSpec) in the standalone SDD repository. A failed commit
 * is reported and picked up by the next one; it never fails the hook.
 */
export async function settleAgent(
  workspace: Workspace,
  agent: SettledAgent,
  report: (text: string) => void = () => {},
): Promise<void> {
  const { done, request } = agent;
  const key = `${agent.name}#${done.attempt}`;
  const about = {
    agent: agent.name,
    attempt: done.attempt,
    ...(request.beadId === null ? {} : { bead: request.beadId }),
    outcome: done.outcome,
  };
  if (done.outcome === 'plan_submitted') {
    // `%approve` on a `%plan` agent approves its own plan (no human stop); a decision a person took while
    // the agent still ran is applied now.
    const decided = await applyPlanDecision(
      workspace,
      agent.name,
      done.attempt,
      request.directives.approve === true,
    ).catch((error: unknown) => {
      report(`${agent.name}: its plan could not be decided: ${(error as Error).message}`);
      return undefined;
    });
    if (decided === undefined) {
      const submission = readPlanSubmission(workspace, agent.name, done.attempt);
      void notify(workspace, `plan_awaiting_approval:${key}`, {
        event: 'plan_awaiting_approval',
        ...about,
        ...(submission === undefined ? {} : { plan: submission.plan }),
      });
    }
  } else if (done.outcome === 'failed' || done.outcome === 'killed') {
    const event = done.outcome === 'failed' ? 'agent_failed' : 'agent_killed';
    void notify(workspace, `${event}:${key}`, { event, ...about, error: done.error });
  } else if (
    request.worktree !== null &&
    !isMentorRequest(request) &&
    isWaitSatisfying(done.outcome) &&
    done.outcome !== 'noop'
  ) {
    void notify(workspace, `change_ready:${key}`, { event: 'change_ready', ...about, change: agent.name });
  }
  if (done.outcome === 'in_review') {
    const round = readReviewRound(workspace, agent.name);
    if (round !== undefined && round.attempt === done.attempt)
      await startMentors(workspace, agent.name, round);
  }
  if (isMentorRequest(request)) await decideReview(workspace, request.env.SASE_REVIEWED_CHANGE!);
  noteSettledRuns(workspace, agent.name);
  const beadId = request.beadId;
  const isBeadChanged = beadId !== null && recordBeadOutcome(workspace, done, beadId);
  if (!isBeadChanged && request.worktree === null) return;
  const verb = isWaitSatisfying(done.outcome)
    ? 'closed'
    : isRetryableOutcome(done.outcome)
      ? 'reopened'
      : 'noted';
  const what = `agent ${done.name}, attempt ${done.attempt}: ${done.outcome}`;
  const message = isBeadChanged ? `beads: ${beadId} ${verb} (${what})` : `changes: ${done.name} (${what})`;
  try {
    await commitSdd(workspace, message);
  } catch (error) {
    report(`could not commit the SDD repository: ${(error as Error).message}\n`);
  }
}

export interface ServeWorkspaceOptions {
  workspace: Workspace;
  /**
   * The command of an agent host process (the CLI: `node <sase> axe host`), to which the supervisor appends
   * the workspace root (and agent name and attempt). Without it, agents run inside the supervisor's process.
   */
  agentHostCommand?: string[];
  /** Where the supervisor's log lines go (default stdout). */
  write?: (text: string) => void;
}

/**
 * Runs the workspace's AXE supervisor in the foreground until SIGTERM/SIGINT (what `sase axe start` runs
 * detached): launchers as sase.yml configures them, agents with a `worktree` request in their own git
 * worktrees (commits, checks and ChangeSpecs by createWorkspaceLifecycle), and each agent's bead kept in
 * step with its outcome. Resolves to the exit code.
 */
export async function serveWorkspaceSupervisor(options: ServeWorkspaceOptions): Promise<number> {
  const { root } = options.workspace;
  const configFile = join(root, CONFIG_FILE);
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const optionsOf = (workspace: Workspace): SupervisorOptions => ({
    workspaceRoot: workspace.root,
    resolveLauncher: launcherResolverOf(workspace),
    pollMs: workspace.config.axe.pollMs,
    ...(workspace.config.axe.idleExitS > 0 ? { idleExitMs: workspace.config.axe.idleExitS * 1000 } : {}),
    maxStandbyShells: workspace.config.axe.standbyShells,
    // Hosts run with the configuration the supervisor runs with (not whatever sase.yml holds when they start:
    // an edit the supervisor refused must not keep agents from starting).
    ...(options.agentHostCommand === undefined
      ? {}
      : {
          agentHost: {
            command: options.agentHostCommand,
            env: { [HOST_CONFIG_VARIABLE]: JSON.stringify(workspace.config) },
          },
        }),
    lifecycle: createWorkspaceLifecycle(workspace),
    onSettled: (agent) => settleAgent(workspace, agent, write),
    watchFiles: [configFile],
  });
  // The configuration is read again here, from the very text the file watch compares with: an edit made
  // between the command reading sase.yml and the supervisor watching it is seen (and reloaded) at once.
  let workspace = options.workspace;
  let baseline: string | undefined;
  try {
    baseline = readFileSync(configFile, 'utf8');
  } catch {
    // no sase.yml: every key takes its default
  }
  if (baseline !== undefined) {
    try {
      workspace = workspaceAt(root, await parseConfigText(baseline, configFile));
    } catch {
      baseline = '\u0000 (unreadable at start)'; // any content differs: logged as not loadable at once
    }
  }
  return serveSupervisor({
    ...optionsOf(workspace),
    watchBaseline: new Map([[configFile, baseline]]),
    write,
    // A changed sase.yml restarts the supervisor with it (agents in agent hosts run on); an invalid one is
    // logged and the running configuration kept.
    reload: async () => optionsOf(workspaceAt(root, await loadConfig(root))),
  });
}

/**
 * The environment variable through which the supervisor hands its agent hosts the configuration it runs with
 * (JSON of SaseConfig); `sase axe host` uses it instead of reading sase.yml (hostWorkspace).
 */
export const HOST_CONFIG_VARIABLE = 'SASE_HOST_CONFIG';

/** The workspace an agent host runs in: with the supervisor's configuration when it was handed one. */
export async function hostWorkspace(root: string, env: NodeJS.ProcessEnv = process.env): Promise<Workspace> {
  const handed = env[HOST_CONFIG_VARIABLE];
  if (handed) {
    try {
      return workspaceAt(resolve(root), JSON.parse(handed) as SaseConfig);
    } catch {
      // not JSON: read sase.yml below
    }
  }
  return workspaceAt(resolve(root), await loadConfig(resolve(root)));
}

export interface RunWorkspaceAgentHostOptions {
  workspace: Workspace;
  /** Without a name, a warm spare that reads its assignment from stdin. */
  name?: string;
  attempt?: number;
  supervisorPid?: number | null;
  log?: (line: string) => void;
}

/** The body of an agent host of the workspace (`sase axe host`): one attempt, with the workspace's lifecycle. */
export async function runWorkspaceAgentHost(options: RunWorkspaceAgentHostOptions): Promise<void> {
  const { workspace } = options;
  await runAgentHost({
    workspaceRoot: workspace.root,
    ...(options.name === undefined ? {} : { name: options.name, attempt: options.attempt ?? 1 }),
    resolveLauncher: launcherResolverOf(workspace),
    supervisorPid: options.supervisorPid ?? null,
    pollMs: workspace.config.axe.pollMs,
    lifecycle: createWorkspaceLifecycle(workspace),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
}

/** Starts the workspace's supervisor with `command` unless one runs (idempotent). */
export function ensureWorkspaceSupervisor(
  workspace: Workspace,
  command: string[],
): Promise<StartSupervisorProcessResult> {
  return startSupervisorProcess({ workspaceRoot: workspace.root, command });
}
