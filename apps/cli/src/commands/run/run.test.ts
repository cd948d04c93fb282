import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseLauncherAndModel } from '@sase/workspace';
import { describe, expect, it } from 'vitest';
import { Command } from '../../commander.js';
import { CliRuntime } from '../../runtime.js';
import { captureIo, createTempDir, createTempWorkspace } from '../../testing/run-cli.js';
import { registerRun } from './register.js';
import { type RunOptions, run } from './run.js';

const fakeClaude = fileURLToPath(
  new URL('../../../../../packages/launcher-claude/src/__fixtures__/fake-agent.mjs', import.meta.url),
);
chmodSync(fakeClaude, 0o755);
const homeDir = createTempDir('sase-run-home');

async function sase(cwd: string, options: Partial<RunOptions>) {
  const io = captureIo();
  const code = await run({ cwd, io, json: false, homeDir, ...options });
  return { code, stdout: io.out, stderr: io.err };
}

/** A workspace whose default launcher is the shell running `cat` (it echoes the prompt back). */
function createCatWorkspace(): string {
  const cwd = createTempWorkspace();
  writeFileSync(join(cwd, 'sase.yml'), 'launcher:\n  default: shell\n  shell:\n    command: [cat]\n');
  return cwd;
}

async function runCliJson(cwd: string, ...argv: string[]): Promise<Record<string, unknown>> {
  const { runCli } = await import('../../testing/run-cli.js');
  const result = await runCli(cwd, ...argv);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('sase run', () => {
  it('runs the configured shell launcher (cat) and writes the artifact directory', async () => {
    const cwd = createCatWorkspace();
    const result = await sase(cwd, { prompt: 'Fix the login bug' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Fix the login bug\n');
    expect(result.stderr).toContain('sase: agent fix-the-login-1 completed (shell, exit 0)');
    const dir = join(cwd, '.sase/agents/fix-the-login-1');
    expect(readFileSync(join(dir, 'prompt.md'), 'utf8')).toBe('Fix the login bug\n');
    const done = readJson(join(dir, 'done.json'));
    expect(Object.keys(done)).toEqual(
      expect.arrayContaining([
        'name',
        'outcome',
        'exit_code',
        'started_at',
        'finished_at',
        'launcher',
        'model',
        'error',
        'attempt',
      ]),
    );
    expect(done).toMatchObject({
      name: 'fix-the-login-1',
      outcome: 'completed',
      exit_code: 0,
      launcher: 'shell',
      model: null,
      error: null,
      attempt: 1,
    });
    const transcript = readFileSync(join(dir, 'transcript.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(transcript[0]).toMatchObject({ type: 'start', launcher_id: 'shell' });
    expect(transcript.at(-1)).toMatchObject({ type: 'outcome', outcome: 'completed', exit_code: 0 });
    expect(existsSync(join(dir, 'running.json'))).toBe(false);
  });

  it('expands #xprompts and applies %name and an aliased %model (launcher and model)', async () => {
    const cwd = createTempWorkspace();
    mkdirSync(join(cwd, '.xprompts'));
    writeFileSync(
      join(cwd, '.xprompts/greet.md'),
      '---\ninput:\n  - name: who\n    type: word\n---\nSay hello to {{ who }}.\n',
    );
    writeFileSync(
      join(cwd, 'sase.yml'),
      [
        'launcher:',
        '  default: claude',
        '  shell:',
        '    command: \'printf "model=%s name=%s\\n" "$SASE_MODEL" "$SASE_AGENT_NAME"; cat\'',
        'models:',
        '  aliases:',
        '    tiny: shell/tiny-model',
        '',
      ].join('\n'),
    );
    const result = await sase(cwd, { prompt: '%name:greeter %model:tiny #greet:world' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('model=tiny-model name=greeter\nSay hello to world.\n');
    expect(readFileSync(join(cwd, '.sase/agents/greeter/prompt.md'), 'utf8')).toBe('Say hello to world.\n');
    expect(readJson(join(cwd, '.sase/agents/greeter/done.json'))).toMatchObject({
      launcher: 'shell',
      model: 'tiny-model',
    });
  });

  it('refuses an existing name, and %name:!x moves the old attempt to attempts/<n>/', async () => {
    const cwd = createCatWorkspace();
    expect((await sase(cwd, { prompt: '%name:fixer first' })).code).toBe(0);
    await expect(sase(cwd, { prompt: '%name:fixer again' })).rejects.toMatchObject({ code: 'AGENT_EXISTS' });
    const second = await sase(cwd, { prompt: '%name:!fixer second' });
    expect(second.code).toBe(0);
    const dir = join(cwd, '.sase/agents/fixer');
    expect(readJson(join(dir, 'done.json'))).toMatchObject({ attempt: 2, outcome: 'completed' });
    expect(readFileSync(join(dir, 'prompt.md'), 'utf8')).toBe('second\n');
    expect(readdirSync(join(dir, 'attempts'))).toEqual(['1']);
    expect(readFileSync(join(dir, 'attempts/1/prompt.md'), 'utf8')).toBe('first\n');
  });

  it('exits 1 on failure and --json prints the done record', async () => {
    const cwd = createTempWorkspace();
    writeFileSync(
      join(cwd, 'sase.yml'),
      'launcher:\n  default: shell\n  shell:\n    command: "echo broken >&2; exit 3"\n',
    );
    const result = await sase(cwd, { prompt: 'anything', name: 'breaker', json: true });
    expect(result.code).toBe(1);
    const done = JSON.parse(result.stdout);
    expect(done).toMatchObject({
      name: 'breaker',
      outcome: 'failed',
      exit_code: 3,
      error: 'the agent exited with code 3: broken',
      attempt: 1,
      launcher: 'shell',
    });
    expect(result.stderr).toBe('');
  });

  it('drives the claude adapter through sase.yml settings, streaming assistant text', async () => {
    const cwd = createTempWorkspace();
    writeFileSync(
      join(cwd, 'sase.yml'),
      `launcher:\n  claude:\n    executable: ${JSON.stringify(fakeClaude)}\n    kill_grace_ms: 300\n    env:\n      SASE_FAKE_SCENARIO: success\n`,
    );
    const result = await sase(cwd, { prompt: 'Fix the failing test', launcher: 'claude', model: 'opus' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("I'll run the tests first to see what fails.\n");
    expect(result.stdout).toContain('now returns `a + b`');
    expect(result.stderr).toContain('[tool] Bash node test.mjs');
    expect(readJson(join(cwd, '.sase/agents/fix-the-failing-1/done.json'))).toMatchObject({
      launcher: 'claude',
      model: 'opus',
      outcome: 'completed',
    });
  });

  it('reads the prompt from stdin with - and from a file with -f', async () => {
    const cwd = createCatWorkspace();
    expect((await sase(cwd, { prompt: '-', readStdin: async () => 'from stdin', name: 'in' })).stdout).toBe(
      'from stdin\n',
    );
    writeFileSync(join(cwd, 'task.md'), '%name:from-file\nfrom a file\n');
    expect((await sase(cwd, { file: 'task.md' })).stdout).toBe('from a file\n');
    await expect(sase(cwd, { prompt: 'x', file: 'task.md' })).rejects.toMatchObject({ code: 'RUN_USAGE' });
    await expect(sase(cwd, {})).rejects.toMatchObject({ code: 'RUN_USAGE', exitCode: 2 });
  });

  it('hands what needs the supervisor (several segments, %wait, %time) to AXE, and refuses --name for it', async () => {
    const cwd = createTempWorkspace();
    await expect(sase(cwd, { prompt: 'one\n---\ntwo', name: 'x' })).rejects.toMatchObject({
      code: 'RUN_USAGE',
    });
    writeFileSync(
      join(cwd, 'sase.yml'),
      'launcher:\n  default: shell\n  shell:\n    command: ["sh", "-c", "cat > /dev/null"]\n',
    );
    const { runCli } = await import('../../testing/run-cli.js');
    try {
      const result = await runCli(
        cwd,
        'run',
        '--wait',
        '%name:first\nfirst\n---\n%name:second %wait\nsecond',
      );
      expect(result.code).toBe(0);
      expect(readJson(join(cwd, '.sase/agents/first/done.json'))).toMatchObject({ outcome: 'completed' });
      expect(readJson(join(cwd, '.sase/agents/second/done.json'))).toMatchObject({ outcome: 'completed' });
      expect(readJson(join(cwd, '.sase/agents/second/request.json')).waits).toEqual(['first']);
      // Progress lines say time, agent and state; `sase:` is kept for errors and notes.
      expect(result.stderr).toMatch(/^\d\d:\d\d:\d\d second: waiting \(first is (waiting|running)\)$/m);
      expect(result.stderr).toMatch(/^\d\d:\d\d:\d\d second: completed \(exit 0\)$/m);
      expect(result.stderr).not.toMatch(/^sase: (first|second) /m);
    } finally {
      await runCli(cwd, 'axe', 'stop');
    }
  });

  it('--worktree runs the agent in a worktree of its own: its work is committed on its branch and recorded', async () => {
    const cwd = createTempWorkspace();
    execFileSync(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@l', 'commit', '-q', '--allow-empty', '-m', 'init'],
      {
        cwd,
      },
    );
    writeFileSync(join(cwd, 'sase.yml'), 'launcher:\n  default: shell\n  shell:\n    command: [sh]\n');
    writeFileSync(join(cwd, '.gitignore'), '.sase/\n');
    const result = await sase(cwd, { prompt: 'echo "fixed" > fix.txt', name: 'fixer', worktree: true });
    expect(result.stderr).toContain('sase: agent fixer completed (shell, exit 0)');
    expect(existsSync(join(cwd, 'fix.txt'))).toBe(false);
    expect(readFileSync(join(cwd, '.sase/workspaces/fixer/fix.txt'), 'utf8')).toBe('fixed\n');
    const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });
    expect(git('log', '-1', '--format=%s', 'sase/fixer').trim()).toBe('fixer: echo "fixed" > fix.txt');
    expect(git('log', '-1', '--format=%(trailers:key=Sase-Agent,valueonly)', 'sase/fixer').trim()).toBe(
      'fixer#1',
    );
    const change = await runCliJson(cwd, 'change', 'show', 'fixer', '--json');
    expect(change).toMatchObject({ name: 'fixer', status: 'ready', branch: 'sase/fixer', bead: null });
    // A second agent that changes nothing is noop, and `sase run` still exits 0.
    const quiet = await sase(cwd, { prompt: 'true', name: 'quiet', worktree: true });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toContain('sase: agent quiet noop (shell, exit 0)');
  });

  it('--wait: Ctrl-C stops following only, says what goes on and how to stop it (exit 130)', async () => {
    const cwd = createTempWorkspace();
    writeFileSync(
      join(cwd, 'sase.yml'),
      'launcher:\n  default: shell\n  shell:\n    command: [sh]\naxe:\n  poll_ms: 200\n',
    );
    const bin = fileURLToPath(new URL('../../../dist/bin.cjs', import.meta.url));
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      [bin, 'run', '--wait', '%name:slow\nsleep 30\n---\n%name:after %wait\necho after'],
      {
        cwd,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      while (!/ slow: running \(pid \d+\)/.test(stderr))
        await new Promise((resolve) => setTimeout(resolve, 50));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(130);
      expect(stderr).toMatch(
        /sase: stopped following; 2 agent\(s\) of this run go on \(after, slow\) under the supervisor \(pid \d+\): follow them with `sase agent list --watch`, stop them with `sase agent kill NAME` or `sase axe stop` \[INTERRUPTED\]\n$/,
      );
    } finally {
      child.kill('SIGKILL');
      const { runCli } = await import('../../testing/run-cli.js');
      await runCli(cwd, 'axe', 'stop');
    }
  });

  it('refuses to run with no launcher configured (NO_LAUNCHER), creating nothing', async () => {
    const cwd = createTempWorkspace();
    await expect(sase(cwd, { prompt: 'Fix the login bug' })).rejects.toMatchObject({
      code: 'NO_LAUNCHER',
      message: 'no launcher configured: set launcher.default in sase.yml or pass --launcher',
    });
    // The shell launcher has no default command either.
    await expect(sase(cwd, { prompt: 'Fix the login bug', launcher: 'shell' })).rejects.toMatchObject({
      code: 'NO_COMMAND',
    });
    expect(existsSync(join(cwd, '.sase/agents'))).toBe(false);
  });

  it('reports a missing executable before creating any agent', async () => {
    const cwd = createTempWorkspace();
    writeFileSync(join(cwd, 'sase.yml'), 'launcher:\n  codex:\n    executable: /nonexistent/codex\n');
    await expect(sase(cwd, { prompt: 'x', launcher: 'codex' })).rejects.toMatchObject({
      code: 'EXECUTABLE_NOT_FOUND',
      message: expect.stringContaining('SASE_CODEX_BIN'),
    });
    await expect(sase(cwd, { prompt: 'x', launcher: 'nope' })).rejects.toMatchObject({
      code: 'LAUNCHER_NOT_FOUND',
    });
    expect(existsSync(join(cwd, '.sase/agents'))).toBe(false);
  });

  it('records killed when its signal aborts, killing the agent', async () => {
    const cwd = createTempWorkspace();
    writeFileSync(
      join(cwd, 'sase.yml'),
      'launcher:\n  default: shell\n  shell:\n    command: ["sleep", "60"]\n    kill_grace_ms: 200\n',
    );
    const controller = new AbortController();
    const running = sase(cwd, { prompt: 'wait', name: 'sleeper', signal: controller.signal });
    const runningFile = join(cwd, '.sase/agents/sleeper/running.json');
    while (!existsSync(runningFile)) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort('stopped by the test');
    const result = await running;
    expect(result.code).toBe(1);
    expect(readJson(join(cwd, '.sase/agents/sleeper/done.json'))).toMatchObject({
      outcome: 'killed',
      error: 'stopped by the test',
    });
  });

  it('is registered as a lazily loaded commander command', async () => {
    const cwd = createCatWorkspace();
    const io = captureIo();
    const runtime = new CliRuntime(io, () => cwd);
    const program = new Command('sase').exitOverride();
    registerRun(program, runtime);
    await program.parseAsync(['run', '--name', 'words', 'hello', 'there'], { from: 'user' });
    expect(runtime.exitCode).toBe(0);
    expect(io.out).toBe('hello there\n');
  });
});

describe('chooseLauncherAndModel', () => {
  const aliases = { fast: 'claude/haiku', slash: 'codex/org/model' };
  it('resolves aliases and launcher/model, else keeps the default launcher', () => {
    expect(chooseLauncherAndModel({ defaultLauncher: 'shell', aliases })).toEqual({
      launcher: 'shell',
      model: null,
    });
    expect(chooseLauncherAndModel({ modelText: 'fast', defaultLauncher: 'shell', aliases })).toEqual({
      launcher: 'claude',
      model: 'haiku',
    });
    expect(chooseLauncherAndModel({ modelText: 'slash', defaultLauncher: 'shell', aliases })).toEqual({
      launcher: 'codex',
      model: 'org/model',
    });
    expect(
      chooseLauncherAndModel({ modelText: 'gemini/gemini-2.5-pro', defaultLauncher: 'shell', aliases }),
    ).toEqual({ launcher: 'gemini', model: 'gemini-2.5-pro' });
    expect(
      chooseLauncherAndModel({ launcherFlag: 'codex', modelText: 'o3', defaultLauncher: 'shell', aliases }),
    ).toEqual({ launcher: 'codex', model: 'o3' });
  });
  it('refuses a --launcher that disagrees with the model', () => {
    expect(() =>
      chooseLauncherAndModel({ launcherFlag: 'codex', modelText: 'fast', defaultLauncher: 'shell', aliases }),
    ).toThrow(expect.objectContaining({ code: 'RUN_LAUNCHER_CONFLICT' }));
  });
});
