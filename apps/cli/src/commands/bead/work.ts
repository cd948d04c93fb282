import { join, relative } from 'node:path';

import {
  type AgentState,
  agentStates,
  createRegistry,
  type EpicWorkPlan,
  formatAgentState,
  type LegendWorkPlan,
  planEpicWork,
  planLegendWork,
} from '@sase/scheduler';
import { CliError } from '../../errors.js';
import { type CommandContext, createRedrawer } from '../../io.js';
import { detailOf } from '../axe/workspace-supervisor.js';
import { recordBeadOutcome } from './outcome.js';
import { withStore } from './shared.js';

export interface BeadWorkOptions extends CommandContext {
  id: string;
  dryRun?: boolean;
  launcher?: string;
  wait?: boolean;
  homeDir?: string;
  signal?: AbortSignal;
}

type WorkPlan = EpicWorkPlan | LegendWorkPlan;

interface Prepared {
  plan: WorkPlan;
  root: string;
  beadsDir: string;
  /** The bead each agent works on (phases and land agents; legend planners have none). */
  beadOf: Map<string, string>;
}

/**
 * `sase bead work <epic-or-legend> [-n|--dry-run] [--json] [--launcher ID] [--wait]` (SPEC section 7):
 * validate, refuse agent-name collisions with running agents, set is_ready_to_work, schedule the open
 * phases in Kahn waves, pre-claim them, and submit one multi-prompt to the AXE supervisor.
 */
export async function beadWork(options: BeadWorkOptions): Promise<number> {
  const prepared = await withStore(options, (store, workspace): Prepared => {
    const target = store.get(options.id);
    const plan: WorkPlan =
      target.tier === 'legend' && target.issueType === 'plan'
        ? planLegendWork(target)
        : planEpicWork({
            epic: target,
            children: store.list({ parentId: target.id }),
            lookup: (id) => store.find(id),
          });
    const registry = createRegistry(workspace.root);
    const names = agentNames(plan);
    // A `running` agent whose process is gone (its supervisor was killed) is not a collision: the next
    // supervisor records it `killed`, and force-reuse replaces it.
    const running = agentStates(registry).filter(
      (state) =>
        names.includes(state.name) && state.state === 'running' && (state.pid === null || isAlive(state.pid)),
    );
    if (running.length > 0) {
      const dirs = running.map((state) => relative(options.cwd, join(registry.agentsDir, state.name)) || '.');
      const message =
        `agents of this ${plan.kind} are still running: ${running.map((state) => state.name).join(', ')}; ` +
        `stop them (sase agent kill NAME) or wipe their artifact directories: ${dirs.join(' ')}`;
      if (!options.dryRun) throw new CliError('AGENT_NAME_COLLISION', message);
      plan.warnings.push(message);
    }
    const beadOf = new Map<string, string>();
    if (plan.kind === 'epic') for (const phase of plan.phases) beadOf.set(phase.agentName, phase.beadId);
    beadOf.set(plan.land.agentName, plan.kind === 'epic' ? plan.epic : plan.legend);
    if (!options.dryRun) {
      store.batch((s) => {
        s.update(target.id, { isReadyToWork: true });
        if (plan.kind === 'epic') {
          for (const phase of plan.phases)
            s.update(phase.beadId, { status: 'in_progress', assignee: phase.beadId });
        }
      });
    }
    return { plan, root: workspace.root, beadsDir: workspace.beadsDir, beadOf };
  });
  const { plan } = prepared;

  if (options.dryRun) {
    if (options.json) options.io.stdout(`${JSON.stringify(planJson(plan), null, 2)}\n`);
    else options.io.stdout(`${formatWaveTable(plan)}\n${plan.multiPrompt}`);
    for (const warning of plan.warnings) options.io.stderr(`sase: warning: ${warning}\n`);
    return 0;
  }
  for (const warning of plan.warnings) options.io.stderr(`sase: warning: ${warning}\n`);
  if (!options.json) options.io.stdout(formatWaveTable(plan));
  let settled: readonly AgentState[] | undefined;

  const liveTable = options.io.isTty && !options.json ? createLiveTable(options, plan) : undefined;
  const { submit } = await import('../run/submit.js');
  const code = await submit({
    cwd: options.cwd,
    // With --json the plan (and, with --wait, the agents' final states) is the one document on stdout.
    io: options.json ? { ...options.io, stdout: () => {} } : options.io,
    json: options.json,
    text: plan.multiPrompt,
    file: `<bead work ${options.id}>`,
    ...(options.launcher === undefined ? {} : { launcher: options.launcher }),
    ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    isWaiting: options.wait === true,
    decorate: (input) => {
      const beadId =
        input.directives?.name === undefined ? undefined : prepared.beadOf.get(input.directives.name);
      return beadId === undefined ? input : { ...input, beadId };
    },
    ...(liveTable ? { onProgress: liveTable } : {}),
    // The supervisor updates beads as agents settle; doing it here too (idempotent) means the beads are
    // up to date the moment this command returns.
    onSettled: (states) => {
      settled = states;
      const registry = createRegistry(prepared.root);
      for (const state of states) {
        const beadId = prepared.beadOf.get(state.name);
        if (
          beadId === undefined ||
          (state.state !== 'completed' && state.state !== 'failed' && state.state !== 'killed')
        )
          continue;
        const done = registry.read(state.name)?.done;
        if (done) recordBeadOutcome(prepared.beadsDir, beadId, done);
      }
    },
  });
  if (options.json) {
    const agents = settled?.map(formatAgentState);
    options.io.stdout(`${JSON.stringify({ ...planJson(plan), ...(agents ? { agents } : {}) }, null, 2)}\n`);
  }
  return code;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function agentNames(plan: WorkPlan): string[] {
  const agents =
    plan.kind === 'epic'
      ? plan.phases.map((phase) => phase.agentName)
      : plan.planners.map((p) => p.agentName);
  return [...agents, plan.land.agentName];
}

/** The `--json` shape of the plan (snake_case, as documented). */
export function planJson(plan: WorkPlan): Record<string, unknown> {
  if (plan.kind === 'legend') {
    return {
      legend: plan.legend,
      planners: plan.planners.map((p) => ({ agent_name: p.agentName, index: p.index, waits_on: p.waitsOn })),
      land: { agent_name: plan.land.agentName, waits_on: plan.land.waitsOn },
      warnings: plan.warnings,
    };
  }
  return {
    epic: plan.epic,
    waves: plan.waves,
    phases: plan.phases.map((phase) => ({
      bead_id: phase.beadId,
      agent_name: phase.agentName,
      wave: phase.wave,
      waits_on: phase.waitsOn,
      model: phase.model ?? null,
    })),
    land: { agent_name: plan.land.agentName, waits_on: plan.land.waitsOn },
    warnings: plan.warnings,
  };
}

interface Row {
  wave: string;
  agent: string;
  title: string;
  model: string;
  waitsOn: string;
}

function rowsOf(plan: WorkPlan): Row[] {
  if (plan.kind === 'legend') {
    return [
      ...plan.planners.map((p) => ({
        wave: String(p.index - 1),
        agent: p.agentName,
        title: `plan epic ${p.index}`,
        model: '',
        waitsOn: p.waitsOn.join(', '),
      })),
      {
        wave: 'land',
        agent: plan.land.agentName,
        title: 'land the legend',
        model: '',
        waitsOn: plan.land.waitsOn.join(', '),
      },
    ];
  }
  return [
    ...plan.phases.map((phase) => ({
      wave: String(phase.wave),
      agent: phase.agentName,
      title: phase.title,
      model: phase.model ?? '',
      waitsOn: phase.waitsOn.join(', '),
    })),
    { wave: 'land', agent: plan.land.agentName, title: 'land the epic', model: '', waitsOn: 'every phase' },
  ];
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => row[column]!.length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The wave table: wave, phase, title, model, waits on. */
export function formatWaveTable(plan: WorkPlan): string {
  const rows = rowsOf(plan).map((row) => [row.wave, row.agent, row.title, row.model, row.waitsOn]);
  return `${table(['WAVE', 'AGENT', 'TITLE', 'MODEL', 'WAITS ON'], rows)}\n`;
}

/** On a terminal: redraws the wave table with each agent's live state. */
function createLiveTable(options: BeadWorkOptions, plan: WorkPlan): (states: readonly AgentState[]) => void {
  const redraw = createRedrawer(options.io);
  return (states) => {
    const byName = new Map(states.map((state) => [state.name, state]));
    const rows = rowsOf(plan).map((row) => {
      const state = byName.get(row.agent);
      return [row.wave, row.agent, row.title, state?.state ?? 'submitted', state ? detailOf(state) : ''];
    });
    redraw(`${table(['WAVE', 'AGENT', 'TITLE', 'STATE', 'DETAIL'], rows)}\n`);
  };
}
