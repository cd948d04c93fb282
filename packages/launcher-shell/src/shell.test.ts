import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composePrompt, type LaunchRequest } from '@sase/launcher-core';
import { collectRun, HOSTILE_PROMPT, runLauncherConformance } from '@sase/launcher-core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createShell, SHELL_CONTEXT_FILE_NAME, shell } from './shell.js';

const fakeExecutable = fileURLToPath(new URL('./__fixtures__/fake-agent.mjs', import.meta.url));
chmodSync(fakeExecutable, 0o755);

runLauncherConformance({
  name: 'shell',
  // A bare program name that is not on PATH: SASE_SHELL_BIN points it at the fake.
  createLauncher: () => createShell({ command: ['sase-fake-shell-agent', '--flag'], killGraceMs: 300 }),
  fakeExecutable,
  overrideVariable: 'SASE_SHELL_BIN',
  // A plain command has no structured result, and "garbage" is just output to it.
  scenarios: { errorResult: null, garbage: null },
  expectedFinalText: 'Reading the prompt.\nWorking on it...\nAll done.',
  // The prompt is often a script: the context goes to a file named by SASE_PROMPT_CONTEXT.
  promptContext: 'file',
});

const directory = mkdtempSync(join(tmpdir(), 'sase-shell-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let counter = 0;
function request(prompt: string) {
  counter += 1;
  return {
    agentName: `s${counter}`,
    prompt,
    cwd: directory,
    artifactsDir: join(directory, 'agents', `s${counter}`),
  };
}

describe('shell launcher', () => {
  it('has no default command: launch() throws NO_COMMAND, locate() says so', () => {
    expect(shell.launcherId).toBe('shell');
    for (const launcher of [shell, createShell(), createShell({ args: ['--yes'] })]) {
      expect(() => launcher.launch(request('x'))).toThrow(
        expect.objectContaining({
          code: 'NO_COMMAND',
          launcherId: 'shell',
          message:
            'launcher.shell has no command: set launcher.shell.command in sase.yml (an argv list such as ' +
            '["./agent.sh"], or a string run by sh -c)',
        }),
      );
      expect(launcher.locate()).toEqual({
        executable: '(no command)',
        found: false,
        overrideVariable: 'SASE_SHELL_BIN',
      });
    }
  });

  it('has no resume() and no model aliases: a command has no session to continue and no models', () => {
    for (const launcher of [shell, createShell({ command: ['cat'] })]) {
      expect('resume' in launcher).toBe(false);
      expect('modelAliases' in launcher).toBe(false);
    }
  });

  it('runs a string command with sh -c, but the prompt only ever reaches stdin', async () => {
    const launcher = createShell({ command: 'printf "agent=%s\\n" "$SASE_AGENT_NAME"; cat' });
    const run = launcher.launch({ ...request(HOSTILE_PROMPT), agentName: 'shelly' });
    const { events, outcome } = await collectRun(run);
    expect(outcome.outcome).toBe('completed');
    const lines = events.flatMap((event) => (event.type === 'output' ? [event.text] : []));
    expect(lines[0]).toBe('agent=shelly');
    // Output events are lines, so a CR before a newline is not kept in the final text.
    expect(outcome.finalText).toBe(`agent=shelly\n${HOSTILE_PROMPT.replace('\r\n', '\n')}`);
    expect(existsSync(join(directory, 'pwned-subshell'))).toBe(false);
    expect(existsSync(join(directory, 'pwned-redirect'))).toBe(false);
  });

  it('appends settings.args to an argv command and passes settings.env', async () => {
    const launcher = createShell({
      command: [process.execPath, '-e', 'console.log(process.argv.slice(1).join(" "), process.env.COLOUR)'],
      args: ['one', 'two words'],
      env: { COLOUR: 'blue' },
    });
    const { outcome } = await collectRun(launcher.launch(request('')));
    expect(outcome.finalText).toBe('one two words blue');
  });

  it('is failed with the exit code and stderr when the command fails', async () => {
    const launcher = createShell({ command: 'echo "no such file: plan.md" >&2; exit 3' });
    expect(await launcher.launch(request('x')).outcome).toEqual({
      outcome: 'failed',
      exitCode: 3,
      error: 'the agent exited with code 3: no such file: plan.md',
    });
  });

  it('refuses unusable settings with INVALID_SETTINGS', () => {
    expect(() => createShell({ command: [] })).toThrow(expect.objectContaining({ code: 'INVALID_SETTINGS' }));
    expect(() => createShell({ command: '  ' })).toThrow(/must not be empty/);
    expect(() => createShell({ command: ['ok', 3 as unknown as string] })).toThrow(
      /non-empty list of strings/,
    );
    expect(() => createShell({ args: 'x' as unknown as string[] })).toThrow(
      /launcher.shell: args must be a list/,
    );
  });

  it('refuses unknown settings, naming the key and the valid ones', () => {
    expect(() => createShell({ comand: ['./agent.sh'] } as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_SETTINGS',
        message:
          'launcher.shell: unknown setting "comand" (did you mean "command"?); the valid settings are command, ' +
          'args, env, killGraceMs (kill_grace_ms in sase.yml), context',
      }),
    );
    expect(() => createShell({ command: 'true', executable: '/bin/agent' } as never)).toThrow(
      /unknown setting "executable"/,
    );
    expect(() => createShell({ command: 'true', package: '@sase/launcher-shell' } as never)).toThrow(
      /unknown setting "package"/,
    );
  });

  it('refuses a context setting other than file or stdin', () => {
    expect(() => createShell({ command: 'true', context: 'argv' as never })).toThrow(
      expect.objectContaining({
        code: 'INVALID_SETTINGS',
        message: 'launcher.shell.context must be one of file, stdin, not "argv"',
      }),
    );
  });

  it('locate() reports the program of the command', () => {
    expect(createShell({ command: ['sh', '-c', 'true'] }).locate()).toMatchObject({
      executable: 'sh',
      found: true,
      overrideVariable: 'SASE_SHELL_BIN',
    });
    expect(createShell({ command: ['surely-not-installed-xyz'] }).locate()).toMatchObject({ found: false });
  });
});

describe('shell launcher: context beside the prompt', () => {
  const context = [
    { title: 'Failing check', text: 'FAIL src/math.test.ts\n' },
    { title: 'Previous attempt', text: 'exited with code 1' },
  ];
  const markdown = '## Failing check\n\nFAIL src/math.test.ts\n\n## Previous attempt\n\nexited with code 1\n';
  // Prints stdin, then the variable and the file it names.
  const probe = [
    process.execPath,
    '-e',
    [
      "const { readFileSync } = require('node:fs');",
      "const stdin = readFileSync(0, 'utf8');",
      'const file = process.env.SASE_PROMPT_CONTEXT;',
      "process.stdout.write(JSON.stringify({ stdin, file: file ?? null, text: file ? readFileSync(file, 'utf8') : null }));",
    ].join(' '),
  ];
  const probeRun = async (settings: Parameters<typeof createShell>[0], launchRequest: LaunchRequest) => {
    const { outcome } = await collectRun(createShell({ command: probe, ...settings }).launch(launchRequest));
    expect(outcome.outcome).toBe('completed');
    return JSON.parse(outcome.finalText ?? '') as { stdin: string; file: string | null; text: string | null };
  };

  it('keeps stdin byte for byte the prompt and writes the context to <artifactsDir>/context.md', async () => {
    const script = '#!/bin/sh\nset -e\nnpm test\n';
    const launchRequest = { ...request(script), context };
    const seen = await probeRun({}, launchRequest);
    expect(seen).toEqual({
      stdin: script,
      file: join(launchRequest.artifactsDir, 'context.md'),
      text: markdown,
    });
    expect(readFileSync(join(launchRequest.artifactsDir, SHELL_CONTEXT_FILE_NAME), 'utf8')).toBe(markdown);
    expect(readdirSync(launchRequest.artifactsDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('without context: no variable, no file, and a stale context.md of an earlier run is removed', async () => {
    const first = { ...request('one'), context };
    await probeRun({}, first);
    expect(existsSync(join(first.artifactsDir, 'context.md'))).toBe(true);
    const second = { ...first, context: undefined, env: { SASE_PROMPT_CONTEXT: '/elsewhere/context.md' } };
    expect(await probeRun({}, second)).toEqual({ stdin: 'one', file: null, text: null });
    expect(existsSync(join(first.artifactsDir, 'context.md'))).toBe(false);
    const empty = { ...request('two'), context: [] };
    expect(await probeRun({}, empty)).toEqual({ stdin: 'two', file: null, text: null });
    expect(existsSync(join(empty.artifactsDir, 'context.md'))).toBe(false);
  });

  it("with context: 'stdin', appends the context to stdin (composePrompt) and still writes the file", async () => {
    const launchRequest = { ...request('Fix the test.\n'), context };
    const seen = await probeRun({ context: 'stdin' }, launchRequest);
    expect(seen).toEqual({
      stdin: composePrompt('Fix the test.\n', context),
      file: join(launchRequest.artifactsDir, 'context.md'),
      text: markdown,
    });
    expect(seen.stdin).toBe(`Fix the test.\n\n${markdown}`);
    expect(await probeRun({ context: 'stdin' }, request('no notes\n'))).toMatchObject({
      stdin: 'no notes\n',
    });
  });

  it('refuses a malformed context with INVALID_REQUEST before writing anything', () => {
    const launchRequest = { ...request('x'), context: [{ title: '', text: 'x' }] };
    expect(() => createShell({ command: 'true' }).launch(launchRequest)).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    expect(existsSync(launchRequest.artifactsDir)).toBe(false);
  });
});
