// `sase ace --once` and the command's wiring, in-process against real files: a bead store made by `sase init`
// and `sase bead create`, and agents written with the scheduler's own registry (fixed times, so the elapsed
// column is stable).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AgentOutcome, createRegistry, submitSegments } from '@sase/scheduler';
import { describe, expect, it } from 'vitest';
import { createTempWorkspace, runCli } from '../../testing/run-cli.js';

const SUBMITTED = new Date('2026-11-28T09:00:00.000Z');

/** A workspace with an epic of three phases being worked, a planner, a failed check and a killed agent. */
async function fleetWorkspace(): Promise<string> {
  const cwd = createTempWorkspace('shop');
  expect((await runCli(cwd, 'init', '--prefix', 'sh')).code).toBe(0);
  const create = async (...args: string[]) =>
    expect((await runCli(cwd, 'bead', 'create', ...args)).code).toBe(0);
  await create('-t', 'Login rework', '--type', 'plan', '--tier', 'epic');
  await create('-t', 'Schema migration', '--type', 'phase', '--parent', 'sh-1');
  await create('-t', 'Password hashing', '--type', 'phase', '--parent', 'sh-1', '--deps', 'sh-1.1');
  await create('-t', 'Login endpoint', '--type', 'phase', '--parent', 'sh-1', '--deps', 'sh-1.2');
  expect((await runCli(cwd, 'bead', 'close', 'sh-1.1')).code).toBe(0);

  const registry = createRegistry(cwd);
  submitSegments(
    registry,
    [
      { prompt: 'migrate', beadId: 'sh-1.1', directives: { name: 'sh-1.1', model: 'claude/opus' } },
      { prompt: 'hash', beadId: 'sh-1.2', directives: { name: 'sh-1.2', wait: ['sh-1.1'] } },
      { prompt: 'endpoint', beadId: 'sh-1.3', directives: { name: 'sh-1.3', wait: ['sh-1.2'] } },
      { prompt: 'land', beadId: 'sh-1', directives: { name: 'sh-1', wait: ['sh-1.1', 'sh-1.2', 'sh-1.3'] } },
      { prompt: 'plan the upload', directives: { name: 'uploader', plan: true } },
      { prompt: 'lint', directives: { name: 'lint', group: 'checks' } },
      { prompt: 'format', directives: { name: 'format', group: 'checks', hide: true } },
      { prompt: 'sleep 100', directives: { name: 'sleeper' } },
    ],
    { launcher: 'shell', now: SUBMITTED },
  );
  const finish = (
    name: string,
    outcome: AgentOutcome,
    seconds: number,
    exitCode: number | null,
    error?: string,
  ) =>
    registry.recordOutcome({
      name,
      outcome,
      exitCode,
      startedAt: '2026-11-28T09:00:01.000Z',
      finishedAt: new Date(Date.parse('2026-11-28T09:00:01.000Z') + seconds * 1000).toISOString(),
      launcher: 'shell',
      model: null,
      error: error ?? null,
      attempt: 1,
    });
  finish('sh-1.1', 'completed', 95, 0);
  finish('sh-1.2', 'failed', 12, 1, 'the agent exited with code 1');
  finish('uploader', 'plan_submitted', 3, 0);
  finish('lint', 'noop', 0.4, 0);
  finish('format', 'completed', 1, 0);
  finish('sleeper', 'killed', 4000, null, 'killed with sase agent kill');
  return cwd;
}

describe('sase ace --once', () => {
  it('prints the Agents tab at 80 columns as plain text', async () => {
    const cwd = await fleetWorkspace();
    const result = await runCli(cwd, 'ace', '--once', '--width', '80');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatchInlineSnapshot(`
      "ACE shop · axe off · 7 agents: 2 waiting, 1 plan, 1 failed, 1 killed, 1 complet…
      NAME     STATE     TRY WAITS ON                ELAPSED LAUNCHER MODEL
      ▸ group checks  1/1 done
      lint     noop        1                           400ms shell
      ▸ epic sh-1 · Login rework  1/4 done
      sh-1.1   completed   1                           1m35s claude   opus
      sh-1.2   failed      1                             12s shell
      sh-1.3   waiting     1 sh-1.2 (failed)                 shell
      sh-1     waiting     1 sh-1.2 (failed), sh-1.3         shell
      ▸ other  0/2 done
      sleeper  killed      1                           1h06m shell
      uploader plan        1                              3s shell
      "
    `);
    for (const line of result.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(result.stdout).not.toMatch(/\x1b/);
  });

  it('takes the width from --width, else $COLUMNS, else 80; --all adds %hide agents', async () => {
    const cwd = await fleetWorkspace();
    const narrow = await runCli(cwd, 'ace', '--once', '--width', '40');
    for (const line of narrow.stdout.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    expect(narrow.stdout).toMatch(/^sh-1\.2 +failed/m);
    const previous = process.env.COLUMNS;
    process.env.COLUMNS = '50';
    try {
      const fromEnv = await runCli(cwd, 'ace', '--once');
      expect(
        Math.max(
          ...fromEnv.stdout
            .trimEnd()
            .split('\n')
            .map((line) => line.length),
        ),
      ).toBe(50);
    } finally {
      if (previous === undefined) delete process.env.COLUMNS;
      else process.env.COLUMNS = previous;
    }
    expect((await runCli(cwd, 'ace', '--once')).stdout).not.toMatch(/format/);
    expect((await runCli(cwd, 'ace', '--once', '--all')).stdout).toMatch(/^format +completed/m);
    const refused = await runCli(cwd, 'ace', '--once', '--width', 'wide');
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('--width must be') });
    expect((await runCli(cwd, 'ace', '--tab', 'nope')).code).toBe(2);
  });

  it('prints the rows as JSON with --json', async () => {
    const cwd = await fleetWorkspace();
    const result = await runCli(cwd, 'ace', '--once', '--json');
    const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(rows.map((row) => [row.group, row.name, row.state])).toEqual([
      ['group checks', 'lint', 'noop'],
      ['epic sh-1 · Login rework', 'sh-1.1', 'completed'],
      ['epic sh-1 · Login rework', 'sh-1.2', 'failed'],
      ['epic sh-1 · Login rework', 'sh-1.3', 'waiting'],
      ['epic sh-1 · Login rework', 'sh-1', 'waiting'],
      ['other', 'sleeper', 'killed'],
      ['other', 'uploader', 'plan'],
    ]);
    expect(rows[1]).toEqual({
      group: 'epic sh-1 · Login rework',
      name: 'sh-1.1',
      state: 'completed',
      attempt: 1,
      waits_on: [],
      reason: null,
      elapsed_ms: 95_000,
      launcher: 'claude',
      model: 'opus',
    });
  });

  it('without a terminal prints the frame once, as --once does', async () => {
    const cwd = await fleetWorkspace();
    const result = await runCli(cwd, 'ace');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ACE shop · axe off · 7 agents/);
  });
});

describe('start-up', () => {
  const dist = fileURLToPath(new URL('../../../dist/', import.meta.url));

  /** Every module a built file loads before it runs (static imports and requires, not import()). */
  function staticGraph(entry: string): Set<string> {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return; // a package: recorded by name, not followed
      }
      const specifiers = [
        ...text.matchAll(/^import\s[^'"]*?["']([^"']+)["'];?$/gm),
        ...text.matchAll(/^import\s*["']([^"']+)["']/gm),
        ...text.matchAll(/\brequire\(["']([^"']+)["']\)/g),
      ].map((match) => match[1]!);
      for (const specifier of specifiers) {
        visit(specifier.startsWith('.') ? join(file, '..', specifier) : specifier);
      }
    };
    visit(join(dist, entry));
    return seen;
  }

  it('loads neither the ace module nor ink or react for `sase --version`, `sase bead ...` or other commands', () => {
    if (!existsSync(join(dist, 'bin.cjs'))) {
      throw new Error(`${dist}bin.cjs is missing: build the CLI first (cd apps/cli && pnpm build)`);
    }
    for (const entry of ['bin.cjs', 'bead-main.cjs', 'main.js']) {
      const graph = [...staticGraph(entry)];
      expect(graph.filter((module) => /\bink\b|\breact\b|commands\/ace\/(?!register)/.test(module))).toEqual(
        [],
      );
    }
    // Only `sase ace` (interactive) loads them.
    const app = [...staticGraph('commands/ace/app.js')];
    expect(app).toEqual(expect.arrayContaining(['ink', 'react']));
    expect(
      [...staticGraph('commands/ace/ace.js')].filter((module) => module === 'ink' || module === 'react'),
    ).toEqual([]);
  });
});
