import {
  assertProcessLauncherSettings,
  createProcessLauncher,
  exitCodeOutcome,
  LauncherError,
  type OutputMapper,
  type ProcessLauncher,
  type ProcessLauncherSettings,
} from '@sase/launcher-core';

/** The command run when none is configured: `cat`, which echoes the prompt back (a dry run that needs no account). */
export const DEFAULT_SHELL_COMMAND: readonly string[] = ['cat'];

/** The environment variable that replaces the program (argv[0]) of the configured command. */
export const SHELL_OVERRIDE_VARIABLE = 'SASE_SHELL_BIN';

/** The longest final text kept from a shell agent's stdout (its tail). */
const FINAL_TEXT_CHARACTERS = 64 * 1024;

export interface ShellSettings extends Omit<ProcessLauncherSettings, 'executable'> {
  /**
   * What to run (`launcher.shell.command` in sase.yml):
   * - an argv array, run directly (`['my-agent', '--yes']`);
   * - a string, run by `sh -c` (`'my-agent --yes | tee log'`): the string is yours to write, and may use pipes
   *   and `$SASE_AGENT_NAME`. The prompt is never part of it: it always arrives on stdin.
   * Default `['cat']`.
   */
  command?: readonly string[] | string;
}

function commandArgv(settings: ShellSettings): string[] {
  const { command } = settings;
  if (command === undefined) return [...DEFAULT_SHELL_COMMAND];
  if (typeof command === 'string') {
    if (command.trim() === '') {
      throw new LauncherError(
        'INVALID_SETTINGS',
        'launcher.shell.command must not be empty; e.g. "my-agent --yes"',
        {
          launcherId: 'shell',
        },
      );
    }
    return ['sh', '-c', command];
  }
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    command.some((part) => typeof part !== 'string') ||
    command[0] === ''
  ) {
    throw new LauncherError(
      'INVALID_SETTINGS',
      'launcher.shell.command must be a non-empty list of strings (["my-agent", "--yes"]) or a string run by sh -c',
      { launcherId: 'shell' },
    );
  }
  return [...command];
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
 */
export function createShell(settings: ShellSettings = {}): ProcessLauncher {
  assertProcessLauncherSettings('shell', settings);
  const [program, ...commandArguments] = commandArgv(settings);
  const args = [...commandArguments, ...(settings.args ?? [])];
  return createProcessLauncher({
    launcherId: 'shell',
    executable: program as string,
    overrideVariable: SHELL_OVERRIDE_VARIABLE,
    ...(settings.env === undefined ? {} : { env: settings.env }),
    ...(settings.killGraceMs === undefined ? {} : { killGraceMs: settings.killGraceMs }),
    invocation: (request) => ({ args, input: request.prompt }),
    createMapper: createShellMapper,
  });
}

/** The shell launcher with default settings (`cat`). */
export const shell: ProcessLauncher = createShell();
