import { cpSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBeadStore } from '@sase/beads';
import { afterAll, describe, expect, it } from 'vitest';
import { approvePlan } from './approve-plan.js';
import type { ChangeSpec } from './change-spec.js';
import { formatDiagnostic } from './diagnostic.js';
import { createTestWorkspace } from './internal/test-workspace.js';
import { createSddStore } from './sdd-store.js';
import { submitPlan } from './submit-plan.js';
import { sddRules, validateSdd } from './validate.js';

const brokenTree = fileURLToPath(new URL('./__fixtures__/broken-tree', import.meta.url));

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A test workspace, removed after the tests of this file. */
function temporaryWorkspace() {
  const workspace = createTestWorkspace();
  temporary.push(dirname(workspace.workspaceRoot));
  return workspace;
}

function brokenWorkspace() {
  const { workspaceRoot, env } = temporaryWorkspace();
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
        ".sase/sdd/changes/202611/bad-body.md:13:1: warning Title "# bad-body: An old title" does not match the frontmat [change-title]",
        ".sase/sdd/changes/202611/bad-body.md:23:1: error Line in ## Hooks is not "### <hook name>" or a run "- #<n> < [change-body]",
        ".sase/sdd/changes/202611/bad-status.md:9:1: error Invalid ChangeSpec "status": Invalid option: expected one of [frontmatter-schema]",
        ".sase/sdd/changes/202611/bad-status.md:12:1: error Unknown ChangeSpec frontmatter key "colour"; remove it or fi [frontmatter-schema]",
        ".sase/sdd/changes/202611/demo-1.2.md:4:1: error Bead sase-404 is not in the bead store .sase/sdd/beads [change-bead-missing]",
        ".sase/sdd/changes/202611/demo-1.2.md:5:1: error Plan epics/202611/gone.md does not exist (plan: is a path re [change-plan-missing]",
        ".sase/sdd/changes/202611/demo-1.2.md:8:5: error Parent ChangeSpec "ghost-7" does not exist (parent: lists ag [change-parent-missing]",
        ".sase/sdd/changes/202611/loop-a.md:7:5: error ChangeSpecs are each other's parents in a cycle: loop-a -> l [change-parent-cycle]",
        ".sase/sdd/changes/202611/twice.md:1:1: error ChangeSpec name "twice" is used by changes/202611/twice.md a [change-name-duplicate]",
        ".sase/sdd/changes/202611/wrong-name.md:2:1: error ChangeSpec name "other-name" does not match its file name wr [change-name-mismatch]",
        ".sase/sdd/changes/202612/twice.md:1:1: error ChangeSpec name "twice" is used by changes/202611/twice.md a [change-name-duplicate]",
        ".sase/sdd/changes/stray.md:1:1: error File is not at changes/{YYYYMM}/{agent-name}.md (agent name: [sdd-location]",
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
    for (const good of ['.sase/sdd/tales/202611/good.md', '.sase/sdd/changes/202611/demo-1.1.md']) {
      expect(result.diagnostics.filter((diagnostic) => diagnostic.file === good)).toEqual([]);
    }
  });

  it("reports a ChangeSpec's broken links at the lines of bead:, plan: and the parent entry", async () => {
    const result = await validateSdd(brokenWorkspace());
    expect(
      result.diagnostics
        .filter((diagnostic) => diagnostic.file === '.sase/sdd/changes/202611/demo-1.2.md')
        .map(({ line, column, ruleId, reason, fatal }) => ({ line, column, ruleId, reason, fatal })),
    ).toEqual([
      {
        line: 4,
        column: 1,
        ruleId: 'change-bead-missing',
        reason: 'Bead sase-404 is not in the bead store .sase/sdd/beads',
        fatal: true,
      },
      {
        line: 5,
        column: 1,
        ruleId: 'change-plan-missing',
        reason:
          'Plan epics/202611/gone.md does not exist (plan: is a path relative to the SDD root, e.g. epics/202611/auth-rework.md)',
        fatal: true,
      },
      {
        line: 8,
        column: 5,
        ruleId: 'change-parent-missing',
        reason:
          'Parent ChangeSpec "ghost-7" does not exist (parent: lists agent names with a file at changes/{YYYYMM}/{name}.md)',
        fatal: true,
      },
    ]);
    const noBeadStore = await validateSdd(brokenWorkspace(), { beads: null });
    expect(
      noBeadStore.diagnostics.find(
        (diagnostic) =>
          diagnostic.file === '.sase/sdd/changes/202611/demo-1.1.md' &&
          diagnostic.ruleId === 'change-bead-missing',
      )?.reason,
    ).toBe('ChangeSpec names bead sase-1 but there is no bead store at .sase/sdd/beads');
  });

  it('passes a tree written by submitPlan and approvePlan', async () => {
    const { workspaceRoot, env } = temporaryWorkspace();
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
      const approved = [];
      for (const name of ['epic', 'legend', 'tale'])
        approved.push(await approvePlan({ store, plan: name, env }));
      const epic = approved[0]!;
      const change = (name: string, bead: string, parent: string[]): ChangeSpec => ({
        name,
        description: `Phase ${name}`,
        bead,
        plan: epic.plan,
        parent,
        branch: `sase/${name}`,
        base: 'abcdef0',
        status: 'wip',
        pr: null,
        bug: null,
        commits: [],
        hooks: [],
        comments: [],
        timestamps: [],
      });
      store.writeChangeSpec(change(`${epic.bead}.1`, epic.phases[0]!, []));
      await store.updateChangeSpec(`${epic.bead}.2`, (spec) => spec, {
        create: () => change(`${epic.bead}.2`, epic.phases[1]!, [`${epic.bead}.1`]),
      });
      expect(store.list('changes')).toHaveLength(2);
      expect(await validateSdd(store)).toEqual({ ok: true, diagnostics: [] });
    }
  });

  it('is fine with a workspace that has no SDD tree', async () => {
    const { workspaceRoot } = temporaryWorkspace();
    expect(await validateSdd(createSddStore({ workspaceRoot }))).toEqual({ ok: true, diagnostics: [] });
  });
});
