// Records the fixtures of the adapters' fake-executable tests (packages/launcher-*/src/__fixtures__) from the
// pinned CLIs, run against the mock model server. Skipped unless asked for:
//
//   SASE_RECORD_FIXTURES=1 pnpm exec vitest run --project @sase/e2e record-fixtures
//
// Each fixture is the CLI's own stdout (`<name>.jsonl`, `.json` or `.txt`) and, where it matters, its exit code
// and stderr (`<name>.meta.json`), as the shared fake agent replays them. The only edits: the temporary
// workspace and home paths become /home/dev/myapp and /home/dev, the CLI's install path in stack traces
// /usr/local/lib/node_modules, the mock's port 8787, and the mock's script tag is removed from the prompt.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claudeArguments, claudeEnvironment } from '@sase/launcher-claude';
import { codexArguments, findGitDirectories } from '@sase/launcher-codex';
import type { LaunchRequest } from '@sase/launcher-core';
import { geminiArguments } from '@sase/launcher-gemini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentCli,
  createCliSandbox,
  createGitWorkspace,
  MOCK_MODELS,
  removeHostAgentVariables,
} from './agent-clis.js';
import { type MockModelServer, type MockTurn, startMockModelServer } from './mock-model-server.js';

const isRecording = process.env.SASE_RECORD_FIXTURES === '1';
const packagesRoot = fileURLToPath(new URL('../../', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** A CLI's files in pnpm's store, as stack traces name them; shown as a global npm install instead. */
const installedPackage = new RegExp(
  `${repositoryRoot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}node_modules/\\.pnpm/[^/]+/node_modules/`,
  'g',
);

/** The final answer of the recorded success stories (the adapters' tests check it). */
const FIXTURE_FINAL_TEXT =
  'Fixed: `add` in src/math.mjs returned `a + b + 1`; it now returns `a + b`, and `node test.mjs` now passes.';

/** Fix the off-by-one: run the test, edit, run the test again, answer. */
const STORY: MockTurn[] = [
  { type: 'shell', command: 'node test.mjs', text: "I'll run the tests first to see what fails." },
  {
    type: 'shell',
    command: "sed -i 's/a + b + 1/a + b/' src/math.mjs",
    text: 'The off-by-one is in `add`: it returns `a + b + 1`.',
  },
  { type: 'shell', command: 'node test.mjs' },
  { type: 'text', text: FIXTURE_FINAL_TEXT },
];

interface Scenario {
  cli: AgentCli;
  /** The fixture's name (`success` → success.jsonl). */
  name: string;
  turns: MockTurn[];
  /** The prompt (the script's tag is appended). */
  prompt?: string;
  approve?: boolean;
  /** Extra CLI arguments (through the adapter's `args`). */
  args?: string[];
  retries?: number;
  outputFormat?: 'json' | 'stream-json';
  /** Gemini CLI: pass --skip-trust (default true). */
  isTrusted?: boolean;
  /** Run outside a git repository. */
  isPlainDirectory?: boolean;
  /** The extension of the stdout fixture. Default `.jsonl`. */
  extension?: '.jsonl' | '.json' | '.txt';
  /** Write `<name>.meta.json` with the exit code and stderr (default: only when the exit code is not 0). */
  meta?: 'exit' | 'exit-and-stderr' | 'none';
}

const FIX_PROMPT = 'Fix the failing test in test.mjs.';

const SCENARIOS: Scenario[] = [
  { cli: 'claude', name: 'success', turns: STORY, prompt: FIX_PROMPT, approve: true },
  {
    cli: 'claude',
    name: 'error-result',
    turns: STORY,
    prompt: FIX_PROMPT,
    approve: true,
    args: ['--max-turns', '1'],
    meta: 'none',
  },
  {
    cli: 'claude',
    name: 'api-error',
    turns: [{ type: 'error', status: 500, message: 'Internal server error' }],
    retries: 2,
  },
  { cli: 'codex', name: 'success', turns: STORY, prompt: FIX_PROMPT, approve: true },
  {
    cli: 'codex',
    name: 'error-result',
    turns: [
      { type: 'error', status: 400, message: "Invalid value for 'input': the conversation is too long." },
    ],
    meta: 'none',
  },
  {
    cli: 'codex',
    name: 'rate-limit',
    turns: [{ type: 'error', status: 429, message: 'Rate limit reached for requests.' }],
  },
  {
    cli: 'codex',
    name: 'not-a-repo',
    turns: [{ type: 'text', text: 'unreachable' }],
    isPlainDirectory: true,
    extension: '.txt',
    meta: 'exit-and-stderr',
  },
  { cli: 'gemini', name: 'success', turns: STORY, prompt: FIX_PROMPT, approve: true },
  {
    cli: 'gemini',
    name: 'error-result',
    turns: [{ type: 'error', status: 400, message: 'Request contains an invalid argument.' }],
    meta: 'none',
  },
  {
    cli: 'gemini',
    name: 'quota',
    turns: [{ type: 'error', status: 429, message: 'Resource has been exhausted (e.g. check quota).' }],
  },
  {
    cli: 'gemini',
    name: 'json-success',
    turns: STORY,
    prompt: FIX_PROMPT,
    approve: true,
    outputFormat: 'json',
    extension: '.json',
  },
  {
    cli: 'gemini',
    name: 'json-api-error',
    turns: [{ type: 'error', status: 401, message: 'API key not valid. Please pass a valid API key.' }],
    outputFormat: 'json',
    extension: '.txt',
    meta: 'exit-and-stderr',
  },
  {
    cli: 'gemini',
    name: 'untrusted',
    turns: [{ type: 'text', text: 'unreachable' }],
    isTrusted: false,
    extension: '.txt',
    meta: 'exit-and-stderr',
  },
];

/** The workspace of the story: a test that fails because of an off-by-one in src/math.mjs. */
function createStoryWorkspace(isPlainDirectory: boolean): string {
  const directory = isPlainDirectory ? mkdtempSync(join(tmpdir(), 'sase-e2e-plain-')) : createGitWorkspace();
  mkdirSync(join(directory, 'src'), { recursive: true });
  writeFileSync(join(directory, 'src', 'math.mjs'), 'export function add(a, b) {\n  return a + b + 1;\n}\n');
  writeFileSync(
    join(directory, 'test.mjs'),
    [
      "import { add } from './src/math.mjs';",
      'if (add(2, 2) !== 4) {',
      "  console.error('FAIL test.mjs\\n  add(2, 2): expected 4, received ' + add(2, 2));",
      '  process.exit(1);',
      '}',
      "console.log('PASS test.mjs (1 test)');",
      '',
    ].join('\n'),
  );
  return directory;
}

function arguments_(scenario: Scenario, request: LaunchRequest): string[] {
  const args = scenario.args ?? [];
  if (scenario.cli === 'claude') return claudeArguments(request, { args });
  if (scenario.cli === 'codex') {
    const isApproved = request.approve === true;
    return codexArguments(request, { args }, isApproved ? findGitDirectories(request.cwd) : []);
  }
  return geminiArguments(request, {
    args,
    trustWorkspace: scenario.isTrusted ?? true,
    ...(scenario.outputFormat === undefined ? {} : { outputFormat: scenario.outputFormat }),
  });
}

function runCli(
  executable: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input: string },
): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { cwd: options.cwd, env: options.env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ stdout, stderr, exitCode }));
    child.stdin.end(options.input);
  });
}

let mock: MockModelServer;

describe.runIf(isRecording)(
  'record the adapters’ fixtures from the pinned CLIs',
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      removeHostAgentVariables();
      mock = await startMockModelServer();
    });
    afterAll(() => mock?.close());

    it.each(SCENARIOS.map((scenario) => [`${scenario.cli} ${scenario.name}`, scenario] as const))(
      '%s',
      async (_, scenario) => {
        const script = mock.script(scenario.turns);
        const sandbox = createCliSandbox(scenario.cli, mock.url, { retries: scenario.retries ?? 0 });
        const workspace = createStoryWorkspace(scenario.isPlainDirectory === true);
        try {
          const request: LaunchRequest = {
            agentName: 'fixture',
            prompt: `${scenario.prompt ?? 'Fix the failing test.'} ${script.tag}`,
            model: MOCK_MODELS[scenario.cli],
            cwd: workspace,
            artifactsDir: join(sandbox.home, 'artifacts'),
            ...(scenario.approve === true ? { approve: true } : {}),
          };
          const environment = {
            ...process.env,
            ...sandbox.env,
            ...(scenario.cli === 'claude' ? claudeEnvironment(request) : {}),
          };
          const result = await runCli(sandbox.executable, arguments_(scenario, request), {
            cwd: workspace,
            env: environment,
            input: request.prompt,
          });
          const port = new URL(mock.url).port;
          const normalize = (text: string) =>
            text
              .replaceAll(` ${script.tag}`, '')
              .replaceAll(script.tag, '')
              .replaceAll(workspace, '/home/dev/myapp')
              .replaceAll(sandbox.home, '/home/dev')
              .replaceAll(`127.0.0.1:${port}`, '127.0.0.1:8787')
              .replace(installedPackage, '/usr/local/lib/node_modules/');
          const directory = join(packagesRoot, `launcher-${scenario.cli}`, 'src', '__fixtures__');
          writeFileSync(
            join(directory, `${scenario.name}${scenario.extension ?? '.jsonl'}`),
            normalize(result.stdout),
          );
          const meta = scenario.meta ?? (result.exitCode === 0 ? 'none' : 'exit');
          if (meta !== 'none') {
            writeFileSync(
              join(directory, `${scenario.name}.meta.json`),
              `${JSON.stringify({
                exit_code: result.exitCode,
                ...(meta === 'exit-and-stderr' ? { stderr: normalize(result.stderr) } : {}),
              })}\n`,
            );
          } else {
            rmSync(join(directory, `${scenario.name}.meta.json`), { force: true });
          }
          expect(result.stdout + result.stderr).not.toBe('');
        } finally {
          sandbox.dispose();
          rmSync(workspace, { recursive: true, force: true });
        }
      },
    );
  },
);

it('records fixtures only with SASE_RECORD_FIXTURES=1', () => {
  expect(SCENARIOS.map((scenario) => `${scenario.cli}/${scenario.name}`)).toContain('claude/success');
});
