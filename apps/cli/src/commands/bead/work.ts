import { type AgentState, createRegistry, formatAgentState, hasOutcome } from '@sase/scheduler';
import { recordBeadOutcome, startBeadWork, type WorkPlan } from '@sase/workspace';
import { findWorkspace } from '@sase/workspace/config';
import { type CommandContext, createRedrawer } from '../../io.js';
import { detailOf, ensureSupervisor } from '../axe/workspace-supervisor.js';
import { printDiagnostics } from '../xprompt/print-diagnostics.js';

export interface BeadWorkOptions extends CommandContext {
  id: string;
  dryRun?: boolean;
  launcher?: string;
  wait?: boolean;
  homeDir?: string;
  signal?: AbortSignal;
}

/**
 * `sase bead work <epic-or-legend> [-n|--dry-run] [--json] [--launcher ID] [--wait]` (SPEC section 7): see
 * startBeadWork. Prints the wave table (or the plan as JSON), starts the supervisor, and with `--wait`
 * follows the run to the end (a live table on a terminal).
 */
export async function beadWork(options: BeadWorkOptions): Promise<number> {
  const workspace = await findWorkspace(options.cwd);
  const result = await startBeadWork({
    workspace,
    id: options.id,
    isDryRun: options.dryRun === true,
    ...(options.launcher === undefined ? {} : { launcher: options.launcher }),
    ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
  });
  const { plan } = result;
  if (options.dryRun) {
    if (options.json) options.io.stdout(`${JSON.stringify(planJson(plan), null, 2)}\n`);
    else options.io.stdout(`${formatWaveTable(plan)}\n${plan.multiPrompt}`);
    for (const warning of plan.warnings) options.io.stderr(`sase: warning: ${warning}\n`);
    return 0;
  }
  for (const warning of plan.warnings) options.io.stderr(`sase: warning: ${warning}\n`);
  printDiagnostics(options.io, result.diagnostics, options.cwd);
  if (!options.json) options.io.stdout(formatWaveTable(plan));
  const supervisor = await ensureSupervisor(workspace.root);
  const names = result.agents.map((agent) => agent.name);
  if (!options.wait) {
    if (options.json) options.io.stdout(`${JSON.stringify(planJson(plan), null, 2)}\n`);
    else {
      options.io.stderr(
        `sase: ${names.length} agent(s) submitted; supervisor pid ${supervisor.pid}; follow with ` +
          `\`sase agent list --watch\`, land with \`sase change land ${plan.kind === 'epic' ? plan.epic : plan.legend}\` ` +
          '(the land agent runs it)\n',
      );
    }
    return 0;
  }
  const { followAgents, isAllSucceeded, printSummary } = await import('../run/submit.js');
  const liveTable = options.io.isTty && !options.json ? createLiveTable(options, plan) : undefined;
  const states = await followAgents({
    io: options.io,
    json: options.json,
    root: workspace.root,
    names,
    pollMs: workspace.config.axe.pollMs,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(liveTable === undefined ? {} : { onProgress: liveTable }),
  });
  // The supervisor updates beads as agents settle; doing it here too (idempotent) means the beads are up to
  // date the moment this command returns.
  const registry = createRegistry(workspace.root);
  for (const state of states) {
    const beadId = result.beadOf.get(state.name);
    const done = beadId === undefined || !hasOutcome(state) ? undefined : registry.read(state.name)?.done;
    if (beadId !== undefined && done !== undefined) recordBeadOutcome(workspace, done, beadId);
  }
  if (options.json) {
    const agents = states.map(formatAgentState);
    options.io.stdout(`${JSON.stringify({ ...planJson(plan), agents }, null, 2)}\n`);
  } else {
    printSummary(options.io, states);
  }
  return isAllSucceeded(states) ? 0 : 1;
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
