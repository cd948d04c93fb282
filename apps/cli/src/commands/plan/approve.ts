import { approvePlan } from '@sase/sdd';
import type { CommandContext } from '../../io.js';
import { openSdd } from '../sdd/open-sdd.js';

export interface PlanApproveOptions extends CommandContext {
  /** A plan name or path. */
  plan: string;
  /** Who approves (default: git user.name, else $USER). */
  by?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * `sase plan approve PLAN [--by NAME]`: promotes the plan to beads (a plan bead, and for an epic one phase
 * bead per phase with `blocks` edges) and writes `bead`, `approved_by` and `approved_at` back into the plan.
 * Approving an approved plan changes nothing.
 */
export async function planApprove(options: PlanApproveOptions): Promise<number> {
  const env = options.env ?? process.env;
  const { workspace, store } = await openSdd(options.cwd, env);
  const result = await approvePlan({
    store,
    plan: options.plan,
    cwd: options.cwd,
    env,
    ...(options.by ? { approvedBy: options.by } : {}),
    ...(workspace.config.beads.prefix ? { beadPrefix: workspace.config.beads.prefix } : {}),
  });
  const plan = store.workspacePath(result.plan);
  if (options.json) {
    options.io.stdout(
      `${JSON.stringify({ plan, bead: result.bead, phases: result.phases, already_approved: result.isAlreadyApproved })}\n`,
    );
  } else {
    const phases = result.phases.length ? ` with phases ${result.phases.join(', ')}` : '';
    options.io.stdout(
      result.isAlreadyApproved
        ? `${plan} is already approved as ${result.bead}${phases}; nothing changed\n`
        : `approved ${plan} as ${result.bead}${phases}\n`,
    );
  }
  return 0;
}
