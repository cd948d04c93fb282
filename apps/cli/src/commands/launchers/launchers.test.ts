import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launcherSettingsFromConfig, listLaunchers, resolveLauncher } from '@sase/workspace';
import { describe, expect, it } from 'vitest';
import { Command } from '../../commander.js';
import { CliRuntime } from '../../runtime.js';
import { captureIo, createTempDir, createTempWorkspace } from '../../testing/run-cli.js';
import { launchers } from './launchers.js';
import { registerLaunchers } from './register.js';

describe('resolveLauncher', () => {
  it('loads each built-in adapter with its settings', async () => {
    for (const id of ['shell', 'claude', 'codex', 'gemini']) {
      const launcher = await resolveLauncher(id);
      expect(launcher.specificationVersion).toBe('launcher-v1');
      expect(launcher.launcherId).toBe(id);
    }
    const shell = await resolveLauncher('shell', { command: ['definitely-not-installed-xyz'] });
    expect(shell.locate?.()).toMatchObject({ executable: 'definitely-not-installed-xyz', found: false });
  });

  it('passes snake_case settings as camelCase, and adapters refuse bad ones', async () => {
    expect(launcherSettingsFromConfig({ kill_grace_ms: 5, env: { MY_VAR: '1' } })).toEqual({
      killGraceMs: 5,
      env: { MY_VAR: '1' },
    });
    await expect(resolveLauncher('codex', { approved_sandbox: 'wide-open' })).rejects.toMatchObject({
      code: 'INVALID_SETTINGS',
      message: expect.stringContaining('approvedSandbox'),
    });
  });

  it('refuses unknown ids and unloadable packages with LAUNCHER_NOT_FOUND', async () => {
    await expect(resolveLauncher('aider')).rejects.toMatchObject({
      code: 'LAUNCHER_NOT_FOUND',
      message: expect.stringContaining('shell, claude, codex, gemini'),
    });
    await expect(resolveLauncher('aider', { package: '@nobody/no-such-launcher' })).rejects.toMatchObject({
      code: 'LAUNCHER_NOT_FOUND',
    });
  });
});

describe('sase launchers', () => {
  it('lists every launcher, the default, and whether its executable is found', async () => {
    const cwd = createTempWorkspace();
    writeFileSync(
      join(cwd, 'sase.yml'),
      'launcher:\n  default: claude\n  claude:\n    executable: /nonexistent/claude\n  gemini:\n    output_format: text\n',
    );
    const io = captureIo();
    expect(await launchers({ cwd, io, json: true })).toBe(0);
    const rows = JSON.parse(io.out) as Record<string, unknown>[];
    expect(rows.map((row) => row.id)).toEqual(['shell', 'claude', 'codex', 'gemini']);
    expect(rows[0]).toMatchObject({
      id: 'shell',
      package: '@sase/launcher-shell',
      default: false,
      // The shell launcher runs nothing until launcher.shell.command says what.
      executable: '(no command)',
      found: false,
      override_variable: 'SASE_SHELL_BIN',
    });
    expect(rows[1]).toMatchObject({
      id: 'claude',
      default: true,
      executable: '/nonexistent/claude',
      found: false,
      path: null,
      override_variable: 'SASE_CLAUDE_BIN',
    });
    expect(rows[3]).toMatchObject({ id: 'gemini', error: expect.stringContaining('outputFormat must be') });
  });

  it('prints a table, also outside a workspace', async () => {
    const cwd = createTempDir('sase-no-workspace');
    const io = captureIo();
    expect(await launchers({ cwd, io, json: false })).toBe(0);
    const lines = io.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+DEFAULT\s+FOUND\s+EXECUTABLE\s+OVERRIDE\s+PACKAGE$/);
    // Outside a workspace nothing is the default, and the shell launcher has no command.
    expect(lines[1]).toMatch(/^shell\s+no\s+\(no command\)\s+SASE_SHELL_BIN\s+@sase\/launcher-shell$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([
      'shell',
      'claude',
      'codex',
      'gemini',
    ]);
  });

  it('lists a third-party launcher configured in sase.yml', async () => {
    const listings = await listLaunchers({ settings: { aider: { package: '@nobody/no-such-launcher' } } });
    expect(listings.at(-1)).toMatchObject({
      id: 'aider',
      packageName: '@nobody/no-such-launcher',
      error: expect.any(String),
    });
  });

  it('is registered as a commander command', async () => {
    const cwd = createTempWorkspace();
    const io = captureIo();
    const runtime = new CliRuntime(io, () => cwd);
    const program = new Command('sase').exitOverride();
    registerLaunchers(program, runtime);
    await program.parseAsync(['launchers', '--json'], { from: 'user' });
    expect(JSON.parse(io.out)).toHaveLength(4);
  });
});
