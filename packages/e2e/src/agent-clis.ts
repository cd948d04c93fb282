import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The three agent CLIs this suite drives. */
export type AgentCli = 'claude' | 'codex' | 'gemini';

/** The npm package of each CLI (pinned to an exact version in this package's devDependencies). */
export const CLI_PACKAGES: Readonly<Record<AgentCli, string>> = {
  claude: '@anthropic-ai/claude-code',
  codex: '@openai/codex',
  gemini: '@google/gemini-cli',
};

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** The pinned version of each CLI, read from this package's package.json. */
export const PINNED_VERSIONS: Readonly<Record<AgentCli, string>> = (() => {
  const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const version = (cli: AgentCli): string => manifest.devDependencies[CLI_PACKAGES[cli]] ?? 'unknown';
  return { claude: version('claude'), codex: version('codex'), gemini: version('gemini') };
})();

/** The installed executable of a CLI: `packages/e2e/node_modules/.bin/<cli>`. */
export function cliExecutable(cli: AgentCli): string {
  return join(packageRoot, 'node_modules', '.bin', cli);
}

/** The model name each CLI is asked for (any name: the mock answers whatever is asked). */
export const MOCK_MODELS: Readonly<Record<AgentCli, string>> = {
  claude: 'claude-sonnet-4-5',
  codex: 'gpt-5-codex',
  gemini: 'gemini-2.5-flash',
};

/** The variable holding the mock's API key for Codex (named by `env_key` in its config.toml). */
export const CODEX_KEY_VARIABLE = 'SASE_E2E_OPENAI_API_KEY';

export interface CliSandboxOptions {
  /** How often the CLI retries a failed API request. Default 0. */
  retries?: number;
  /**
   * Gemini CLI only: let it relaunch itself in a child Node.js process with a larger heap, as it does by default.
   * Default false (`GEMINI_CLI_NO_RELAUNCH=true`), which saves about 1.5 s of start-up per run; the kill test
   * turns it on, so that the relaunched child is part of what must be killed.
   */
  relaunch?: boolean;
}

/** A private home for one CLI, pointed at the mock model server. */
export interface CliSandbox {
  readonly cli: AgentCli;
  /** The private `HOME` (also holds TMPDIR and the CLI's own config directory). */
  readonly home: string;
  /** The environment that points the CLI at the mock: pass it as the adapter's `env` setting. */
  readonly env: Record<string, string>;
  /** The pinned CLI's executable. */
  readonly executable: string;
  /** Removes the private home. */
  dispose(): void;
}

/**
 * The environment and config files that point one real CLI at the mock model server, in a private HOME, with
 * telemetry, update checks and every other call home switched off, so nothing leaves 127.0.0.1:
 *
 * - Claude Code: `ANTHROPIC_BASE_URL`, `ANTHROPIC_API_KEY`, `CLAUDE_CODE_MAX_RETRIES`, and `DISABLE_TELEMETRY`,
 *   `DISABLE_AUTOUPDATER`, `DISABLE_ERROR_REPORTING`, `CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC`.
 * - Codex: `CODEX_HOME=<home>/.codex` whose `config.toml` selects a `model_provider` with the mock's
 *   `base_url`, `wire_api = "responses"`, `env_key`, no retries, and the features that fetch plugins, apps and
 *   model lists switched off (they otherwise reach out to the internet).
 * - Gemini CLI: `GEMINI_API_KEY`, `GOOGLE_GEMINI_BASE_URL`, and `<home>/.gemini/settings.json` selecting the API
 *   key, without usage statistics or auto-update, with `maxAttempts` = retries + 1 (and `GEMINI_CLI_NO_RELAUNCH`
 *   unless `relaunch`).
 *
 * Every CLI also gets `TMPDIR=<home>/tmp` (Gemini CLI writes error reports there).
 */
export function createCliSandbox(
  cli: AgentCli,
  mockUrl: string,
  options: CliSandboxOptions = {},
): CliSandbox {
  const retries = options.retries ?? 0;
  const home = mkdtempSync(join(tmpdir(), `sase-e2e-${cli}-`));
  const temporary = join(home, 'tmp');
  mkdirSync(temporary);
  const common = { HOME: home, TMPDIR: temporary };
  let env: Record<string, string>;
  if (cli === 'claude') {
    env = {
      ...common,
      ANTHROPIC_BASE_URL: mockUrl,
      ANTHROPIC_API_KEY: 'sk-ant-e2e-mock-key',
      CLAUDE_CODE_MAX_RETRIES: String(retries),
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    };
  } else if (cli === 'codex') {
    const codexHome = join(home, '.codex');
    mkdirSync(codexHome);
    writeFileSync(join(codexHome, 'config.toml'), codexConfig(mockUrl, retries));
    env = { ...common, CODEX_HOME: codexHome, [CODEX_KEY_VARIABLE]: 'sk-e2e-mock-key' };
  } else {
    mkdirSync(join(home, '.gemini'));
    writeFileSync(
      join(home, '.gemini', 'settings.json'),
      `${JSON.stringify(
        {
          security: { auth: { selectedType: 'gemini-api-key' } },
          privacy: { usageStatisticsEnabled: false },
          general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, maxAttempts: retries + 1 },
        },
        null,
        2,
      )}\n`,
    );
    env = {
      ...common,
      GEMINI_API_KEY: 'e2e-mock-key',
      GOOGLE_GEMINI_BASE_URL: mockUrl,
      ...(options.relaunch === true ? {} : { GEMINI_CLI_NO_RELAUNCH: 'true' }),
    };
  }
  return {
    cli,
    home,
    env,
    executable: cliExecutable(cli),
    dispose: () => rmSync(home, { recursive: true, force: true }),
  };
}

function codexConfig(mockUrl: string, retries: number): string {
  return [
    'model_provider = "sase-mock"',
    // Without a model, Codex picks one of its catalogue's, for which it sends the mock no tools.
    `model = "${MOCK_MODELS.codex}"`,
    'check_for_update_on_startup = false',
    '',
    '[model_providers.sase-mock]',
    'name = "SASE mock model server"',
    `base_url = "${mockUrl}/v1"`,
    'wire_api = "responses"',
    `env_key = "${CODEX_KEY_VARIABLE}"`,
    `request_max_retries = ${retries}`,
    `stream_max_retries = ${retries}`,
    'stream_idle_timeout_ms = 20000',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '# Features that call the internet (plugin and app catalogues, model discovery) or retry without end.',
    '[features]',
    'plugins = false',
    'remote_plugin = false',
    'plugin_sharing = false',
    'apps = false',
    'api_key_model_discovery = false',
    'skill_mcp_dependency_install = false',
    'unbounded_connection_retries = false',
    'daemon_auto_start = false',
    '',
  ].join('\n');
}

/**
 * Removes the host's agent credentials and settings from this process's environment (a vitest file runs in its
 * own process), so that nothing a developer has set (an API key, a base URL, a CODEX_HOME) reaches a CLI.
 */
export function removeHostAgentVariables(): void {
  for (const name of Object.keys(process.env)) {
    if (/^(ANTHROPIC_|CLAUDE|OPENAI_|CODEX_|GEMINI_|GOOGLE_|VERTEX|SASE_)/.test(name))
      delete process.env[name];
  }
}

/** A temporary git repository with one commit (and `git` identity set), for an agent to work in. */
export function createGitWorkspace(prefix = 'sase-e2e-repo-'): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: directory, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'e2e@sase.invalid');
  git('config', 'user.name', 'SASE e2e');
  git('config', 'commit.gpgsign', 'false');
  writeFileSync(join(directory, 'README.md'), '# e2e workspace\n');
  git('add', '.');
  git('commit', '-q', '-m', 'initial commit');
  return directory;
}

/** The commit subjects of a repository, newest first. */
export function gitLog(directory: string): string[] {
  return execFileSync('git', ['log', '--format=%s'], { cwd: directory, encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '');
}

/** The pids of the live (not zombie) processes in a process group, read from /proc (Linux). */
export function processGroupMembers(groupId: number): number[] {
  if (!existsSync('/proc')) return [];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === groupId) members.push(Number(entry));
  }
  return members;
}
