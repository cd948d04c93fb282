import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, LAUNCHER_SETTING_KEYS, parseConfigText } from './config.js';
import { createTestWorkspace } from './internal/test-workspace.js';
import { chooseLauncher, resolveLauncher } from './launchers.js';

describe('sase.yml', () => {
  it('has no default launcher: a command that launches agents needs one (NO_LAUNCHER)', async () => {
    const config = await parseConfigText('');
    expect(config.launcher.default).toBeUndefined();
    const workspace = {
      root: '/nowhere',
      config,
      sddRoot: '/nowhere/.sase/sdd',
      beadsDir: '/nowhere/.sase/sdd/beads',
    };
    await expect(chooseLauncher(workspace)).rejects.toMatchObject({
      code: 'NO_LAUNCHER',
      message: 'no launcher configured: set launcher.default in sase.yml or pass --launcher',
    });
    expect(
      await chooseLauncher(
        { ...workspace, config: { ...config, launcher: { settings: { shell: { command: ['sh'] } } } } },
        'shell',
      ),
    ).toBe('shell');
  });

  it('refuses an unknown key under launcher.<id> with file, line and the valid keys', async () => {
    const text = 'launcher:\n  default: shell\n  shell:\n    comand: [./agent.sh]\n';
    await expect(parseConfigText(text, '/w/sase.yml')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      line: 4,
      message:
        '/w/sase.yml:4: unknown key "launcher.shell.comand"; valid keys of launcher.shell: command, args, env, kill_grace_ms, context, package, models',
    });
    // camelCase spellings of valid keys are accepted, and a launcher of another package checks its own keys.
    const config = await parseConfigText(
      'launcher:\n  shell:\n    killGraceMs: 10\n  acme:\n    package: "@acme/x"\n    anything: 1\n',
    );
    expect(config.launcher.settings.acme).toEqual({ package: '@acme/x', anything: 1 });
  });

  it('lists for each built-in launcher exactly the settings its adapter accepts', async () => {
    for (const [id, keys] of Object.entries(LAUNCHER_SETTING_KEYS)) {
      const error = await resolveLauncher(id, { zz_not_a_setting: 1 }).then(
        () => undefined,
        (caught: Error) => caught,
      );
      expect(error?.message, id).toMatch(/the valid settings are /);
      const listed = error!.message
        .split('the valid settings are ')[1]!
        .split(', ')
        .map((entry) => (/\((\S+) in sase\.yml\)/.exec(entry)?.[1] ?? entry).trim());
      expect([...listed].sort(), id).toEqual([...keys].sort());
    }
  });

  it('reads launcher.<id>.models and agents.retry_context, and refuses bad ones', async () => {
    const config = await parseConfigText(
      'launcher:\n  claude:\n    models: {smart: claude-opus-4-5, cheap: haiku}\nagents:\n  retry_context: summary\n',
    );
    expect(config.launcher.settings.claude?.models).toEqual({ smart: 'claude-opus-4-5', cheap: 'haiku' });
    expect(config.agents.retryContext).toBe('summary');
    expect((await parseConfigText('')).agents.retryContext).toBe('resume');
    await expect(parseConfigText('launcher:\n  gemini:\n    models: {smart: --yolo}\n')).rejects.toThrow(
      /sase.yml:3: "launcher.gemini.models" must map aliases to models/,
    );
    await expect(parseConfigText('agents:\n  retry_context: always\n')).rejects.toThrow(
      /sase.yml:2: "agents.retry_context": resume, summary or none/,
    );
    // The adapters never see `models`: it is SASE's.
    expect(await resolveLauncher('claude', { models: { smart: 'opus' } })).toMatchObject({
      launcherId: 'claude',
    });
  });

  it('reads changes.mentors and notify, and refuses bad ones', async () => {
    const config = await parseConfigText(
      'changes:\n  mentors:\n    - {name: security, when: ["src/**"], model: "@smart"}\n    - {name: style}\nnotify:\n  - {on: [agent_failed], command: [notify-send, SASE]}\n',
    );
    expect(config.changes.mentors).toEqual([
      { name: 'security', prompt: 'change/review', model: '@smart', when: ['src/**'] },
      { name: 'style', prompt: 'change/review', when: 'always' },
    ]);
    expect(config.notify).toEqual([{ on: ['agent_failed'], command: ['notify-send', 'SASE'] }]);
    await expect(parseConfigText('changes:\n  mentors:\n    - {name: a}\n    - {name: a}\n')).rejects.toThrow(
      /sase.yml:4: changes.mentors: two mentors are named "a"/,
    );
    await expect(parseConfigText('notify:\n  - {on: [agent_exploded], command: [x]}\n')).rejects.toThrow(
      /sase.yml:2: "notify.0.on.0": one of plan_awaiting_approval, agent_failed/,
    );
  });

  it('reads agents.workspace and changes.hooks, and refuses a bad hook', async () => {
    const config = await parseConfigText(
      'agents:\n  workspace: worktree\nchanges:\n  hooks:\n    - {name: test, command: [npm, test], timeout_s: 30}\n  delete_merged_branches: true\n',
    );
    expect(config.agents.workspace).toBe('worktree');
    expect(config.changes).toEqual({
      hooks: [{ name: 'test', command: ['npm', 'test'], timeoutMs: 30_000 }],
      deleteMergedBranches: true,
      mentors: [],
    });
    await expect(
      parseConfigText('changes:\n  hooks:\n    - {name: test, command: "npm test"}\n'),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      line: 3,
    });
    await expect(
      parseConfigText('changes:\n  hooks:\n    - {name: a, command: [x]}\n    - {name: a, command: [y]}\n'),
    ).rejects.toThrow(/sase.yml:4: changes.hooks: two hooks are named "a"/);
    await expect(parseConfigText('agents:\n  workspace: tree\n')).rejects.toThrow(
      /sase.yml:2: "agents.workspace"/,
    );
  });

  it('finds the owning workspace from inside an agent worktree', async () => {
    const workspace = await createTestWorkspace();
    const { findWorkspace } = await import('./config.js');
    const { mkdirSync } = await import('node:fs');
    const inside = `${workspace.root}/.sase/workspaces/p-1.1/src`;
    mkdirSync(inside, { recursive: true });
    expect((await findWorkspace(inside)).root).toBe(workspace.root);
  });
});

describe('hostWorkspace', () => {
  it("gives an agent host the supervisor's configuration, whatever sase.yml holds now", async () => {
    const { hostWorkspace, HOST_CONFIG_VARIABLE } = await import('./supervisor.js');
    const root = mkdtempSync(join(tmpdir(), 'sase-host-config-'));
    try {
      writeFileSync(join(root, 'sase.yml'), 'launcher:\n  shell:\n    comand: [sh]\n'); // a typo, made after the start
      await expect(hostWorkspace(root, {})).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      const running = {
        ...DEFAULT_CONFIG,
        launcher: { default: 'shell', settings: { shell: { command: ['sh'] } } },
      };
      const workspace = await hostWorkspace(root, { [HOST_CONFIG_VARIABLE]: JSON.stringify(running) });
      expect(workspace.config.launcher).toEqual(running.launcher);
      expect(workspace.root).toBe(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
