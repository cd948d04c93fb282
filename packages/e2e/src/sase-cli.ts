// Shared by the tests that drive the built `sase` CLI (apps/cli/dist/bin.cjs) with the real agent CLIs.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AgentCli, type CliSandbox, createCliSandbox, createGitWorkspace } from './agent-clis.js';
import { RUN_TIMEOUT_MS } from './harness.js';

/** The built CLI. */
export const SASE_BIN = fileURLToPath(new URL('../../../apps/cli/dist/bin.cjs', import.meta.url));
export const isSaseBuilt = existsSync(SASE_BIN);

/** sase.yml `launcher.<cli>`: the pinned CLI and the environment that points it at the mock (YAML accepts JSON). */
export function launcherYml(cli: AgentCli, executable: string, env: Record<string, string>): string {
  return [
    `  ${cli}:`,
    `    executable: ${JSON.stringify(executable)}`,
    `    env: ${JSON.stringify(env)}`,
    ...(cli === 'gemini' ? ['    trust_workspace: true'] : []),
  ].join('\n');
}

export interface SaseResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node apps/cli/dist/bin.cjs <args>` in `cwd`, with its own HOME. */
export function runSase(
  args: string[],
  cwd: string,
  home: string,
  timeoutMs = RUN_TIMEOUT_MS,
): Promise<SaseResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SASE_BIN, ...args],
      { cwd, env: { ...process.env, HOME: home }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface SaseWorkspace {
  /** The git checkout (one commit) with `sase.yml` and `.sase/` set up (`sase init`). */
  root: string;
  /** A HOME for the sase commands (and the supervisor they start). */
  home: string;
  sandbox: CliSandbox;
  /** `sase <args>` here. */
  sase(args: string[], timeoutMs?: number): Promise<SaseResult>;
  /** `git <args>` here. */
  git(...args: string[]): string;
  dispose(): Promise<void>;
}

/**
 * A workspace whose default launcher is the real `cli` pointed at the mock model server, with `extraYml`
 * appended to its sase.yml and `xprompts` written to `.xprompts/<name>.md`, set up with `sase init`.
 */
export async function createSaseWorkspace(
  cli: AgentCli,
  mockUrl: string,
  options: { extraYml?: string; xprompts?: Record<string, string> } = {},
): Promise<SaseWorkspace> {
  const sandbox = createCliSandbox(cli, mockUrl);
  const root = createGitWorkspace();
  const home = mkdtempSync(join(tmpdir(), 'sase-e2e-home-'));
  writeFileSync(
    join(root, 'sase.yml'),
    [
      'launcher:',
      `  default: ${cli}`,
      launcherYml(cli, sandbox.executable, sandbox.env),
      'axe:',
      '  poll_ms: 200',
      options.extraYml ?? '',
      '',
    ].join('\n'),
  );
  for (const [name, text] of Object.entries(options.xprompts ?? {})) {
    mkdirSync(join(root, '.xprompts', name, '..'), { recursive: true });
    writeFileSync(join(root, '.xprompts', `${name}.md`), text);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  git('add', '-A');
  git('commit', '-q', '-m', 'sase set up');
  const workspace: SaseWorkspace = {
    root,
    home,
    sandbox,
    sase: (args, timeoutMs) => runSase(args, root, home, timeoutMs),
    git,
    async dispose() {
      await runSase(['axe', 'stop'], root, home);
      sandbox.dispose();
      rmSync(root, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    },
  };
  const init = await workspace.sase(['init', '--prefix', 'ep']);
  if (init.code !== 0) throw new Error(`sase init failed: ${init.stderr}`);
  return workspace;
}
