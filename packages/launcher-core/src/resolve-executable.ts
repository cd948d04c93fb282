import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { LauncherError } from './launcher-error.js';

/** Where an executable is, as `locate()` reports it (for `sase launchers`). */
export interface ExecutableLocation {
  /** The name or path that was looked for (the override's value when the override is set). */
  executable: string;
  /** True when an executable file was found. */
  found: boolean;
  /** The absolute path, when found. */
  path?: string;
  /** The environment variable that overrides the executable. */
  overrideVariable?: string;
  /** True when the override variable was set (and so decided what was looked for). */
  isOverridden?: boolean;
}

type Environment = Record<string, string | undefined>;

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** How long an executable found is trusted: agents released together run the same one. */
const FOUND_CACHE_MS = 1000;
const found = new Map<string, { path: string; foundAt: number }>();

/**
 * The absolute path of the executable file `name` names, as exec would find it: a name with a `/` relative to
 * `baseDir`, any other on `environment.PATH` (whose relative entries are relative to `baseDir` too); undefined
 * when there is none. What it finds is remembered for FOUND_CACHE_MS (not what it does not find). For
 * resolveExecutable and for the standby shells, which look for a program from the agent's directory.
 */
export function findExecutable(
  name: string,
  environment: Environment,
  baseDir: string = process.cwd(),
): string | undefined {
  const key = `${name}\0${environment.PATH ?? ''}\0${baseDir}`;
  const now = Date.now();
  const cached = found.get(key);
  if (cached !== undefined && now - cached.foundAt < FOUND_CACHE_MS) return cached.path;
  const path = searchPath(name, environment, baseDir);
  if (found.size > 100) found.clear();
  if (path === undefined) found.delete(key);
  else found.set(key, { path, foundAt: now });
  return path;
}

function searchPath(name: string, environment: Environment, baseDir: string): string | undefined {
  if (name.includes('/')) {
    const candidate = resolve(baseDir, name);
    return isExecutableFile(candidate) ? candidate : undefined;
  }
  for (const directory of (environment.PATH ?? '').split(delimiter)) {
    if (directory === '') continue;
    const candidate = resolve(baseDir, directory, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds an executable without throwing. When `overrideVariable` is set (non-empty) in `environment`, its value is
 * what is looked for (a path, or a bare name searched on PATH); otherwise `name` is.
 */
export function locateExecutable(
  name: string,
  overrideVariable?: string,
  environment: Environment = process.env,
): ExecutableLocation {
  const override = overrideVariable === undefined ? undefined : environment[overrideVariable];
  const isOverridden = override !== undefined && override !== '';
  const executable = isOverridden ? override : name;
  const path = findExecutable(executable, environment);
  const location: ExecutableLocation = { executable, found: path !== undefined };
  if (path !== undefined) location.path = path;
  if (overrideVariable !== undefined) {
    location.overrideVariable = overrideVariable;
    location.isOverridden = isOverridden;
  }
  return location;
}

/**
 * Resolves an executable to an absolute path: the value of `overrideVariable` when it is set, else `name`,
 * searched on `environment.PATH` unless it contains a `/`. Throws a LauncherError `EXECUTABLE_NOT_FOUND` that
 * names the override variable, so a user knows how to point SASE at the right binary.
 */
export function resolveExecutable(
  name: string,
  overrideVariable?: string,
  environment: Environment = process.env,
): string {
  const location = locateExecutable(name, overrideVariable, environment);
  if (location.path !== undefined) return location.path;
  let message: string;
  if (location.isOverridden) {
    message =
      `${overrideVariable} is set to "${location.executable}", which is not an executable file` +
      `${location.executable.includes('/') ? '' : ' on PATH'}. Set ${overrideVariable} to the path of an ` +
      `executable (e.g. ${overrideVariable}=/usr/local/bin/${name}), or unset it to search PATH for "${name}".`;
  } else {
    const where = name.includes('/')
      ? `"${name}" is not an executable file`
      : `"${name}" was not found on PATH`;
    message =
      overrideVariable === undefined
        ? `${where}. Install it or give the full path of an executable.`
        : `${where}. Install it, or set ${overrideVariable} to the path of the executable ` +
          `(e.g. ${overrideVariable}=/usr/local/bin/${name.split('/').at(-1)}).`;
  }
  const fields: { executable: string; overrideVariable?: string } = { executable: location.executable };
  if (overrideVariable !== undefined) fields.overrideVariable = overrideVariable;
  throw new LauncherError('EXECUTABLE_NOT_FOUND', message, fields);
}
