import { MODEL_NAME, type Workspace } from './config.js';
import { resolveLauncher } from './launchers.js';
import { WorkspaceError } from './workspace-error.js';

const LAUNCHER_PREFIX = /^([a-z][a-z0-9-]*)\/(.*)$/;

/**
 * The `@alias` → model table of a launcher: the adapter's defaults (`modelAliases`), overridden by sase.yml
 * `launcher.<id>.models`.
 */
export async function modelAliasesOf(
  workspace: Workspace,
  launcherId: string,
): Promise<Record<string, string>> {
  const settings = workspace.config.launcher.settings[launcherId] ?? {};
  let defaults: Readonly<Record<string, string>> = {};
  try {
    const launcher = await resolveLauncher(launcherId, settings);
    defaults = (launcher as { modelAliases?: Readonly<Record<string, string>> }).modelAliases ?? {};
  } catch {
    // an unknown or unusable launcher is reported where it is used
  }
  return { ...defaults, ...((settings.models as Record<string, string> | undefined) ?? {}) };
}

/** The launcher a model text names, if any: `claude/opus` → claude, and a `models.aliases` entry's target. */
export function launcherNamedBy(
  aliases: Readonly<Record<string, string>>,
  modelText: string,
): string | undefined {
  const target = aliases[modelText] ?? modelText;
  return LAUNCHER_PREFIX.exec(target)?.[1];
}

/**
 * Resolves a `%model` / `--model` value: a `models.aliases` entry, then `launcher/model` (which names the
 * launcher too), then `@alias` (`@smart`, `@fast`, `@cheap`, or any key of `launcher.<id>.models`) against
 * the launcher's table. Throws MODEL_ALIAS_UNKNOWN for an alias the launcher does not have, and MODEL_INVALID
 * for a model name that could be read as a flag (see MODEL_NAME).
 */
export function resolveModelText(
  modelText: string,
  options: {
    /** sase.yml `models.aliases`. */
    aliases: Readonly<Record<string, string>>;
    defaultLauncher: string | undefined;
    aliasTables: ReadonlyMap<string, Record<string, string>>;
  },
): { launcher?: string; model: string | null } {
  const target = options.aliases[modelText] ?? modelText;
  const prefixed = LAUNCHER_PREFIX.exec(target);
  const launcher = prefixed?.[1];
  let model: string | null = prefixed ? prefixed[2] || null : target;
  if (model?.startsWith('@')) {
    const id = launcher ?? options.defaultLauncher;
    const table = id === undefined ? undefined : options.aliasTables.get(id);
    const alias = model.slice(1);
    const resolved = table?.[alias];
    if (resolved === undefined) {
      const known = Object.keys(table ?? {}).map((key) => `@${key}`);
      throw new WorkspaceError(
        'MODEL_ALIAS_UNKNOWN',
        `model "${modelText}": ${id === undefined ? 'no launcher to resolve the alias against' : `launcher ${id} has no alias @${alias}`}; ` +
          (known.length > 0 ? `its aliases are ${known.join(', ')}` : 'it has no aliases') +
          (id === undefined ? '' : ` (set them in sase.yml launcher.${id}.models)`),
      );
    }
    model = resolved;
  }
  if (model !== null && !MODEL_NAME.test(model)) {
    throw new WorkspaceError(
      'MODEL_INVALID',
      `model "${model}" is not a model name: use letters, digits and . _ : / @ + - [ ], not starting with - ` +
        '(a model must never read as a flag of the agent CLI)',
    );
  }
  return launcher === undefined ? { model } : { launcher, model };
}

/** The alias tables of the launchers that `modelTexts` may resolve against (the default one and named ones). */
export async function aliasTablesFor(
  workspace: Workspace,
  defaultLauncher: string | undefined,
  modelTexts: readonly (string | undefined)[],
): Promise<Map<string, Record<string, string>>> {
  const ids = new Set<string>();
  for (const text of modelTexts) {
    if (text === undefined) continue;
    const target = workspace.config.models.aliases[text] ?? text;
    if (!target.includes('@')) continue;
    const named = LAUNCHER_PREFIX.exec(target)?.[1] ?? defaultLauncher;
    if (named !== undefined) ids.add(named);
  }
  const tables = new Map<string, Record<string, string>>();
  for (const id of ids) tables.set(id, await modelAliasesOf(workspace, id));
  return tables;
}
