import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandPromptForSnapshot } from './expand-prompt.js';
import { createTestWorkspace } from './internal/test-workspace.js';
import { createSddStore } from './sdd-store.js';
import { submitPlan } from './submit-plan.js';

describe('expandPromptForSnapshot (@sase/xprompt)', () => {
  it('resolves workspace xprompts, strips directives and reports %model', async () => {
    const { workspaceRoot, home } = createTestWorkspace();
    mkdirSync(join(workspaceRoot, '.xprompts'));
    writeFileSync(join(workspaceRoot, '.xprompts', 'house_rules.md'), 'Write tests first.\n');
    const expanded = await expandPromptForSnapshot(
      '%model:claude/opus %approve\nRework auth. #house_rules\n',
      {
        workspaceRoot,
        homeDirectory: home,
      },
    );
    expect(expanded.model).toBe('claude/opus');
    expect(expanded.text).toContain('Write tests first.');
    expect(expanded.text).not.toMatch(/%model|%approve|#house_rules/);
  });

  it('is what submitPlan uses by default: the snapshot is expanded and the model recorded', async () => {
    const { workspaceRoot, home, env } = createTestWorkspace();
    mkdirSync(join(workspaceRoot, 'xprompts'));
    writeFileSync(join(workspaceRoot, 'xprompts', 'ctx.md'), 'Context from an xprompt.\n');
    const store = createSddStore({ workspaceRoot, versionControlled: true, env });
    const result = await submitPlan({
      store,
      planText: '# Tale\n',
      tier: 'tale',
      promptText: '%m:codex/gpt-5\n#ctx\n',
      promptExpansion: { homeDirectory: home },
    });
    expect(store.readPromptSnapshot(result.prompt).body).toBe('Context from an xprompt.\n');
    expect(store.readPlan(result.plan).frontmatter.model).toBe('codex/gpt-5');
  });
});
