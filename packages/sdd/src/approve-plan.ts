import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Bead, BeadStore } from '@sase/beads';
import { hasErrors } from './diagnostic.js';
import { SddError } from './errors.js';
import { readUserSection } from './internal/git.js';
import { beadTierOfPlanTier } from './layout.js';
import { checkPhases } from './phases.js';
import type { Plan } from './plan.js';
import type { SddStore } from './sdd-store.js';

export interface ApprovePlanOptions {
  store: SddStore;
  /** A plan name or path (absolute, relative to `cwd`, or relative to the SDD root). */
  plan: string;
  cwd?: string;
  /**
   * Who approves. Default: git `user.name` (the SDD repository, the project's repository, then ~/.gitconfig),
   * else $USER, else `unknown`.
   */
  approvedBy?: string;
  /** Approval time. Default now. */
  now?: Date;
  /**
   * An open bead store to write to (it is not disposed). Default: the store at `<sdd-root>/beads`, created
   * with `beadPrefix` when missing.
   */
  beads?: BeadStore;
  /** Id prefix when the bead store has to be created. Default: the workspace directory name, slugified. */
  beadPrefix?: string;
  /** Environment for the approver default ($USER, $HOME). Default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface ApprovePlanResult {
  /** Plan path relative to the SDD root. */
  plan: string;
  /** The plan bead. */
  bead: string;
  /** The phase beads of an epic, in phase order ([] for tales and legends). */
  phases: string[];
  /** True when the plan was approved before: nothing was written. */
  isAlreadyApproved: boolean;
  commit?: string;
}

/**
 * Promotes a plan to beads: one `plan` bead (tier from the plan: tale -> plan, epic, legend; `design` = the
 * plan's path from the workspace root; `model` from the plan; `epic_count` for a legend), and for an epic one
 * phase bead per phase (title, description, model) with `blocks` edges from `depends_on`, all in one bead
 * store write. Then writes `bead`, each phase's `bead`, `approved_by` and `approved_at` into the plan, and
 * commits in standalone mode. `status` is left as it is (`wip` until the work is done). Idempotent: a plan
 * with a `bead:` is left alone, and a plan bead already carrying this design (an approval interrupted before
 * the plan was rewritten) is reused rather than duplicated.
 */
export async function approvePlan(options: ApprovePlanOptions): Promise<ApprovePlanResult> {
  const { store } = options;
  await store.ensureInitialized();
  const entry = store.resolvePlan(options.plan, options.cwd ? { cwd: options.cwd } : {});
  const plan = store.readPlan(entry.path);
  const file = store.workspacePath(entry.path);
  const frontmatter = plan.frontmatter;
  const design = store.workspacePath(entry.path);

  const { openOrCreate, dispose } = await beadStoreFor(options);
  try {
    const beads = openOrCreate();
    if (frontmatter.bead) {
      const bead = beads.find(frontmatter.bead);
      if (!bead) {
        throw new SddError(
          'BEAD_STORE_MISMATCH',
          `Plan ${file} is approved as bead ${frontmatter.bead}, but the bead store ${store.workspacePath('beads')} has no such bead; run \`sase sdd validate\``,
          { file, plan: entry.name },
        );
      }
      const phases = (frontmatter.phases ?? [])
        .map((phase) => phase.bead)
        .filter((id): id is string => Boolean(id));
      return { plan: entry.path, bead: bead.id, phases, isAlreadyApproved: true };
    }

    checkApprovable(plan, file);
    const { planBead, phaseBeads } = createBeads(beads, plan, design);
    const approvedBy =
      options.approvedBy ?? defaultApprover(store.root, store.workspaceRoot, options.env ?? process.env);
    const approved: Plan = {
      frontmatter: {
        ...frontmatter,
        bead: planBead.id,
        approvedBy,
        approvedAt: (options.now ?? new Date()).toISOString(),
        ...(frontmatter.phases
          ? { phases: frontmatter.phases.map((phase, index) => ({ ...phase, bead: phaseBeads[index]!.id })) }
          : {}),
      },
      body: plan.body,
    };
    store.writePlan(entry.path, approved);
    store.refreshGeneratedFiles();
    const commit = await store.commit(`plan: approve ${entry.path.slice(0, -3)} as ${planBead.id}`);
    return {
      plan: entry.path,
      bead: planBead.id,
      phases: phaseBeads.map((bead) => bead.id),
      isAlreadyApproved: false,
      ...(commit ? { commit } : {}),
    };
  } finally {
    dispose();
  }
}

function checkApprovable(plan: Plan, file: string): void {
  const { tier, phases, epicCount } = plan.frontmatter;
  if (tier === 'epic') {
    if (!phases?.length) {
      throw new SddError(
        'INVALID_PLAN',
        `Epic ${file} has no phases; list them in the frontmatter as phases: [{id, title, depends_on, description, model}]`,
        { file },
      );
    }
    const problems = checkPhases(phases, { file });
    if (hasErrors(problems)) {
      throw new SddError(
        'INVALID_PLAN',
        `Epic ${file} has invalid phases: ${problems[0]?.reason} [${problems[0]?.ruleId}]`,
        {
          file,
          diagnostics: problems,
        },
      );
    }
  }
  if (tier === 'legend' && epicCount === undefined) {
    throw new SddError(
      'INVALID_PLAN',
      `Legend ${file} has no epic_count; add epic_count: N (the number of epics it plans)`,
      {
        file,
      },
    );
  }
}

function createBeads(beads: BeadStore, plan: Plan, design: string): { planBead: Bead; phaseBeads: Bead[] } {
  const { frontmatter } = plan;
  return beads.batch((store) => {
    const interrupted = store.list({ issueType: 'plan' }).find((bead) => bead.design === design);
    if (interrupted) {
      const children = store.list({ parentId: interrupted.id });
      return { planBead: interrupted, phaseBeads: children.slice(0, frontmatter.phases?.length ?? 0) };
    }
    const planBead = store.create({
      title: frontmatter.title,
      issueType: 'plan',
      tier: beadTierOfPlanTier(frontmatter.tier),
      design,
      ...(frontmatter.model ? { model: frontmatter.model } : {}),
      ...(frontmatter.tier === 'legend' && frontmatter.epicCount !== undefined
        ? { epicCount: frontmatter.epicCount }
        : {}),
    });
    const phases = frontmatter.tier === 'epic' ? (frontmatter.phases ?? []) : [];
    const phaseBeads = phases.map((phase) =>
      store.create({
        title: phase.title,
        issueType: 'phase',
        parentId: planBead.id,
        ...(phase.description ? { description: phase.description } : {}),
        ...(phase.model ? { model: phase.model } : {}),
      }),
    );
    const beadOf = new Map(phases.map((phase, index) => [phase.id, phaseBeads[index]!.id]));
    phases.forEach((phase, index) => {
      for (const dependency of phase.dependsOn) {
        store.addDependency(phaseBeads[index]!.id, beadOf.get(dependency)!, 'blocks');
      }
    });
    return { planBead, phaseBeads: phaseBeads.map((bead) => store.get(bead.id)) };
  });
}

async function beadStoreFor(
  options: ApprovePlanOptions,
): Promise<{ openOrCreate: () => BeadStore; dispose: () => void }> {
  if (options.beads) {
    const beads = options.beads;
    return { openOrCreate: () => beads, dispose: () => undefined };
  }
  const { initBeadStore, defaultPrefixFor } = await import('@sase/beads');
  let opened: BeadStore | undefined;
  return {
    openOrCreate: () => {
      opened = initBeadStore({
        dir: options.store.beadsDir,
        prefix: options.beadPrefix ?? defaultPrefixFor(options.store.workspaceRoot),
      });
      return opened;
    },
    dispose: () => opened?.dispose(),
  };
}

function defaultApprover(sddRoot: string, workspaceRoot: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? homedir();
  for (const file of [
    join(sddRoot, '.git', 'config'),
    // The project's own repository: `user.name` is often set there only.
    join(workspaceRoot, '.git', 'config'),
    join(home, '.gitconfig'),
    join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'git', 'config'),
  ]) {
    const name = readUserSection(file).name;
    if (name) return name;
  }
  return env.USER || env.USERNAME || 'unknown';
}
