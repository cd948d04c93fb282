import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  assertLaunchRequest,
  assertProcessLauncherSettings,
  assertSettingKeys,
  composePrompt,
  createProcessLauncher,
  type ExecutableLocation,
  exitCodeOutcome,
  formatPromptContext,
  LauncherError,
  type LaunchRequest,
  type OutputMapper,
  PROMPT_CONTEXT_VARIABLE,
  type ProcessLauncher,
  type ProcessLauncherSettings,
} from '@sase/launcher-core';

/** The environment variable that replaces the program (argv[0]) of the configured command. */
export const SHELL_OVERRIDE_VARIABLE = 'SASE_SHELL_BIN';

/** The file in the artifact directory that holds a request's context (named by SASE_PROMPT_CONTEXT). */
export const SHELL_CONTEXT_FILE_NAME = 'context.md';

/** The longest final text kept from a shell agent's stdout (its tail). */
const FINAL_TEXT_CHARACTERS = 64 * 1024;

/** How the shell launcher hands a request's context (notes beside the prompt) to the command. */
export type ShellContextMode = 'file' | 'stdin';

const CONTEXT_MODES: readonly ShellContextMode[] = ['file', 'stdin'];

const SHELL_SETTING_KEYS: readonly (keyof ShellSettings)[] = [
  'command',
  'args',
  'env',
  'killGraceMs',
  'context',
];

const NO_COMMAND_MESSAGE =
  'launcher.shell has no command: set launcher.shell.command in sase.yml (an argv list such as ["./agent.sh"], ' +
  'or a string run by sh -c)';

export interface ShellSettings extends Omit<ProcessLauncherSettings, 'executable'> {
  /**
   * What to run (`launcher.shell.command` in sase.yml):
   * - an argv array, run directly (`['my-agent', '--yes']`);
   * - a string, run by `sh -c` (`'my-agent --yes | tee log'`): the string is yours to write, and may use pipes
   *   and `$SASE_AGENT_NAME`. The prompt is never part of it: it always arrives on stdin.
   * No default: without a command, `launch()` throws a LauncherError `NO_COMMAND` (a missing or misspelled
   * setting must not make every agent "complete" with no work done).
   */
  command?: readonly string[] | string;
  /**
   * How a request's context (notes SASE adds beside the prompt: a failing check's log, the previous attempt's
   * error) reaches the command (`launcher.shell.context`):
   * - `file` (default): stdin is exactly the prompt (often a script, which Markdown would break); the notes are
   *   written to `<artifactsDir>/context.md`, named by `$SASE_PROMPT_CONTEXT`;
   * - `stdin`: the notes are also appended to the prompt on stdin (composePrompt), for a command that wraps a
   *   model CLI. The file and the variable are set as well.
   */
  context?: ShellContextMode;
}

function invalid(message: string): never {
  throw new LauncherError('INVALID_SETTINGS', `launcher.shell.${message}`, { launcherId: 'shell' });
}

function commandArgv(command: readonly string[] | string): string[] {
  if (typeof command === 'string') {
    if (command.trim() === '') invalid('command must not be empty; e.g. "my-agent --yes"');
    return ['sh', '-c', command];
  }
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    command.some((part) => typeof part !== 'string') ||
    command[0] === ''
  ) {
    invalid('command must be a non-empty list of strings (["my-agent", "--yes"]) or a string run by sh -c');
  }
  return [...command];
}

/**
 * Writes the request's context to `<artifactsDir>/context.md` (atomically) and returns its absolute path, or
 * removes a stale one from an earlier run and returns undefined when the request has none.
 */
function preparePromptContext(request: LaunchRequest): string | undefined {
  const file = resolve(request.artifactsDir, SHELL_CONTEXT_FILE_NAME);
  let temporary: string | undefined;
  try {
    if (request.context === undefined || request.context.length === 0) {
      rmSync(file, { force: true });
      return undefined;
    }
    mkdirSync(resolve(request.artifactsDir), { recursive: true });
    temporary = join(
      resolve(request.artifactsDir),
      `.${SHELL_CONTEXT_FILE_NAME}.${process.pid}.${randomUUID()}.tmp`,
    );
    writeFileSync(temporary, formatPromptContext(request.context));
    renameSync(temporary, file);
    return file;
  } catch (cause) {
    if (temporary !== undefined) rmSync(temporary, { force: true });
    throw new LauncherError(
      'INVALID_REQUEST',
      `shell: cannot write the prompt context "${file}": ${(cause as Error).message}`,
      { launcherId: 'shell', file, cause },
    );
  }
}

function createShellMapper(): OutputMapper {
  let tail = '';
  return {
    text(line) {
      tail = `${tail}${line}\n`.slice(-FINAL_TEXT_CHARACTERS);
      return [{ type: 'output', stream: 'stdout', text: line }];
    },
    finish(context) {
      const decision = exitCodeOutcome(context);
      const finalText = tail.replace(/\n$/, '');
      return decision.outcome === 'completed' && finalText !== '' ? { ...decision, finalText } : decision;
    },
  };
}

/**
 * Creates a shell launcher: runs the configured command with the prompt on stdin and SASE_AGENT_NAME,
 * SASE_ARTIFACTS_DIR, SASE_BEAD_ID and SASE_MODEL in its environment. Every stdout line is an `output` event;
 * exit code 0 is `completed` (with the tail of stdout as the final text), anything else is `failed`.
 *
 * A request's context is written to `<artifactsDir>/context.md`, named by SASE_PROMPT_CONTEXT (and appended to
 * stdin only with `context: 'stdin'`). Without `command`, `launch()` throws a LauncherError `NO_COMMAND`.
 */
export function createShell(settings: ShellSettings = {}): ProcessLauncher {
  assertSettingKeys('shell', settings, SHELL_SETTING_KEYS);
  assertProcessLauncherSettings('shell', settings);
  const contextMode = settings.context ?? 'file';
  if (!CONTEXT_MODES.includes(contextMode)) {
    invalid(`context must be one of ${CONTEXT_MODES.join(', ')}, not ${JSON.stringify(settings.context)}`);
  }
  if (settings.command === undefined) {
    return {
      specificationVersion: 'launcher-v1',
      launcherId: 'shell',
      launch() {
        throw new LauncherError('NO_COMMAND', NO_COMMAND_MESSAGE, { launcherId: 'shell' });
      },
      locate: (): ExecutableLocation => ({
        executable: '(no command)',
        found: false,
        overrideVariable: SHELL_OVERRIDE_VARIABLE,
      }),
    };
  }
  const [program, ...commandArguments] = commandArgv(settings.command);
  const args = [...commandArguments, ...(settings.args ?? [])];
  const launcher = createProcessLauncher({
    launcherId: 'shell',
    executable: program as string,
    overrideVariable: SHELL_OVERRIDE_VARIABLE,
    ...(settings.env === undefined ? {} : { env: settings.env }),
    ...(settings.killGraceMs === undefined ? {} : { killGraceMs: settings.killGraceMs }),
    invocation: (request) => ({
      args,
      input: contextMode === 'stdin' ? composePrompt(request.prompt, request.context) : request.prompt,
    }),
    createMapper: createShellMapper,
  });
  return {
    ...launcher,
    launch(request) {
      assertLaunchRequest(request, 'shell');
      const contextFile = preparePromptContext(request);
      // SASE_PROMPT_CONTEXT describes this run only: set iff it has context, whatever the caller's env says.
      const { [PROMPT_CONTEXT_VARIABLE]: _ignored, ...env } = request.env ?? {};
      return launcher.launch({
        ...request,
        env: contextFile === undefined ? env : { ...env, [PROMPT_CONTEXT_VARIABLE]: contextFile },
      });
    },
  };
}

/** The shell launcher with default settings: no command, so `launch()` throws a LauncherError `NO_COMMAND`. */
export const shell: ProcessLauncher = createShell();
