/**
 * The launchers a workspace knows, loaded lazily: an adapter package (and everything it imports) is loaded only
 * when that launcher is actually needed. Used by `sase run`, `sase launchers` and the AXE supervisor.
 *
 *   const launcher = await resolveLauncher('claude', config.launcher.settings.claude);
 *   const run = launcher.launch(request);
 *
 * Settings come from sase.yml `launcher.<id>` (snake_case keys such as `kill_grace_ms` are accepted and passed
 * to the adapter factory in camelCase). A launcher id that is not built in may name its package:
 * `launcher.<id>.package: '@acme/sase-launcher-x'`, whose `createLauncher(settings)` (or default export) must
 * return a launcher-v1 launcher.
 */
import { isLauncherV1, LauncherError, type LauncherV1 } from '@sase/launcher-core';
import type { Workspace } from './config.js';
import { WorkspaceError } from './workspace-error.js';

type Factory = (settings: Record<string, unknown>) => LauncherV1;

/** The built-in launcher ids and their packages. */
export const BUILT_IN_LAUNCHERS = {
  shell: '@sase/launcher-shell',
  claude: '@sase/launcher-claude',
  codex: '@sase/launcher-codex',
  gemini: '@sase/launcher-gemini',
} as const;

export type BuiltInLauncherId = keyof typeof BUILT_IN_LAUNCHERS;

// Literal import() calls, so that bundlers and the TypeScript compiler see every adapter.
const LOADERS: Record<BuiltInLauncherId, () => Promise<Factory>> = {
  shell: async () => (await import('@sase/launcher-shell')).createShell as Factory,
  claude: async () => (await import('@sase/launcher-claude')).createClaude as Factory,
  codex: async () => (await import('@sase/launcher-codex')).createCodex as Factory,
  gemini: async () => (await import('@sase/launcher-gemini')).createGemini as Factory,
};

function isBuiltIn(id: string): id is BuiltInLauncherId {
  return Object.hasOwn(BUILT_IN_LAUNCHERS, id);
}

/** `kill_grace_ms` → `killGraceMs`; top-level keys only (an `env` map keeps its variable names). */
export function launcherSettingsFromConfig(settings: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [
      key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase()),
      value,
    ]),
  );
}

async function launcherError(code: string, message: string, launcherId: string): Promise<Error> {
  return new LauncherError(code as 'LAUNCHER_NOT_FOUND', message, { launcherId });
}

/**
 * Returns the launcher `id` created with `settings` (sase.yml `launcher.<id>`, snake_case or camelCase). Throws a
 * LauncherError: LAUNCHER_NOT_FOUND for an unknown id, INVALID_SETTINGS for settings the adapter refuses.
 */
export async function resolveLauncher(
  id: string,
  settings: Record<string, unknown> = {},
): Promise<LauncherV1> {
  // `package` names the adapter and `models` holds SASE's `@alias` table: neither is the adapter's setting.
  const { package: packageName, models: _models, ...adapterSettings } = launcherSettingsFromConfig(settings);
  let factory: Factory;
  if (isBuiltIn(id) && packageName === undefined) {
    factory = await LOADERS[id]();
  } else if (typeof packageName === 'string' && packageName !== '') {
    let module: Record<string, unknown>;
    try {
      module = (await import(packageName)) as Record<string, unknown>;
    } catch (cause) {
      throw await launcherError(
        'LAUNCHER_NOT_FOUND',
        `launcher "${id}": cannot load its package "${packageName}" (${(cause as Error).message}); install it ` +
          'next to sase or fix launcher.' +
          `${id}.package in sase.yml`,
        id,
      );
    }
    const candidate = module.createLauncher ?? module.default;
    if (typeof candidate !== 'function') {
      throw await launcherError(
        'LAUNCHER_NOT_FOUND',
        `launcher "${id}": package "${packageName}" exports no createLauncher(settings) function`,
        id,
      );
    }
    factory = candidate as Factory;
  } else {
    throw await launcherError(
      'LAUNCHER_NOT_FOUND',
      `unknown launcher "${id}"; the installed launchers are ${Object.keys(BUILT_IN_LAUNCHERS).join(', ')} ` +
        `(or set launcher.${id}.package in sase.yml to a package that provides one)`,
      id,
    );
  }
  const launcher = factory(adapterSettings);
  if (!isLauncherV1(launcher)) {
    throw await launcherError(
      'LAUNCHER_NOT_FOUND',
      `launcher "${id}" does not implement launcher-v1 (specificationVersion, launcherId, launch)`,
      id,
    );
  }
  return launcher;
}

/** One row of `sase launchers`. */
export interface LauncherListing {
  id: string;
  /** The package that provides it. */
  packageName: string;
  /** True for sase.yml's `launcher.default`. */
  isDefault: boolean;
  /** The executable looked for, when the launcher reports one (`locate()`). */
  executable?: string;
  /** True when the executable was found; undefined when the launcher cannot tell. */
  isFound?: boolean;
  /** Where it was found. */
  path?: string;
  /** The environment variable that overrides the executable. */
  overrideVariable?: string;
  /** Why the launcher could not be loaded (bad settings, missing package). */
  error?: string;
}

/**
 * Lists the built-in launchers and those configured in sase.yml, each with whether its executable is found
 * (through the launcher's optional `locate()`). Never throws for one launcher's problem: it is reported in `error`.
 */
export async function listLaunchers(
  options: { defaultLauncher?: string; settings?: Record<string, Record<string, unknown>> } = {},
): Promise<LauncherListing[]> {
  const settings = options.settings ?? {};
  const defaultLauncher = options.defaultLauncher;
  const ids = [
    ...Object.keys(BUILT_IN_LAUNCHERS),
    ...Object.keys(settings)
      .filter((id) => !isBuiltIn(id))
      .sort(),
  ];
  const listings: LauncherListing[] = [];
  for (const id of ids) {
    const configured = launcherSettingsFromConfig(settings[id]);
    const packageName =
      typeof configured.package === 'string'
        ? configured.package
        : isBuiltIn(id)
          ? BUILT_IN_LAUNCHERS[id]
          : '?';
    const listing: LauncherListing = { id, packageName, isDefault: id === defaultLauncher };
    try {
      const launcher = await resolveLauncher(id, settings[id]);
      const location = launcher.locate?.();
      if (location !== undefined) {
        listing.executable = location.executable;
        listing.isFound = location.found;
        if (location.path !== undefined) listing.path = location.path;
        if (location.overrideVariable !== undefined) listing.overrideVariable = location.overrideVariable;
      }
    } catch (error) {
      listing.error = (error as Error).message;
    }
    listings.push(listing);
  }
  return listings;
}

/**
 * Launchers as sase.yml configures them (`launcher.<id>` settings). With `axe.queue`, each is dispatched
 * through the queue to `sase worker`s (createQueueLauncher in remote.ts).
 */
export function launcherResolverOf(workspace: Workspace): (id: string) => Promise<LauncherV1> {
  return async (id) => {
    const settings = workspace.config.launcher.settings[id] ?? {};
    const launcher = await resolveLauncher(id, settings);
    if (workspace.config.axe.queue === undefined) return launcher;
    const { createQueueLauncher } = await import('./remote.js');
    return createQueueLauncher(workspace, launcher, settings);
  };
}

/**
 * The launcher a command that starts agents uses: `--launcher`, else sase.yml `launcher.default`. With
 * neither, NO_LAUNCHER: SASE never guesses, because a guess (a shell that echoes its prompt) would "complete"
 * every agent with no work done. The launcher is loaded with its settings, so an unknown id or settings the
 * adapter refuses are reported before anything is submitted.
 */
export async function chooseLauncher(workspace: Workspace, flag?: string): Promise<string> {
  const id = flag ?? workspace.config.launcher.default;
  if (id === undefined) {
    throw new WorkspaceError(
      'NO_LAUNCHER',
      'no launcher configured: set launcher.default in sase.yml or pass --launcher',
    );
  }
  assertLauncherUsable(id, await resolveLauncher(id, workspace.config.launcher.settings[id] ?? {}));
  return id;
}

/**
 * Refuses a launcher that cannot start anything: the shell launcher without a command (NO_COMMAND), or an
 * executable that is not found (EXECUTABLE_NOT_FOUND, naming the variable that overrides it).
 */
export function assertLauncherUsable(id: string, launcher: LauncherV1): void {
  const location = launcher.locate?.();
  if (location === undefined || location.found) return;
  if (location.executable === '(no command)') {
    // The shell launcher's own error, thrown where it would be at launch.
    launcher.launch({ agentName: 'check', prompt: '', cwd: '.', artifactsDir: '.' });
  }
  const how = location.isOverridden ? `${location.overrideVariable} is set to it` : 'searched on PATH';
  throw new LauncherError(
    'EXECUTABLE_NOT_FOUND',
    `the ${id} launcher's executable "${location.executable}" was not found (${how}); install it` +
      (location.overrideVariable === undefined ? '' : `, or set ${location.overrideVariable} to its path`),
    {
      launcherId: id,
      executable: location.executable,
      ...(location.overrideVariable === undefined ? {} : { overrideVariable: location.overrideVariable }),
    },
  );
}
