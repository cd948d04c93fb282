import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectRun, HOSTILE_PROMPT, runLauncherConformance } from '@sase/launcher-core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createShell, shell } from './shell.js';

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
  it('defaults to cat, which echoes the prompt back as the final text', async () => {
    expect(shell.launcherId).toBe('shell');
    const { events, outcome } = await collectRun(shell.launch(request('line one\nline two\n')));
    expect(events.find((event) => event.type === 'start')).toMatchObject({ launcherId: 'shell' });
    expect(outcome).toEqual({ outcome: 'completed', exitCode: 0, finalText: 'line one\nline two' });
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

  it('locate() reports the program of the command', () => {
    expect(createShell({ command: ['sh', '-c', 'true'] }).locate()).toMatchObject({
      executable: 'sh',
      found: true,
      overrideVariable: 'SASE_SHELL_BIN',
    });
    expect(createShell({ command: ['surely-not-installed-xyz'] }).locate()).toMatchObject({ found: false });
  });
});
