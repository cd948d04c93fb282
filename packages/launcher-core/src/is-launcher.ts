import type { LauncherV1 } from './spec.js';

/** The specification version this package publishes. */
export const LAUNCHER_SPECIFICATION_VERSION = 'launcher-v1';

/** True when `value` looks like a launcher-v1 launcher (for code that loads third-party adapters). */
export function isLauncherV1(value: unknown): value is LauncherV1 {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<LauncherV1>;
  return (
    candidate.specificationVersion === LAUNCHER_SPECIFICATION_VERSION &&
    typeof candidate.launcherId === 'string' &&
    candidate.launcherId !== '' &&
    typeof candidate.launch === 'function' &&
    (candidate.locate === undefined || typeof candidate.locate === 'function') &&
    (candidate.resume === undefined || typeof candidate.resume === 'function') &&
    (candidate.modelAliases === undefined ||
      (candidate.modelAliases !== null &&
        typeof candidate.modelAliases === 'object' &&
        !Array.isArray(candidate.modelAliases) &&
        Object.values(candidate.modelAliases).every((model) => typeof model === 'string')))
  );
}
