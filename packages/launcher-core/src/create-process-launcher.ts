import {
  assertLaunchRequest,
  assertSessionId,
  createLauncherRun,
  MODEL_NAME_PATTERN,
  type OutputMapper,
} from './create-launcher-run.js';
import { LauncherError } from './launcher-error.js';
import { type ExecutableLocation, locateExecutable, resolveExecutable } from './resolve-executable.js';
import type { LauncherV1, LaunchRequest, LaunchRun } from './spec.js';

/** Settings every process-based adapter accepts (an adapter's own settings type extends this). */
export interface ProcessLauncherSettings {
  /** The executable: a name searched on PATH or a path. The adapter's override variable (e.g. SASE_CLAUDE_BIN) wins. */
  executable?: string;
  /** Extra arguments, appended after the adapter's own flags. */
  args?: string[];
  /** Extra environment for the agent process (under the SASE_* variables and the request's env). */
  env?: Record<string, string>;
  /** Milliseconds between SIGTERM and SIGKILL when a run is killed. Default 5000. */
  killGraceMs?: number;
}

/** How one CLI is invoked for one request. */
export interface Invocation {
  /** The arguments after the executable. */
  args: string[];
  /** Text for stdin (usually the prompt). Undefined closes stdin at once. */
  input?: string;
  /**
   * Environment for this run only (e.g. a variable the CLI needs in one permission mode): over the adapter's `env`,
   * under the SASE_* variables and the request's env.
   */
  env?: Record<string, string>;
}

export interface ProcessLauncherDefinition {
  /** The launcher id (`claude`). */
  launcherId: string;
  /** The executable's default name or path (`claude`). */
  executable: string;
  /** The environment variable that overrides the executable (`SASE_CLAUDE_BIN`). */
  overrideVariable?: string;
  /** The adapter's environment for every run. */
  env?: Record<string, string>;
  /** Milliseconds between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Milliseconds to read leftover output after the process exited. */
  drainMs?: number;
  /** Maps a request to arguments and stdin. Throw a LauncherError `INVALID_REQUEST` for a request it cannot run. */
  invocation(request: LaunchRequest): Invocation;
  /**
   * Maps a request that continues the CLI's session `sessionId` (already checked: one argv word that cannot read
   * as a flag) to arguments and stdin. The launcher has `resume()` exactly when the definition has this.
   */
  resumeInvocation?(request: LaunchRequest, sessionId: string): Invocation;
  /** The launcher's default models for `@smart`, `@fast`, `@cheap` (LauncherV1.modelAliases); copied and frozen. */
  modelAliases?: Readonly<Record<string, string>>;
  /** A fresh output mapper for each run. Default: plain text, completed iff exit code 0. */
  createMapper?(request: LaunchRequest): OutputMapper;
}

/** A launcher-v1 launcher backed by a process; `locate()` is always present. */
export interface ProcessLauncher extends LauncherV1 {
  locate(): ExecutableLocation;
}

/** The keys of ProcessLauncherSettings, for an adapter's list of valid keys (see assertSettingKeys). */
export const PROCESS_LAUNCHER_SETTING_KEYS: readonly (keyof ProcessLauncherSettings)[] = [
  'executable',
  'args',
  'env',
  'killGraceMs',
];

/** `killGraceMs` → `kill_grace_ms`, the spelling of sase.yml. */
function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** The edit distance of two short strings (insertions, deletions, substitutions). */
function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const substitution = (previous[column - 1] as number) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(
        Math.min((previous[column] as number) + 1, (current[column - 1] as number) + 1, substitution),
      );
    }
    previous = current;
  }
  return previous[right.length] as number;
}

/**
 * Refuses a setting the adapter does not know (a typo such as `comand` would otherwise be ignored silently):
 * throws a LauncherError `INVALID_SETTINGS` naming the key, the closest valid one, and every valid key (with its
 * sase.yml snake_case spelling where that differs). `validKeys` is the adapter's complete list, e.g.
 * `[...PROCESS_LAUNCHER_SETTING_KEYS, 'permissionMode']`.
 */
export function assertSettingKeys(launcherId: string, settings: object, validKeys: readonly string[]): void {
  const fail = (message: string): never => {
    throw new LauncherError('INVALID_SETTINGS', `launcher.${launcherId}: ${message}`, { launcherId });
  };
  const listed = validKeys
    .map((key) => (snakeCase(key) === key ? key : `${key} (${snakeCase(key)} in sase.yml)`))
    .join(', ');
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    fail(`settings must be an object (a map) of these settings: ${listed}`);
  }
  for (const key of Object.keys(settings)) {
    if (validKeys.includes(key)) continue;
    const closest = validKeys
      .map((valid) => ({ valid, distance: editDistance(key.toLowerCase(), valid.toLowerCase()) }))
      .sort((left, right) => left.distance - right.distance)[0];
    const hint =
      closest !== undefined && closest.distance <= Math.max(1, Math.floor(closest.valid.length / 3))
        ? ` (did you mean "${closest.valid}"?)`
        : '';
    fail(`unknown setting "${key}"${hint}; the valid settings are ${listed}`);
  }
}

/** Checks the settings every process-based adapter shares; throws a LauncherError `INVALID_SETTINGS`. */
export function assertProcessLauncherSettings(launcherId: string, settings: ProcessLauncherSettings): void {
  const fail = (message: string): never => {
    throw new LauncherError('INVALID_SETTINGS', `launcher.${launcherId}: ${message}`, { launcherId });
  };
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    fail('settings must be an object such as { executable: "/usr/local/bin/tool" }');
  }
  if (
    settings.executable !== undefined &&
    (typeof settings.executable !== 'string' || settings.executable === '')
  ) {
    fail('executable must be a non-empty string (a name on PATH or a path)');
  }
  if (
    settings.args !== undefined &&
    (!Array.isArray(settings.args) || settings.args.some((argument) => typeof argument !== 'string'))
  ) {
    fail('args must be a list of strings, e.g. ["--max-turns", "20"]');
  }
  if (settings.env !== undefined) {
    if (settings.env === null || typeof settings.env !== 'object' || Array.isArray(settings.env)) {
      fail('env must be a map of variable names to strings');
    }
    for (const [name, value] of Object.entries(settings.env)) {
      if (typeof value !== 'string') fail(`env.${name} must be a string, not ${typeof value}`);
    }
  }
  if (
    settings.killGraceMs !== undefined &&
    !(
      typeof settings.killGraceMs === 'number' &&
      Number.isFinite(settings.killGraceMs) &&
      settings.killGraceMs >= 0
    )
  ) {
    fail('killGraceMs must be a number of milliseconds (0 or more)');
  }
}

/** A frozen copy of a definition's alias table, checked: `smart` → `opus`, never `@smart` or `--flag`. */
function checkedModelAliases(
  launcherId: string,
  aliases: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  const fail = (message: string): never => {
    throw new LauncherError('INVALID_SETTINGS', `launcher.${launcherId}: ${message}`, { launcherId });
  };
  if (aliases === null || typeof aliases !== 'object' || Array.isArray(aliases)) {
    fail('modelAliases must be a map of aliases to model names, such as { smart: "opus" }');
  }
  for (const [alias, model] of Object.entries(aliases)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(alias)) {
      fail(`the model alias ${JSON.stringify(alias)} must be a word such as "smart" (without the @)`);
    }
    if (typeof model !== 'string' || !MODEL_NAME_PATTERN.test(model)) {
      fail(
        `the model of alias "${alias}" must be a model name (non-empty, without whitespace or control ` +
          `characters, not starting with "-"), not ${typeof model === 'string' ? JSON.stringify(model) : typeof model}`,
      );
    }
  }
  return Object.freeze({ ...aliases });
}

/**
 * Builds a complete launcher-v1 launcher from the two things that differ between agent CLIs: how a request
 * becomes argv + stdin, and how the CLI's output becomes events and an outcome. Executable resolution (with the
 * override variable), request validation, spawning, killing, the transcript and the outcome plumbing are shared.
 *
 * The executable is resolved on each launch against process.env merged with the adapter's and the request's
 * env, so a request can point at a wrapper (`env: { SASE_CLAUDE_BIN: '/path/to/wrapper' }`).
 *
 * With `resumeInvocation`, the launcher also has `resume(request, sessionId)` (the same plumbing; the session id
 * is checked by assertSessionId first); with `modelAliases`, the `modelAliases` property (frozen). Each alias
 * must be a word without `@` and each model a MODEL_NAME_PATTERN name, else INVALID_SETTINGS.
 */
export function createProcessLauncher(definition: ProcessLauncherDefinition): ProcessLauncher {
  const { launcherId } = definition;
  const start = (request: LaunchRequest, invocationOf: () => Invocation): LaunchRun => {
    const environment = { ...process.env, ...definition.env, ...request.env };
    let executablePath: string;
    try {
      executablePath = resolveExecutable(definition.executable, definition.overrideVariable, environment);
    } catch (error) {
      if (error instanceof LauncherError) {
        throw new LauncherError(error.code, `${launcherId} launcher: ${error.message}`, {
          launcherId,
          ...(error.executable === undefined ? {} : { executable: error.executable }),
          ...(error.overrideVariable === undefined ? {} : { overrideVariable: error.overrideVariable }),
        });
      }
      throw error;
    }
    const invocation = invocationOf();
    return createLauncherRun(request, {
      launcherId,
      command: [executablePath, ...invocation.args],
      ...(invocation.input === undefined ? {} : { input: invocation.input }),
      ...(definition.env === undefined && invocation.env === undefined
        ? {}
        : { env: { ...definition.env, ...invocation.env } }),
      ...(definition.createMapper === undefined ? {} : { mapper: definition.createMapper(request) }),
      ...(definition.killGraceMs === undefined ? {} : { killGraceMs: definition.killGraceMs }),
      ...(definition.drainMs === undefined ? {} : { drainMs: definition.drainMs }),
    });
  };
  const { resumeInvocation } = definition;
  const modelAliases =
    definition.modelAliases === undefined
      ? undefined
      : checkedModelAliases(launcherId, definition.modelAliases);
  return {
    specificationVersion: 'launcher-v1',
    launcherId,
    ...(modelAliases === undefined ? {} : { modelAliases }),
    launch(request: LaunchRequest): LaunchRun {
      assertLaunchRequest(request, launcherId);
      return start(request, () => definition.invocation(request));
    },
    ...(resumeInvocation === undefined
      ? {}
      : {
          resume(request: LaunchRequest, sessionId: string): LaunchRun {
            assertLaunchRequest(request, launcherId);
            assertSessionId(sessionId, launcherId);
            return start(request, () => resumeInvocation.call(definition, request, sessionId));
          },
        }),
    locate(): ExecutableLocation {
      return locateExecutable(definition.executable, definition.overrideVariable, {
        ...process.env,
        ...definition.env,
      });
    },
  };
}
