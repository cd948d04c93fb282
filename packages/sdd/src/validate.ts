import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ChangeSpec, parseChangeSpecDocument } from './change-spec.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from './diagnostic.js';
import { listDirectory } from './internal/files.js';
import { sha256Hex as sha256 } from './internal/hash.js';
import type { Location } from './internal/markdown.js';
import {
  beadTierOfPlanTier,
  type SddChangeKind,
  type SddKind,
  sddChangeKind,
  sddKinds,
  tierOfKind,
} from './layout.js';
import { isValidChangeName, isValidPlanName } from './names.js';
import { checkPhases, findPhaseCycles } from './phases.js';
import { type Plan, type PlanDocument, parsePlanDocument } from './plan.js';
import { parsePromptSnapshotDocument } from './prompt-snapshot.js';
import type { SddEntry, SddStore } from './sdd-store.js';

/** The part of a bead `validateSdd` reads (a `Bead` of @sase/beads fits). */
export interface BeadSummary {
  id: string;
  issueType: string;
  tier?: string;
  parentId?: string;
  design?: string;
}

/** Where `validateSdd` looks beads up (a `BeadStore` of @sase/beads fits). */
export interface BeadLookup {
  find(id: string): BeadSummary | undefined;
}

export interface ValidateSddOptions {
  /**
   * The bead store to check `bead:` links against. Default: the store at `<sdd-root>/beads` when it exists
   * (opened with @sase/beads), else none (every `bead:` is then reported as `bead-missing`).
   */
  beads?: BeadLookup | null;
}

export interface SddValidationResult {
  /** False when any diagnostic is an error. */
  ok: boolean;
  /** Every problem found, sorted by file, line, column and rule id. */
  diagnostics: Diagnostic[];
}

/** The rule ids `validateSdd` reports, with what each checks. Stable: scripts may rely on them. */
export const sddRules = {
  'frontmatter-missing': 'a plan, prompt snapshot or ChangeSpec starts with a YAML frontmatter block',
  'frontmatter-yaml': 'the frontmatter is valid YAML',
  'frontmatter-schema': 'the frontmatter has the known keys with values of the right type',
  'sdd-location':
    'files sit at {tales|epics|legends|prompts}/{YYYYMM}/{name}.md with a slug name, ChangeSpecs at changes/{YYYYMM}/{agent-name}.md',
  'plan-name-duplicate': 'a plan name is used once across tiers and months',
  'plan-tier-mismatch': "a plan's tier matches its directory",
  'plan-tier-keys': 'phases only on epics, epic_count and epics only on legends (warning)',
  'epic-phases-missing': 'an epic lists its phases (warning)',
  'plan-prompt-missing': "a plan's prompt: names an existing prompt snapshot",
  'plan-prompt-backlink': "the plan's prompt snapshot links back to the plan with plan:",
  'plan-prompt-sha256': "prompt_sha256 matches the prompt snapshot's body",
  'prompt-plan-missing': "a prompt snapshot's plan: names an existing plan",
  'prompt-plan-backlink': "the prompt snapshot's plan links back to it with prompt:",
  'bead-missing': 'every bead: (of the plan and of each phase) exists in the bead store',
  'bead-design-mismatch': "the plan bead's design is the plan's path from the workspace root",
  'bead-tier-mismatch': 'the plan bead is an issue_type=plan bead of the tier of the plan',
  'phase-bead-parent': "a phase bead's parent is the epic's plan bead",
  'phase-id-duplicate': 'phase ids are unique within an epic',
  'phase-depends-unknown': 'every depends_on names a phase of the same epic',
  'phase-cycle': 'phase dependencies have no cycle',
  'legend-epic-missing': "every entry of a legend's epics names an existing epic (by name or path)",
  'change-body':
    "a ChangeSpec's body sections (## Commits, ## Hooks, ## Comments, ## Timestamps) are well formed",
  'change-title': "a ChangeSpec's title line is # <name>: <description> (warning; SASE rewrites it)",
  'change-name-mismatch': "a ChangeSpec's name: is its file name",
  'change-name-duplicate': 'a ChangeSpec name is used once across months',
  'change-bead-missing': "a ChangeSpec's bead: exists in the bead store",
  'change-plan-missing': "a ChangeSpec's plan: names an existing plan (tales/, epics/ or legends/)",
  'change-parent-missing': 'every parent: of a ChangeSpec names an existing ChangeSpec',
  'change-parent-cycle': 'ChangeSpec parents have no cycle',
} as const;

export type SddRuleId = keyof typeof sddRules;

/** Rules whose findings are warnings (`fatal: false`): they do not make validation fail. */
const warningRules: ReadonlySet<SddRuleId> = new Set<SddRuleId>([
  'plan-tier-keys',
  'epic-phases-missing',
  'change-title',
]);

interface ParsedPlan {
  entry: SddEntry;
  file: string;
  document: PlanDocument;
  plan: Plan;
}

/**
 * Checks the whole link graph of the SDD tree (SPEC section 4) and returns every problem at once, each with
 * file (relative to the workspace root), line (of the offending frontmatter key), column and rule id.
 */
export async function validateSdd(
  store: SddStore,
  options: ValidateSddOptions = {},
): Promise<SddValidationResult> {
  if (!existsSync(store.root)) return { ok: true, diagnostics: [] };
  let beads = options.beads ?? null;
  let dispose: (() => void) | undefined;
  if (options.beads === undefined && existsSync(join(store.beadsDir, 'config.json'))) {
    const { openBeadStore } = await import('@sase/beads');
    const opened = openBeadStore({ dir: store.beadsDir });
    beads = opened;
    dispose = () => opened.dispose();
  }
  try {
    const diagnostics = checkTree(store, beads);
    return { ok: !hasErrors(diagnostics), diagnostics: sortDiagnostics(diagnostics) };
  } finally {
    dispose?.();
  }
}

function checkTree(store: SddStore, beads: BeadLookup | null): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (
    file: string,
    location: { line: number; column: number },
    ruleId: SddRuleId,
    reason: string,
  ) => diagnostics.push({ reason, file, ...location, ruleId, fatal: !warningRules.has(ruleId) });

  for (const misplaced of misplacedFiles(store)) {
    report(
      store.workspacePath(misplaced),
      { line: 1, column: 1 },
      'sdd-location',
      misplaced.startsWith(`${sddChangeKind}/`)
        ? `File is not at changes/{YYYYMM}/{agent-name}.md (agent name: letters, digits, ".", "_", "+" and "-"), so SASE ignores it; move it`
        : `File is not at {tales|epics|legends|prompts}/{YYYYMM}/{name}.md (name: lowercase letters, digits, "_" and "-"), so SASE ignores it; move it`,
    );
  }

  const entries = store.list();
  const plans = new Map<string, ParsedPlan>();
  const invalidPlans = new Set<string>();
  for (const entry of entries.filter((each) => each.kind !== 'prompts')) {
    const file = store.workspacePath(entry.path);
    const document = parsePlanDocument(store.readText(entry.path), file);
    diagnostics.push(...document.diagnostics);
    if (document.plan) plans.set(entry.path, { entry, file, document, plan: document.plan });
    else invalidPlans.add(entry.path);
  }

  const byName = new Map<string, SddEntry[]>();
  for (const entry of entries.filter((each) => each.kind !== 'prompts')) {
    byName.set(entry.name, [...(byName.get(entry.name) ?? []), entry]);
  }
  for (const [name, same] of byName) {
    if (same.length < 2) continue;
    for (const entry of same) {
      report(
        store.workspacePath(entry.path),
        { line: 1, column: 1 },
        'plan-name-duplicate',
        `Plan name "${name}" is used by ${same.map((each) => each.path).join(' and ')}; names are unique because the prompt snapshot is prompts/{YYYYMM}/{name}.md`,
      );
    }
  }

  for (const { entry, file, document, plan } of plans.values()) {
    const locate = document.locate;
    const frontmatter = plan.frontmatter;
    const at = (...path: Array<string | number>) => locate(path);
    if (tierOfKind(entry.kind) !== frontmatter.tier) {
      report(
        file,
        at('tier'),
        'plan-tier-mismatch',
        `Plan has tier "${frontmatter.tier}" but is in ${entry.kind}/; move it to ${frontmatter.tier}s/ or fix the tier`,
      );
    }
    if (frontmatter.phases && frontmatter.tier !== 'epic') {
      report(
        file,
        at('phases'),
        'plan-tier-keys',
        `phases only mean something on an epic; this plan's tier is ${frontmatter.tier}`,
      );
    }
    for (const key of ['epic_count', 'epics'] as const) {
      const value = key === 'epics' ? frontmatter.epics : frontmatter.epicCount;
      if (value !== undefined && frontmatter.tier !== 'legend') {
        report(
          file,
          at(key),
          'plan-tier-keys',
          `${key} only means something on a legend; this plan's tier is ${frontmatter.tier}`,
        );
      }
    }
    if (frontmatter.tier === 'epic' && !frontmatter.phases?.length) {
      report(
        file,
        at('tier'),
        'epic-phases-missing',
        'Epic has no phases; list them under phases: so approval can create phase beads',
      );
    }

    // Plan -> prompt snapshot.
    if (!frontmatter.prompt) {
      report(
        file,
        at('title'),
        'plan-prompt-missing',
        'Plan has no prompt: key; it names its prompt snapshot, e.g. prompt: prompts/202611/auth-rework.md',
      );
    } else if (!safeExists(store, frontmatter.prompt)) {
      report(
        file,
        at('prompt'),
        'plan-prompt-missing',
        `Prompt snapshot ${frontmatter.prompt} does not exist (paths are relative to the SDD root)`,
      );
    } else {
      const snapshotDocument = parsePromptSnapshotDocument(
        store.readText(frontmatter.prompt),
        frontmatter.prompt,
      );
      const snapshot = snapshotDocument.snapshot;
      if (snapshot && snapshot.frontmatter.plan !== entry.path) {
        report(
          file,
          at('prompt'),
          'plan-prompt-backlink',
          `Prompt snapshot ${frontmatter.prompt} links to plan: ${snapshot.frontmatter.plan}, not back to ${entry.path}`,
        );
      }
      if (snapshot && frontmatter.promptSha256 && sha256(snapshot.body) !== frontmatter.promptSha256) {
        report(
          file,
          at('prompt_sha256'),
          'plan-prompt-sha256',
          `prompt_sha256 does not match the body of ${frontmatter.prompt} (it is ${sha256(snapshot.body)}); the snapshot changed after submission`,
        );
      }
    }

    // Plan -> beads.
    if (frontmatter.bead) {
      const bead = beads?.find(frontmatter.bead);
      if (!bead) {
        report(
          file,
          at('bead'),
          'bead-missing',
          beads
            ? `Bead ${frontmatter.bead} is not in the bead store ${store.workspacePath('beads')}`
            : `Plan names bead ${frontmatter.bead} but there is no bead store at ${store.workspacePath('beads')}`,
        );
      } else {
        const expected = store.workspacePath(entry.path);
        if (bead.design !== expected) {
          report(
            file,
            at('bead'),
            'bead-design-mismatch',
            `Bead ${bead.id} has design ${bead.design === undefined ? '(none)' : `"${bead.design}"`}, expected "${expected}"`,
          );
        }
        const tier = beadTierOfPlanTier(frontmatter.tier);
        if (bead.issueType !== 'plan' || (bead.tier ?? 'plan') !== tier) {
          report(
            file,
            at('bead'),
            'bead-tier-mismatch',
            `Bead ${bead.id} is issue_type=${bead.issueType} tier=${bead.tier ?? '(none)'}; a plan of tier ${frontmatter.tier} is promoted to issue_type=plan tier=${tier}`,
          );
        }
      }
    }
    const planBead = frontmatter.bead ? beads?.find(frontmatter.bead) : undefined;
    (frontmatter.phases ?? []).forEach((phase, index) => {
      if (!phase.bead) return;
      const bead = beads?.find(phase.bead);
      if (!bead) {
        report(
          file,
          at('phases', index, 'bead'),
          'bead-missing',
          `Phase "${phase.id}" names bead ${phase.bead}, which is not in the bead store ${store.workspacePath('beads')}`,
        );
      } else if (planBead && bead.parentId !== planBead.id) {
        report(
          file,
          at('phases', index, 'bead'),
          'phase-bead-parent',
          `Phase bead ${bead.id} has parent ${bead.parentId ?? '(none)'}, expected the epic's bead ${frontmatter.bead}`,
        );
      }
    });

    // Phases.
    if (frontmatter.phases) diagnostics.push(...checkPhases(frontmatter.phases, { file, locate }));

    // Legend -> epics.
    (frontmatter.epics ?? []).forEach((reference, index) => {
      const isFound = reference.includes('/')
        ? safeExists(store, reference) && reference.startsWith('epics/')
        : entries.some((each) => each.kind === 'epics' && each.name === reference);
      if (!isFound) {
        report(
          file,
          at('epics', index),
          'legend-epic-missing',
          `Legend names epic "${reference}", which is not an epic of this tree (give an epic name or a path like epics/202611/name.md)`,
        );
      }
    });
  }

  // Prompt snapshot -> plan.
  for (const entry of entries.filter((each) => each.kind === 'prompts')) {
    const file = store.workspacePath(entry.path);
    const document = parsePromptSnapshotDocument(store.readText(entry.path), file);
    diagnostics.push(...document.diagnostics);
    const snapshot = document.snapshot;
    if (!snapshot) continue;
    const target = snapshot.frontmatter.plan;
    if (!safeExists(store, target) || !isPlanPath(target)) {
      report(
        file,
        document.locate(['plan']),
        'prompt-plan-missing',
        `Plan ${target} does not exist (paths are relative to the SDD root, e.g. epics/202611/auth-rework.md)`,
      );
      continue;
    }
    const plan = plans.get(target);
    if (plan && plan.plan.frontmatter.prompt !== entry.path) {
      report(
        file,
        document.locate(['plan']),
        'prompt-plan-backlink',
        `Plan ${target} links to prompt: ${plan.plan.frontmatter.prompt ?? '(none)'}, not back to ${entry.path}`,
      );
    }
  }
  diagnostics.push(...checkChanges(store, beads, report));
  return diagnostics;
}

/** ChangeSpecs: each parses, is named after its file, and links to an existing bead, plan and parents. */
function checkChanges(
  store: SddStore,
  beads: BeadLookup | null,
  report: (file: string, location: Location, ruleId: SddRuleId, reason: string) => void,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const entries = store.list(sddChangeKind);
  const names = new Set(entries.map((entry) => entry.name));
  const parsed: Array<{
    entry: SddEntry<SddChangeKind>;
    file: string;
    changeSpec: ChangeSpec;
    locate: Locate;
  }> = [];
  for (const entry of entries) {
    const file = store.workspacePath(entry.path);
    const document = parseChangeSpecDocument(store.readText(entry.path), file);
    diagnostics.push(...document.diagnostics);
    if (document.changeSpec)
      parsed.push({ entry, file, changeSpec: document.changeSpec, locate: document.locate });
  }

  const byName = new Map<string, SddEntry<SddChangeKind>[]>();
  for (const entry of entries) byName.set(entry.name, [...(byName.get(entry.name) ?? []), entry]);
  for (const [name, same] of byName) {
    if (same.length < 2) continue;
    for (const entry of same) {
      report(
        store.workspacePath(entry.path),
        { line: 1, column: 1 },
        'change-name-duplicate',
        `ChangeSpec name "${name}" is used by ${same.map((each) => each.path).join(' and ')}; an agent has one ChangeSpec: keep one file`,
      );
    }
  }

  for (const { entry, file, changeSpec, locate } of parsed) {
    if (changeSpec.name !== entry.name) {
      report(
        file,
        locate(['name']),
        'change-name-mismatch',
        `ChangeSpec name "${changeSpec.name}" does not match its file name ${entry.name}.md; a ChangeSpec is named after its agent: rename the file or fix name:`,
      );
    }
    if (changeSpec.bead !== null && !beads?.find(changeSpec.bead)) {
      report(
        file,
        locate(['bead']),
        'change-bead-missing',
        beads
          ? `Bead ${changeSpec.bead} is not in the bead store ${store.workspacePath('beads')}`
          : `ChangeSpec names bead ${changeSpec.bead} but there is no bead store at ${store.workspacePath('beads')}`,
      );
    }
    if (changeSpec.plan !== null && (!isPlanPath(changeSpec.plan) || !safeExists(store, changeSpec.plan))) {
      report(
        file,
        locate(['plan']),
        'change-plan-missing',
        `Plan ${changeSpec.plan} does not exist (plan: is a path relative to the SDD root, e.g. epics/202611/auth-rework.md)`,
      );
    }
    changeSpec.parent.forEach((parent, index) => {
      if (names.has(parent)) return;
      report(
        file,
        locate(['parent', index]),
        'change-parent-missing',
        `Parent ChangeSpec "${parent}" does not exist (parent: lists agent names with a file at changes/{YYYYMM}/{name}.md)`,
      );
    });
  }

  const graph = parsed.map(({ changeSpec }) => ({
    id: changeSpec.name,
    title: changeSpec.name,
    dependsOn: changeSpec.parent,
  }));
  for (const cycle of findPhaseCycles(graph)) {
    const start = parsed.find((each) => each.changeSpec.name === cycle[0]);
    if (!start) continue;
    const position = start.changeSpec.parent.indexOf(cycle[1]!);
    report(
      start.file,
      start.locate(position >= 0 ? ['parent', position] : ['parent']),
      'change-parent-cycle',
      `ChangeSpecs are each other's parents in a cycle: ${cycle.join(' -> ')}; remove one of these parent: entries`,
    );
  }
  return diagnostics;
}

type Locate = (path: ReadonlyArray<string | number>) => Location;

function isPlanPath(path: string): boolean {
  return /^(tales|epics|legends)\//.test(path);
}

function safeExists(store: SddStore, path: string): boolean {
  try {
    return store.exists(path);
  } catch {
    return false;
  }
}

/** Markdown files under the SDD directories (and changes/) that are not at `{kind}/{YYYYMM}/{name}.md`. */
function misplacedFiles(store: SddStore): string[] {
  const misplaced: string[] = [];
  const walk = (relative: string, depth: number, kind: SddKind | SddChangeKind) => {
    const isValidName = kind === sddChangeKind ? isValidChangeName : isValidPlanName;
    for (const entry of listDirectory(join(store.root, relative))) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory) {
        walk(path, depth + 1, kind);
        continue;
      }
      if (!entry.name.endsWith('.md')) continue;
      if (depth === 0 && entry.name === 'README.md') continue;
      const isPlaced =
        depth === 1 && /^\d{6}$/.test(relative.split('/')[1] ?? '') && isValidName(entry.name.slice(0, -3));
      if (!isPlaced) misplaced.push(path);
    }
  };
  for (const kind of [...sddKinds, sddChangeKind]) walk(kind, 0, kind);
  return misplaced;
}
