import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The directory of real bd exports shared with the project (`shared/fixtures/beads-real/` beside the
 * repository), or undefined when this checkout has no shared folder next to it. Tests only.
 */
export function realBeadsFixtures(): string | undefined {
  const candidates = [
    fileURLToPath(new URL('../../../../../shared/fixtures/beads-real', import.meta.url)),
    '/work/shared/fixtures/beads-real',
  ];
  return candidates.find((dir) => existsSync(dir));
}
