import { type LauncherListing, listLaunchers } from '@sase/workspace';
import { findWorkspace } from '@sase/workspace/config';
import { type CommandContext, printJson } from '../../io.js';

export interface LaunchersOptions extends CommandContext {}

async function readLauncherConfig(
  cwd: string,
): Promise<{ defaultLauncher?: string; settings: Record<string, Record<string, unknown>> }> {
  try {
    const { config } = await findWorkspace(cwd);
    return {
      ...(config.launcher.default === undefined ? {} : { defaultLauncher: config.launcher.default }),
      settings: config.launcher.settings,
    };
  } catch (error) {
    // Outside a workspace nothing is configured; a broken sase.yml is still an error.
    if ((error as { code?: string }).code === 'NOT_IN_WORKSPACE') return { settings: {} };
    throw error;
  }
}

function toJson(listing: LauncherListing): Record<string, unknown> {
  return {
    id: listing.id,
    package: listing.packageName,
    default: listing.isDefault,
    executable: listing.executable ?? null,
    found: listing.isFound ?? null,
    path: listing.path ?? null,
    override_variable: listing.overrideVariable ?? null,
    ...(listing.error === undefined ? {} : { error: listing.error }),
  };
}

/** `sase launchers [--json]`: exit 0 (a missing executable is information, not an error). */
export async function launchers(options: LaunchersOptions): Promise<number> {
  const listings = await listLaunchers(await readLauncherConfig(options.cwd));
  if (options.json) {
    printJson(options.io, listings.map(toJson));
    return 0;
  }
  const rows = [
    ['ID', 'DEFAULT', 'FOUND', 'EXECUTABLE', 'OVERRIDE', 'PACKAGE'],
    ...listings.map((listing) => [
      listing.id,
      listing.isDefault ? '*' : '',
      listing.error !== undefined
        ? 'error'
        : listing.isFound === undefined
          ? '?'
          : listing.isFound
            ? 'yes'
            : 'no',
      listing.path ?? listing.executable ?? '',
      listing.overrideVariable ?? '',
      listing.packageName,
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) {
    options.io.stdout(
      `${row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
  for (const listing of listings) {
    if (listing.error !== undefined) options.io.stderr(`sase: launcher ${listing.id}: ${listing.error}\n`);
  }
  return 0;
}
