import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initBeadStore } from '@sase/beads';
import { describe, expect, it } from 'vitest';
import { approvePlan } from './approve-plan.js';
import { formatDiagnostic } from './diagnostic.js';
import { createTestWorkspace } from './internal/test-workspace.js';
import { createSddStore } from './sdd-store.js';
import { submitPlan } from './submit-plan.js';
import { sddRules, validateSdd } from './validate.js';

const brokenTree = fileURLToPath(new URL('./__fixtures__/broken-tree', import.meta.url));

function brokenWorkspace() {
  const { workspaceRoot, env } = createTestWorkspace();
  const store = createSddStore({ workspaceRoot, env });
  cpSync(brokenTree, store.root, { recursive: true });
  const beads = initBeadStore({ dir: store.beadsDir, prefix: 'sase' });
  beads.batch((s) => {
    s.create({ title: 'Good', issueType: 'plan', tier: 'plan', design: '.sase/sdd/tales/202611/good.md' }); // sase-1
    s.create({
      title: 'Moved',
      issueType: 'plan',
      tier: 'plan',
      design: '.sase/sdd/tales/202611/elsewhere.md',
    }); // sase-2
    s.create({
      title: 'Bad phases',
      issueType: 'plan',
      tier: 'plan',
      design: '.sase/sdd/epics/202611/bad-phases.md',
    }); // sase-3
    s.create({ title: 'Other epic', issueType: 'plan', tier: 'epic' }); // sase-4
    s.create({ title: 'Foreign phase', issueType: 'phase', parentId: 'sase-4' }); // sase-4.1
  });
  beads.dispose();
  return store;
}

describe('validateSdd', () => {
  it('reports every rule on a broken tree, all at once, with file, line and rule id', async () => {
    const store = brokenWorkspace();
    const result = await validateSdd(store);
    expect(result.ok).toBe(false);
    const lines = result.diagnostics.map((diagnostic) =>
      formatDiagnostic({ ...diagnostic, reason: diagnostic.reason.slice(0, 60) }),
    );
    expect(lines).toMatchInlineSnapshot(`
      [
        ".sase/sdd/epics/202611/bad-phases.md:7:1: error Bead sase-3 is issue_type=plan tier=plan; a plan of tier epi [bead-tier-mismatch]",
        ".sase/sdd/epics/202611/bad-phases.md:11:18: error Phases depend on each other in a cycle: a -> c -> b -> a; re [phase-cycle]",
        ".sase/sdd/epics/202611/bad-phases.md:14:21: error Phase "b" depends on "zzz", which is not a phase of this epi [phase-depends-unknown]",
        ".sase/sdd/epics/202611/bad-phases.md:15:5: error Phase "b" names bead sase-9.1, which is not in the bead stor [bead-missing]",
        ".sase/sdd/epics/202611/bad-phases.md:16:5: error Phase id "a" is used by phases 1 and 3; each phase needs its [phase-id-duplicate]",
        ".sase/sdd/epics/202611/bad-phases.md:21:5: error Phase bead sase-4.1 has parent sase-4, expected the epic's b [phase-bead-parent]",
        ".sase/sdd/epics/202611/empty-epic.md:3:1: warning Epic has no phases; list them under phases: so approval can  [epic-phases-missing]",
        ".sase/sdd/epics/202611/misfiled.md:3:1: error Plan has tier "tale" but is in epics/; move it to tales/ or  [plan-tier-mismatch]",
        ".sase/sdd/epics/202612/dup.md:1:1: error Plan name "dup" is used by tales/202611/dup.md and epics/202 [plan-name-duplicate]",
        ".sase/sdd/legends/202611/owner.md:10:5: error Legend names epic "nope", which is not an epic of this tree  [legend-epic-missing]",
        ".sase/sdd/legends/202611/owner.md:12:1: warning phases only mean something on an epic; this plan's tier is l [plan-tier-keys]",
        ".sase/sdd/prompts/202611/orphan.md:2:1: error Plan tales/202611/gone.md does not exist (paths are relative [prompt-plan-missing]",
        ".sase/sdd/prompts/202611/wrong-backlink.md:2:1: error Plan tales/202611/good.md links to prompt: prompts/202611/go [prompt-plan-backlink]",
        ".sase/sdd/prompts/202612/bad-prompt.md:3:1: error Unknown prompt snapshot frontmatter key "extra"; remove it o [frontmatter-schema]",
        ".sase/sdd/tales/202611/Bad Name.md:1:1: error File is not at {tales|epics|legends|prompts}/{YYYYMM}/{name} [sdd-location]",
        ".sase/sdd/tales/202611/bad-schema.md:5:1: error Invalid plan "status": Invalid option: expected one of "wip" [frontmatter-schema]",
        ".sase/sdd/tales/202611/bad-schema.md:7:1: error Unknown plan frontmatter key "colour"; remove it or fix its  [frontmatter-schema]",
        ".sase/sdd/tales/202611/broken-yaml.md:2:12: error Frontmatter is not valid YAML: Flow sequence in block collec [frontmatter-yaml]",
        ".sase/sdd/tales/202611/dangling-prompt.md:2:1: error Prompt snapshot prompts/202611/dangling-prompt.md does not e [plan-prompt-missing]",
        ".sase/sdd/tales/202611/dup.md:1:1: error Plan name "dup" is used by tales/202611/dup.md and epics/202 [plan-name-duplicate]",
        ".sase/sdd/tales/202611/dup.md:2:1: error Prompt snapshot prompts/202611/dup.md does not exist (paths  [plan-prompt-missing]",
        ".sase/sdd/tales/202611/ghost-bead.md:7:1: error Bead sase-99 is not in the bead store .sase/sdd/beads [bead-missing]",
        ".sase/sdd/tales/202611/moved.md:7:1: error Bead sase-2 has design ".sase/sdd/tales/202611/elsewhere.md" [bead-design-mismatch]",
        ".sase/sdd/tales/202611/no-frontmatter.md:1:1: error Plan has no YAML frontmatter; a plan starts with a \`---\` blo [frontmatter-missing]",
        ".sase/sdd/tales/202611/no-prompt.md:3:1: error Plan has no prompt: key; it names its prompt snapshot, e.g.  [plan-prompt-missing]",
        ".sase/sdd/tales/202611/tampered.md:7:1: error prompt_sha256 does not match the body of prompts/202611/tamp [plan-prompt-sha256]",
        ".sase/sdd/tales/202611/wrong-backlink.md:2:1: error Prompt snapshot prompts/202611/wrong-backlink.md links to pl [plan-prompt-backlink]",
        ".sase/sdd/tales/stray.md:1:1: error File is not at {tales|epics|legends|prompts}/{YYYYMM}/{name} [sdd-location]",
      ]
    `);
    const found = new Set(result.diagnostics.map((diagnostic) => diagnostic.ruleId));
    expect(Object.keys(sddRules).filter((rule) => !found.has(rule))).toEqual([]);
    expect(
      result.diagnostics.filter((diagnostic) => diagnostic.file === '.sase/sdd/tales/202611/good.md'),
    ).toEqual([]);
  });

  it('passes a tree written by submitPlan and approvePlan', async () => {
    const { workspaceRoot, env } = createTestWorkspace();
    for (const versionControlled of [false, true]) {
      const store = createSddStore({ workspaceRoot, versionControlled, env });
      const expandPrompt = async (text: string) => ({ text });
      await submitPlan({
        store,
        planText: '---\nphases: [{id: a, title: A}, {id: b, title: B, depends_on: [a]}]\n---\n# Epic\n',
        tier: 'epic',
        promptText: 'p',
        expandPrompt,
      });
      await submitPlan({
        store,
        planText: '---\nepics: [epic]\n---\n# Legend\n',
        tier: 'legend',
        promptText: 'p',
        expandPrompt,
      });
      await submitPlan({ store, planText: '# Tale\n', tier: 'tale', promptText: 'p', expandPrompt });
      for (const name of ['epic', 'legend', 'tale']) await approvePlan({ store, plan: name, env });
      expect(await validateSdd(store)).toEqual({ ok: true, diagnostics: [] });
    }
  });

  it('is fine with a workspace that has no SDD tree', async () => {
    const { workspaceRoot } = createTestWorkspace();
    expect(await validateSdd(createSddStore({ workspaceRoot }))).toEqual({ ok: true, diagnostics: [] });
  });
});
