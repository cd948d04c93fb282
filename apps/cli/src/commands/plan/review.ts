import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { listPlans, type PlanListing, rejectPlanFor, showPlan } from '@sase/workspace';
import { findWorkspace } from '@sase/workspace/config';
import { CliError } from '../../errors.js';
import { type CommandContext, printJson } from '../../io.js';
import { ensureSupervisor } from '../axe/workspace-supervisor.js';
import { readStream } from '../sdd/open-sdd.js';

function planJson(plan: PlanListing): Record<string, unknown> {
  return {
    path: plan.path,
    name: plan.name,
    tier: plan.tier,
    title: plan.title,
    status: plan.status,
    state: plan.state,
    round: plan.round,
    agent: plan.agent,
    bead: plan.bead,
    approved_by: plan.approvedBy,
    create_time: plan.createTime,
  };
}

/** `sase plan reject PLAN --feedback TEXT | --feedback-file F [--by NAME]` */
export async function planReject(
  options: CommandContext & { plan: string; feedback?: string; feedbackFile?: string; by?: string },
): Promise<number> {
  if ((options.feedback === undefined) === (options.feedbackFile === undefined)) {
    throw new CliError('USAGE', 'give the feedback one way: --feedback TEXT or --feedback-file FILE', 2);
  }
  const feedback =
    options.feedback ??
    (options.feedbackFile === '-'
      ? await readStream(process.stdin)
      : readFileSync(resolve(options.cwd, options.feedbackFile as string), 'utf8'));
  const workspace = await findWorkspace(options.cwd);
  const result = await rejectPlanFor({
    workspace,
    plan: options.plan,
    feedback,
    cwd: options.cwd,
    ...(options.by === undefined ? {} : { by: options.by }),
  });
  // The agent planning again needs a supervisor: the one that ran it may have stopped meanwhile (idle).
  if (result.agent !== undefined) await ensureSupervisor(workspace.root);
  if (options.json) {
    printJson(options.io, {
      plan: result.plan,
      agent: result.agent ?? null,
      outcome: result.outcome ?? null,
      next_attempt: result.nextAttempt ?? null,
    });
  } else {
    options.io.stdout(
      `rejected ${result.plan}` +
        (result.agent === undefined
          ? '\n'
          : `; agent ${result.agent} plans again with the feedback (attempt ${result.nextAttempt})\n`),
    );
  }
  return 0;
}

/** `sase plan show PLAN [--json]` */
export async function planShow(options: CommandContext & { plan: string }): Promise<number> {
  const workspace = await findWorkspace(options.cwd);
  const plan = await showPlan(workspace, options.plan, { cwd: options.cwd });
  if (options.json) {
    printJson(options.io, { ...planJson(plan), reviews: plan.reviews, body: plan.body });
    return 0;
  }
  options.io.stdout(
    `${plan.path}  ${plan.tier}, round ${plan.round}, ${plan.state}${plan.bead ? ` (bead ${plan.bead})` : ''}` +
      `${plan.agent ? `, from agent ${plan.agent}` : ''}\n\n${plan.body.trim()}\n`,
  );
  return 0;
}

/** `sase plan list [--status awaiting|approved|rejected] [--json]` */
export async function planList(options: CommandContext & { status?: string }): Promise<number> {
  const workspace = await findWorkspace(options.cwd);
  const plans = await listPlans(
    workspace,
    options.status === undefined ? {} : { state: options.status as PlanListing['state'] },
  );
  if (options.json) {
    printJson(options.io, plans.map(planJson));
    return 0;
  }
  if (plans.length === 0) {
    options.io.stdout(options.status === undefined ? 'no plans\n' : `no ${options.status} plans\n`);
    return 0;
  }
  const width = Math.max(...plans.map((plan) => plan.path.length));
  for (const plan of plans) {
    options.io.stdout(
      `${plan.path.padEnd(width)}  ${plan.state.padEnd(8)}  ${plan.tier.padEnd(6)}  ${(plan.agent ?? '-').padEnd(12)}  ${plan.title}\n`,
    );
  }
  return 0;
}
