// What the `sase bead work` tests share (work.test.ts, and work.e2e.test.ts for the full runs): real bead
// stores, real agent registries, the real
// detached supervisor (the built CLI: run `cd apps/cli && pnpm build` first), real git worktrees and real
// agent processes started by the shell launcher. Most tests use scripts/demo-agent.mjs: a phase agent reads
// its bead, writes src/<bead>.md in its worktree (odd phases commit it themselves) and closes its bead; the
// land agent runs `sase change land`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AgentState, agentStates, createRegistry, readSupervisorStatus } from '@sase/scheduler';
import { afterAll, beforeAll, expect } from 'vitest';
import { createTempWorkspace, runCli } from '../../../testing/run-cli.js';

export const repoRoot = fileURLToPath(new URL('../../../../../../', import.meta.url));
export const demoAgent = join(repoRoot, 'scripts', 'demo-agent.mjs');
export const builtCli = join(repoRoot, 'apps', 'cli', 'dist', 'bin.cjs');

export const TIMEOUT = 120_000;

// The plan of every epic test: five phases with a diamond (hashing and sessions both need the schema; the
// endpoint needs both). Approving it makes bw-1 and its phases bw-1.1 … bw-1.5, in this order.
export const PLAN = `---
title: Login rework
phases:
  - {id: schema, title: Schema migration, depends_on: [], description: Add the credentials table., model: opus}
  - {id: hashing, title: Password hashing, depends_on: [schema], description: Hash with scrypt.}
  - {id: sessions, title: Session tokens, depends_on: [schema], description: Signed and expiring tokens.}
  - {id: endpoint, title: Login endpoint, depends_on: [hashing, sessions], description: POST /login.}
  - {id: docs, title: Documentation, depends_on: [endpoint], description: Document the flow.}
---
# Login rework

Replace the legacy login with hashed passwords and signed session tokens.
`;
export const EPIC = 'bw-1';
export const SCHEMA = 'bw-1.1';
export const HASHING = 'bw-1.2';
export const SESSIONS = 'bw-1.3';
export const ENDPOINT = 'bw-1.4';
export const DOCS = 'bw-1.5';
export const PHASES = [SCHEMA, HASHING, SESSIONS, ENDPOINT, DOCS];
export const TITLES: Record<string, string> = {
  [SCHEMA]: 'Schema migration',
  [HASHING]: 'Password hashing',
  [SESSIONS]: 'Session tokens',
  [ENDPOINT]: 'Login endpoint',
  [DOCS]: 'Documentation',
};
/** The diamond: the agents each phase agent waits on when every phase is scheduled. */
export const DIAMOND_WAITS: Record<string, string[]> = {
  [SCHEMA]: [],
  [HASHING]: [SCHEMA],
  [SESSIONS]: [SCHEMA],
  [ENDPOINT]: [HASHING, SESSIONS],
  [DOCS]: [ENDPOINT],
};

/**
 * Registers the hooks that give every command of a test file (in-process, the supervisor, the agents) a HOME
 * of its own: `sase plan submit` touches ~/.sase and the xprompt catalog reads ~/.xprompts.
 */
export function useBeadWorkEnvironment(): void {
  const savedEnv: Record<string, string | undefined> = {};
  let home: string | undefined;
  beforeAll(() => {
    if (!existsSync(builtCli)) {
      throw new Error(`${builtCli} is missing: build the CLI first (cd apps/cli && pnpm build)`);
    }
    for (const name of ['HOME', 'SASE_ARTIFACTS_DIR', 'SASE_AGENT_NAME', 'SASE_BEAD_ID', 'DEMO_FAIL_PHASE']) {
      savedEnv[name] = process.env[name];
      delete process.env[name];
    }
    home = mkdtempSync(join(tmpdir(), 'sase-bead-work-home-'));
    process.env.HOME = home;
  });
  afterAll(() => {
    if (home !== undefined) rmSync(home, { recursive: true, force: true });
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}

export type Result = Awaited<ReturnType<typeof runCli>>;

/** `sase <argv>` in cwd, expecting exit 0 (the failure message shows what the command printed). */
export async function sase(cwd: string, ...argv: string[]): Promise<Result> {
  const result = await runCli(cwd, ...argv);
  expect(result.code, `sase ${argv.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
  return result;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

/** sase.yml: the shell launcher runs `command` (with `env` in its settings). */
export function writeConfig(cwd: string, command: readonly string[], env?: Record<string, string>): void {
  const lines = ['launcher:', '  default: shell', '  shell:', `    command: ${JSON.stringify(command)}`];
  if (env) lines.push(`    env: ${JSON.stringify(env)}`);
  lines.push('axe:', '  poll_ms: 250', '');
  writeFileSync(join(cwd, 'sase.yml'), lines.join('\n'));
}

export const DEMO_COMMAND = [process.execPath, demoAgent];

/** A git checkout with SASE set up (prefix bw): the demo agent as the shell launcher's command. */
export async function createWorkspace(command: readonly string[] = DEMO_COMMAND, env?: Record<string, string>) {
  const cwd = createTempWorkspace('ws');
  git(cwd, 'config', 'user.name', 'Bead Work Test');
  git(cwd, 'config', 'user.email', 'bead-work@localhost');
  git(cwd, 'commit', '-q', '--allow-empty', '-m', 'init');
  writeConfig(cwd, command, env);
  await sase(cwd, 'init', '--prefix', 'bw');
  return cwd;
}

/** createWorkspace, plus the diamond epic planned and approved through `sase plan` (bw-1, bw-1.1 … bw-1.5). */
export async function createEpicWorkspace(command: readonly string[] = DEMO_COMMAND, env?: Record<string, string>) {
  const cwd = await createWorkspace(command, env);
  writeFileSync(join(cwd, 'plan.md'), PLAN);
  writeFileSync(
    join(cwd, 'prompt.md'),
    'Plan a rework of the login: hashing, sessions, an endpoint, docs.\n',
  );
  await sase(cwd, 'plan', 'submit', 'plan.md', '--tier', 'epic', '--prompt', 'prompt.md');
  const approved = JSON.parse((await sase(cwd, 'plan', 'approve', 'login-rework', '--json')).stdout);
  expect(approved).toMatchObject({ bead: EPIC, phases: PHASES });
  return cwd;
}

/** Runs `body`, then always stops the workspace's supervisor (and with it every agent it runs). */
export async function withSupervisorStopped<T>(cwd: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    const stop = await runCli(cwd, 'axe', 'stop');
    expect(stop.code, stop.stderr).toBe(0);
  }
}

export interface BeadJson {
  id: string;
  title: string;
  status: string;
  assignee?: string;
  notes?: string;
  is_ready_to_work?: boolean;
  close_reason?: string;
}

export async function beads(cwd: string): Promise<Record<string, BeadJson>> {
  const list = JSON.parse((await sase(cwd, 'bead', 'list', '--json')).stdout) as BeadJson[];
  return Object.fromEntries(list.map((bead) => [bead.id, bead]));
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function agentDir(cwd: string, name: string): string {
  return join(cwd, '.sase', 'agents', name);
}

export function requestOf(cwd: string, name: string): Record<string, unknown> {
  return readJson(join(agentDir(cwd, name), 'request.json'));
}

export function statesOf(cwd: string): Record<string, AgentState> {
  return Object.fromEntries(agentStates(createRegistry(cwd)).map((state) => [state.name, state]));
}

/** Every file and directory under `dir` with the bytes of each file ({} when dir does not exist). */
export function snapshotTree(dir: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (relative: string) => {
    const absolute = join(dir, relative);
    for (const entry of readdirSync(absolute).sort()) {
      const path = relative === '' ? entry : `${relative}/${entry}`;
      if (statSync(join(dir, path)).isDirectory()) {
        tree[`${path}/`] = '<dir>';
        walk(path);
      } else {
        tree[path] = readFileSync(join(dir, path)).toString('base64');
      }
    }
  };
  if (existsSync(dir)) walk('');
  return tree;
}

/** The bytes that `sase bead work --dry-run` must leave alone: the bead JSONL and the agent registry. */
export function snapshotState(cwd: string): { jsonl: string; agents: Record<string, string> } {
  return {
    jsonl: readFileSync(join(cwd, '.sase', 'sdd', 'beads', 'issues.jsonl')).toString('base64'),
    agents: snapshotTree(join(cwd, '.sase', 'agents')),
  };
}

export function commitSubjects(cwd: string, ...revisions: string[]): string[] {
  return git(cwd, 'log', '--format=%s', ...revisions)
    .trim()
    .split('\n');
}

export async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
