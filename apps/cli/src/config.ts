import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './errors.js';
import { writeFileAtomic } from './internal/write-file-atomic.js';

/** sase.yml, validated, in camelCase. Every key is optional; absent ones take these defaults. */
export interface SaseConfig {
  sdd: { versionControlled: boolean };
  beads: { prefix?: string };
  launcher: { default: string; settings: Record<string, Record<string, unknown>> };
  models: { aliases: Record<string, string> };
  axe: { pollMs: number };
}

export const DEFAULT_CONFIG: SaseConfig = {
  sdd: { versionControlled: false },
  beads: {},
  launcher: { default: 'shell', settings: {} },
  models: { aliases: {} },
  axe: { pollMs: 1000 },
};

export const CONFIG_FILE = 'sase.yml';

/**
 * Reads `<root>/sase.yml`. Parsing YAML and validating with zod costs ~100 ms of imports, so the validated
 * result is cached in `.sase/cache/config.json` keyed by the file's size, mtime and inode: commands on the
 * hot path (`sase bead ready`) pay for a stat and a small JSON read, and a changed file is validated again.
 */
export async function loadConfig(root: string): Promise<SaseConfig> {
  const file = join(root, CONFIG_FILE);
  let stamp: string;
  try {
    const stat = statSync(file, { bigint: true });
    stamp = `${stat.size}:${stat.mtimeNs}:${stat.ino}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_CONFIG;
    throw error;
  }
  const cacheFile = join(root, '.sase', 'cache', 'config.json');
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { stamp: string; config: SaseConfig };
    if (cached.stamp === stamp) return cached.config;
  } catch {
    // no cache yet, or unreadable: validate below
  }
  const config = await parseConfigText(readFileSync(file, 'utf8'), file);
  try {
    // Only in a workspace set up with `sase init`: a bare checkout gets no stray, un-ignored .sase/.
    if (!existsSync(join(root, '.sase'))) return config;
    mkdirSync(join(root, '.sase', 'cache'), { recursive: true });
    writeFileAtomic(cacheFile, `${JSON.stringify({ stamp, config })}\n`);
  } catch {
    // a read-only checkout still works, just without the cache
  }
  return config;
}

/** Parses and validates the text of a sase.yml. Throws CONFIG_INVALID naming file, line and key. */
export async function parseConfigText(text: string, file = CONFIG_FILE): Promise<SaseConfig> {
  const [{ parseDocument, LineCounter }, { z }] = await Promise.all([import('yaml'), import('zod')]);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    const error = document.errors[0]!;
    const line = error.linePos?.[0]?.line ?? 1;
    throw new CliError('CONFIG_INVALID', `${file}:${line}: ${error.message.split('\n')[0]}`);
  }
  const launcherId = /^[a-z][a-z0-9-]*$/;
  const schema = z
    .strictObject({
      sdd: z.strictObject({ version_controlled: z.boolean().optional() }).optional(),
      beads: z
        .strictObject({
          prefix: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'use letters, digits, _ and -'),
        })
        .partial()
        .optional(),
      launcher: z
        .object({
          default: z.string().regex(launcherId, 'a launcher id like shell, claude, codex, gemini').optional(),
        })
        .catchall(z.record(z.string(), z.unknown()))
        .optional(),
      models: z
        .strictObject({
          aliases: z.record(
            z.string(),
            z.string().regex(/^[a-z][a-z0-9-]*\/.+$/, 'write launcher/model, e.g. claude/opus'),
          ),
        })
        .partial()
        .optional(),
      axe: z
        .strictObject({ poll_ms: z.number().int().min(50).max(600_000) })
        .partial()
        .optional(),
    })
    .nullable();
  const result = schema.safeParse(document.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String);
    const node = document.getIn(path, true) as
      | {
          range?: [number, number, number];
          items?: { key?: { value?: unknown; range?: [number, number, number] } }[];
        }
      | undefined;
    const unknownKey =
      issue.code === 'unrecognized_keys'
        ? node?.items?.find((pair) => pair.key?.value === issue.keys[0])?.key
        : undefined;
    const range = unknownKey?.range ?? node?.range;
    const line = range ? lineCounter.linePos(range[0]).line : 1;
    const key = issue.code === 'unrecognized_keys' ? [...path, ...issue.keys].join('.') : path.join('.');
    const reason =
      issue.code === 'unrecognized_keys'
        ? `unknown key "${key}"; valid keys: sdd.version_controlled, beads.prefix, launcher.default, launcher.<id>.*, models.aliases, axe.poll_ms`
        : `"${key}": ${issue.message}`;
    throw new CliError('CONFIG_INVALID', `${file}:${line}: ${reason}`);
  }
  const raw = result.data ?? {};
  const { default: defaultLauncher, ...settings } = raw.launcher ?? {};
  return {
    sdd: { versionControlled: raw.sdd?.version_controlled ?? false },
    beads: raw.beads?.prefix === undefined ? {} : { prefix: raw.beads.prefix },
    launcher: {
      default: defaultLauncher ?? 'shell',
      settings: settings as Record<string, Record<string, unknown>>,
    },
    models: { aliases: raw.models?.aliases ?? {} },
    axe: { pollMs: raw.axe?.poll_ms ?? 1000 },
  };
}
