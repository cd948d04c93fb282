import { approvePlanFor } from '@sase/workspace';
import { findWorkspace } from '@sase/workspace/config';
import type { CommandContext } from '../../io.js';
import { ensureSupervisor } from '../axe/workspace-supervisor.js';

export interface PlanApproveOptions extends CommandContext {
  /** A plan name or path. */
  plan: string;
  /** Who approves (default: git user.name, else $USER). */
  by?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * `sase plan approve PLAN [--by NAME]`: promotes the plan to beads (a plan bead, and for an epic one phase
 * bead per phase with `blocks` edges), writes `bead`, `approved_by` and `approved_at` back into the plan, and
 * releases the `%plan` agent that submitted it (see approvePlanFor). Approving an approved plan changes
 * nothing.
 */
export async function planApprove(options: PlanApproveOptions): Promise<number> {
  const env = options.env ?? process.env;
  const workspace = await findWorkspace(options.cwd);
  const result = await approvePlanFor({
    workspace,
    plan: options.plan,
    cwd: options.cwd,
    env,
    ...(options.by ? { by: options.by } : {}),
  });
  // The released agent (or the started bead work) needs a supervisor: the one that ran the planner may have
  // stopped while the plan waited (axe.idle_exit_s).
  if (result.outcome === 'plan_approved' || (result.workStarted?.length ?? 0) > 0) {
    await ensureSupervisor(workspace.root);
  }
  const plan = `${workspace.config.sdd.versionControlled ? 'sdd' : '.sase/sdd'}/${result.plan}`;
  if (options.json) {
    options.io.stdout(
      `${JSON.stringify({
        plan,
        bead: result.bead,
        phases: result.phases,
        already_approved: result.isAlreadyApproved,
        agent: result.agent ?? null,
        outcome: result.outcome ?? null,
        next_attempt: result.nextAttempt ?? null,
        work_started: result.workStarted ?? [],
      })}\n`,
    );
  } else {
    const phases = result.phases.length ? ` with phases ${result.phases.join(', ')}` : '';
    options.io.stdout(
      result.isAlreadyApproved
        ? `${plan} is already approved as ${result.bead}${phases}; nothing changed\n`
        : `approved ${plan} as ${result.bead}${phases}\n`,
    );
    if (result.outcome === 'plan_approved') {
      options.io.stdout(`agent ${result.agent} implements it now (attempt ${result.nextAttempt})\n`);
    } else if (result.outcome === 'epic_approved') {
      options.io.stdout(
        `agent ${result.agent}: epic_approved` +
          (result.workStarted?.length ? `; its bead work started (${result.workStarted.join(', ')})` : '') +
          '\n',
      );
    }
  }
  return 0;
}
