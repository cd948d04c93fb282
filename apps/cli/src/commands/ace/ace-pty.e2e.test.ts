// `sase ace` driven in a real pseudo-terminal, as a person would: the built CLI (run `cd apps/cli && pnpm
// build` first) in an 80×24 pty made by util-linux `script`, keys typed into it, and the screen read back
// through @xterm/headless (see src/testing/pty.ts). The agents are real: shell scripts started by the real
// supervisor (`sase run` starts it), so the view follows the fleet through file watching.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plannerAgentScript } from '../../testing/planner-agent.js';
import { type PtySession, startInPty } from '../../testing/pty.js';
import { createTempWorkspace, runCli } from '../../testing/run-cli.js';

const builtCli = fileURLToPath(new URL('../../../dist/bin.cjs', import.meta.url));
const TIMEOUT = 90_000;

const savedEnv: Record<string, string | undefined> = {};
let home = '';
beforeAll(() => {
  if (!existsSync(builtCli))
    throw new Error(`${builtCli} is missing: build the CLI first (cd apps/cli && pnpm build)`);
  for (const name of [
    'HOME',
    'NO_COLOR',
    'FORCE_COLOR',
    'SASE_ARTIFACTS_DIR',
    'SASE_AGENT_NAME',
    'SASE_BEAD_ID',
  ]) {
    savedEnv[name] = process.env[name];
    delete process.env[name];
  }
  home = mkdtempSync(join(tmpdir(), 'sase-ace-home-'));
  process.env.HOME = home;
});
afterAll(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** The screen's row that starts with an agent's (or plan's) name, selection marker aside. */
function rowOf(screen: string[], name: string): string | undefined {
  return screen.find((line) => line.replace(/^[> ] /, '').startsWith(`${name} `));
}

/** Waits until the row of `name` matches `pattern` (e.g. /completed +2\b/). */
function waitForRow(ace: PtySession, name: string, pattern: RegExp, timeoutMs = 30_000): Promise<string[]> {
  return ace.waitFor((screen) => pattern.test(rowOf(screen, name) ?? ''), timeoutMs);
}

function expectFits(ace: PtySession): void {
  expect(ace.wrappedRows()).toEqual([]);
  for (const line of ace.screen()) expect(line.length).toBeLessThanOrEqual(80);
}

function startAce(cwd: string, env: NodeJS.ProcessEnv = {}): PtySession {
  return startInPty([process.execPath, builtCli, 'ace'], {
    cwd,
    env: { ...process.env, HOME: home, ...env },
    columns: 80,
    rows: 24,
  });
}

describe('sase ace in a terminal', () => {
  it(
    'follows a fleet as it changes state, retries a failed agent with R and kills one with x',
    async () => {
      const cwd = createTempWorkspace('fleet');
      writeFileSync(join(cwd, 'sase.yml'), 'launcher:\n  default: shell\n  shell:\n    command: [sh]\n');
      const submitted = await runCli(
        cwd,
        'run',
        [
          '%name:one\nwhile [ ! -f go ]; do sleep 0.05; done',
          '%name:two %wait:one\necho two',
          '%name:flaky\n[ -f fixed ] || { echo "not fixed yet" >&2; exit 3; }',
          '%name:after %wait:flaky\necho after',
          '%name:sleeper\nsleep 60',
        ].join('\n---\n'),
      );
      expect(submitted.code, submitted.stderr).toBe(0);
      const ace = startAce(cwd);
      try {
        await ace.waitFor(
          (screen) =>
            /running/.test(rowOf(screen, 'one') ?? '') &&
            /waiting +1 one\b/.test(rowOf(screen, 'two') ?? '') &&
            /failed +1\b/.test(rowOf(screen, 'flaky') ?? '') &&
            /waiting +1 flaky \(failed\)/.test(rowOf(screen, 'after') ?? '') &&
            /running/.test(rowOf(screen, 'sleeper') ?? ''),
          30_000,
        );
        expect(ace.screen()[0]).toMatch(/^ACE fleet │\s?\[?\s?1 Agents 5/);
        expectFits(ace);

        // The fleet moves on: one finishes, two starts and finishes; the view follows by itself.
        writeFileSync(join(cwd, 'go'), '');
        await waitForRow(ace, 'two', /completed +1\b/);
        expect(rowOf(ace.screen(), 'one')).toMatch(/completed +1\b/);

        // R on the failed agent (selected through the filter): a new attempt, which now succeeds, and what
        // waited on it proceeds.
        writeFileSync(join(cwd, 'fixed'), '');
        ace.type('/flaky\r');
        await ace.waitFor((screen) => /^> flaky +failed/m.test(screen.join('\n')) && !rowOf(screen, 'one'));
        ace.type('R');
        await ace.waitFor(/flaky: attempt 2 submitted \(attempt 1 failed\)/);
        await waitForRow(ace, 'flaky', /completed +2\b/);
        ace.type('\x1b');
        await waitForRow(ace, 'after', /completed +1\b/);
        expectFits(ace);

        // x asks first, then kills.
        ace.type('/sleeper\r');
        await ace.waitFor(/^> sleeper +running/m);
        ace.type('x');
        await ace.waitFor(/kill sleeper\? \(y\/n\)/);
        ace.type('y');
        await waitForRow(ace, 'sleeper', /killed +1\b/);
        await ace.waitFor(/sleeper: running -> killed/);

        // Colour on a colour terminal: the failed state was red, the selection inverse.
        expect(ace.output()).toMatch(/\x1b\[31mfailed/);
        expect(ace.output()).toMatch(/\x1b\[7m/);
        ace.type('q');
        expect(await ace.exited()).toBe(0);
      } finally {
        await ace.close();
        await runCli(cwd, 'axe', 'stop');
      }
    },
    TIMEOUT,
  );

  it(
    'rejects a plan with r and typed feedback, shows the new plan, approves it with a; no colour under NO_COLOR',
    async () => {
      const cwd = createTempWorkspace('planner');
      execGit(cwd, ['commit', '-q', '--allow-empty', '-m', 'init']);
      writeFileSync(join(cwd, 'agent.sh'), plannerAgentScript(builtCli));
      const agentHome = join(home, 'agent');
      mkdirSync(agentHome, { recursive: true });
      writeFileSync(
        join(cwd, 'sase.yml'),
        `launcher:\n  default: shell\n  shell:\n    command: [sh, ${JSON.stringify(join(cwd, 'agent.sh'))}]\n    env: {HOME: ${JSON.stringify(agentHome)}}\n`,
      );
      expect((await runCli(cwd, 'init', '--prefix', 'up')).code).toBe(0);
      // Two segments: a multi-prompt goes to the supervisor (one alone would run in the foreground).
      const submitted = await runCli(
        cwd,
        'run',
        '%name:uploader %plan\nMake the upload reliable.\n---\n%name:after %wait:uploader\necho after',
      );
      expect(submitted.code, submitted.stderr).toBe(0);
      const ace = startAce(cwd, { NO_COLOR: '1' });
      try {
        await waitForRow(ace, 'uploader', /plan +1\b/, 30_000);
        // The hints offer a and r on an agent whose plan awaits approval; the plans tab lists it first.
        ace.type('3');
        await ace.waitFor(/^> awaiting tale +retry-the-upload +1 uploader/m);
        expect(ace.screen()[0]).toMatch(/\[3 Plans 1 awaiting\]/);

        ace.type('r');
        await ace.waitFor(/^feedback for retry-the-upload: _$/m);
        ace.type('Add a backoff.');
        await ace.waitFor(/^feedback for retry-the-upload: Add a backoff\._$/m);
        ace.type('\r');
        await ace.waitFor(
          /^rejected retry-the-upload; uploader plans again with the feedback \(attempt 2\)$/m,
        );
        // The agent plans again; its new round awaits approval.
        await ace.waitFor(/^> awaiting tale +retry-the-upload +2 uploader/m);
        ace.type('\r');
        await ace.waitFor((screen) =>
          screen.some((line) => line.includes('Try three times. Add a backoff.')),
        );
        expect(ace.screen()[1]).toBe('plan retry-the-upload: Retry the upload');
        expectFits(ace);
        ace.type('\x1b');
        await ace.waitFor(/^> awaiting tale/m);

        ace.type('a');
        await ace.waitFor(/^approved retry-the-upload as up-1; uploader implements it \(attempt 3\)$/m);
        ace.type('1');
        await waitForRow(ace, 'uploader', /completed +3\b/);
        await waitForRow(ace, 'after', /completed +1\b/);
        expect(readFileSync(join(cwd, 'implemented-uploader.md'), 'utf8')).toContain(
          '## Implement the approved plan',
        );
        const shown = JSON.parse((await runCli(cwd, 'plan', 'show', 'retry-the-upload', '--json')).stdout);
        expect(shown).toMatchObject({
          state: 'approved',
          round: 2,
          reviews: [expect.objectContaining({ verdict: 'rejected' })],
        });
        expect(shown.reviews[0].feedback).toContain('Add a backoff.');
        expectFits(ace);

        // NO_COLOR: not one colour (or bold, dim, inverse) escape in everything ACE printed.
        expect(ace.output()).not.toMatch(/\x1b\[[0-9;]*m/);
        ace.type('q');
        expect(await ace.exited()).toBe(0);
      } finally {
        await ace.close();
        await runCli(cwd, 'axe', 'stop');
      }
    },
    TIMEOUT,
  );
});

function execGit(cwd: string, args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@l', ...args], { cwd });
}
