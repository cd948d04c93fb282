import type { PlanTier } from './plan.js';

/** The four SDD directories: one per plan tier, and the prompt snapshots. */
export type SddKind = 'tales' | 'epics' | 'legends' | 'prompts';

export const sddKinds: readonly SddKind[] = ['tales', 'epics', 'legends', 'prompts'];

/**
 * The directory of ChangeSpecs, the review records of agents' changes: `changes/{YYYYMM}/{agent-name}.md`.
 * Kept apart from `SddKind` so that code handling "every plan and prompt snapshot" (`SddStore.list()` without
 * a kind, MAP.md) keeps meaning exactly that; `SddStore.list(sddChangeKind)` lists ChangeSpecs.
 */
export type SddChangeKind = 'changes';

export const sddChangeKind: SddChangeKind = 'changes';

/** The directory of a tier: `tale` -> `tales`. */
export function kindOfTier(tier: PlanTier): Exclude<SddKind, 'prompts'> {
  return `${tier}s` as Exclude<SddKind, 'prompts'>;
}

/** The tier of a plan directory: `tales` -> `tale`; undefined for `prompts`. */
export function tierOfKind(kind: SddKind): PlanTier | undefined {
  return kind === 'prompts' ? undefined : (kind.slice(0, -1) as PlanTier);
}

/** `{YYYYMM}` of a time, in UTC. */
export function monthOf(time: Date): string {
  return `${time.getUTCFullYear()}${String(time.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** `epics/202611/auth-rework.md`: a path relative to the SDD root, always with `/`. */
export function sddPath(kind: SddKind | SddChangeKind, month: string, name: string): string {
  return `${kind}/${month}/${name}.md`;
}

/** The bead tier of a plan tier: a tale is a `plan` bead, epics and legends keep their names. */
export function beadTierOfPlanTier(tier: PlanTier): 'plan' | 'epic' | 'legend' {
  return tier === 'tale' ? 'plan' : tier;
}
