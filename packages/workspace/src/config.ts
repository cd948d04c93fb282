/**
 * `@sase/workspace/config`: sase.yml and finding the workspace around a directory. This entry is light (it
 * loads yaml and zod only when a changed sase.yml must be validated), so the CLI's fastest commands use it.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beadStoreDirOf, findWorkspaceRoot, sddRootOf } from '@sase/beads/workspace';
import { writeFileAtomic } from './internal/files.js';
import { WorkspaceError } from './workspace-error.js';

export type { WorkspaceErrorCode, WorkspaceErrorDetails } from './workspace-error.js';
export { isWorkspaceError, WorkspaceError } from './workspace-error.js';

/** A check run by the supervisor on every change (sase.yml `changes.hooks`). */
export interface HookConfig {
  name: string;
  /** argv; no shell unless the user writes `["sh", "-c", ...]`. */
  command: string[];
  /** Killed (and failed) after this long. Default 600 000 ms (`timeout_s: 600`). */
  timeoutMs: number;
}

/** A mentor (sase.yml `changes.mentors`): an agent that reviews every change, or those touching `when`. */
export interface MentorConfig {
  name: string;
  /** The xprompt of its prompt, whose one input is `change`. Default `change/review`. */
  prompt: string;
  launcher?: string;
  model?: string;
  /** `always`, or path globs (`src/**`, `*.md`) of which the change must touch one. */
  when: 'always' | string[];
}

/** The events a notifier can be told about (sase.yml `notify[].on`). */
export const NOTIFY_EVENTS = [
  'plan_awaiting_approval',
  'agent_failed',
  'agent_killed',
  'change_ready',
  'run_settled',
  'mentor_requested_changes',
] as const;

export type NotifyEventName = (typeof NOTIFY_EVENTS)[number];

/** A notifier (sase.yml `notify`): a command told about the events it listens to. */
export interface NotifierConfig {
  on: NotifyEventName[];
  /** argv; no shell unless `["sh", "-c", ...]`. It reads one JSON document on stdin. */
  command: string[];
}

/** Where `sase run` puts an agent by default: its own git worktree, or the current checkout. */
export type AgentWorkspaceMode = 'worktree' | 'checkout';

/**
 * What a retry of a failed or killed agent is told (`agents.retry_context`): `resume` continues the CLI's
 * session where the launcher can (else as `summary`), `summary` starts afresh with a `## Previous attempt`
 * section, `none` adds nothing but a failing check's log.
 */
export type RetryContextMode = 'resume' | 'summary' | 'none';

/** sase.yml, validated, in camelCase. Every key is optional; absent ones take these defaults. */
export interface SaseConfig {
  sdd: { versionControlled: boolean };
  beads: { prefix?: string };
  /** `default` is undefined when sase.yml names none: commands that launch agents then need `--launcher`. */
  launcher: { default?: string; settings: Record<string, Record<string, unknown>> };
  models: { aliases: Record<string, string> };
  /**
   * `axe.poll_ms`; `axe.idle_exit_s` (default 300): a supervisor with no agent waiting, running or settling
   * for that long stops by itself (0: never).
   */
  axe: {
    pollMs: number;
    idleExitS: number;
    /**
     * `axe.standby_shells` (default 32, at most 64, 0: none): how many standby shells the supervisor keeps for
     * agents about to be released, so that agents released together start in parallel (maxStandbyShells of
     * @sase/scheduler).
     */
    standbyShells: number;
    /** `axe.queue`: `redis://HOST:PORT[/DB]` — launches go to `sase worker`s through this queue (remote.ts). */
    queue?: string;
    /** `axe.remote`: the git remote workers clone and push agents' branches to (default `origin`). */
    remote: string;
  };
  agents: { workspace: AgentWorkspaceMode; retryContext: RetryContextMode };
  changes: { hooks: HookConfig[]; deleteMergedBranches: boolean; mentors: MentorConfig[] };
  /** `legends.auto_work`: when a legend's epic plan is approved, its `bead work` starts at once. */
  legends: { autoWork: boolean };
  notify: NotifierConfig[];
}

export const DEFAULT_CONFIG: SaseConfig = {
  sdd: { versionControlled: false },
  beads: {},
  launcher: { settings: {} },
  models: { aliases: {} },
  axe: { pollMs: 1000, idleExitS: 300, standbyShells: 32, remote: 'origin' },
  agents: { workspace: 'checkout', retryContext: 'resume' },
  changes: { hooks: [], deleteMergedBranches: false, mentors: [] },
  legends: { autoWork: false },
  notify: [],
};

export const CONFIG_FILE = 'sase.yml';

/** Bumped when SaseConfig changes shape, so a cached config of an older SASE is validated again. */
const CACHE_VERSION = 6;

/**
 * The settings keys each built-in launcher takes under `launcher.<id>` (snake_case; camelCase is accepted
 * too). `package` (a launcher from another package) and `models` (the `@alias` → model map of `%model:@smart`)
 * are valid for every id. An unknown key is refused when
 * sase.yml is read, with its file and line, so that a typo never silently falls back to a default.
 */
export const LAUNCHER_SETTING_KEYS: Readonly<Record<string, readonly string[]>> = {
  shell: ['command', 'args', 'env', 'kill_grace_ms', 'context'],
  claude: ['executable', 'args', 'env', 'kill_grace_ms', 'permission_mode', 'approved_permission_mode'],
  codex: ['executable', 'args', 'env', 'kill_grace_ms', 'sandbox', 'approved_sandbox', 'skip_git_repo_check'],
  gemini: ['executable', 'args', 'env', 'kill_grace_ms', 'approval_mode', 'output_format', 'trust_workspace'],
};

/**
 * A model name as SASE passes it to an agent CLI: letters, digits and `. _ : / @ + - [ ]`, not starting with `-`
 * (it must never read as a flag), at most 200 characters.
 */
export const MODEL_NAME = /^[A-Za-z0-9._:/@+[\]][A-Za-z0-9._:/@+[\]-]{0,199}$/;

const VALID_TOP_KEYS =
  'sdd.version_controlled, beads.prefix, launcher.default, launcher.<id>.*, models.aliases, axe.poll_ms, axe.idle_exit_s, axe.standby_shells, axe.queue, axe.remote, ' +
  'agents.workspace, agents.retry_context, changes.hooks, changes.delete_merged_branches, changes.mentors, legends.auto_work, notify';

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
    stamp = `${CACHE_VERSION}:${stat.size}:${stat.mtimeNs}:${stat.ino}`;
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

type YamlNode = {
  range?: [number, number, number];
  items?: { key?: { value?: unknown; range?: [number, number, number] } }[];
};

/** Parses and validates the text of a sase.yml. Throws CONFIG_INVALID naming file, line and key. */
export async function parseConfigText(text: string, file = CONFIG_FILE): Promise<SaseConfig> {
  const [{ parseDocument, LineCounter }, { z }] = await Promise.all([import('yaml'), import('zod')]);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    const error = document.errors[0]!;
    const line = error.linePos?.[0]?.line ?? 1;
    throw new WorkspaceError('CONFIG_INVALID', `${file}:${line}: ${error.message.split('\n')[0]}`, {
      file,
      line,
    });
  }
  const lineOf = (path: readonly string[], key?: string): number => {
    const node = document.getIn(path, true) as YamlNode | undefined;
    const keyNode = key === undefined ? undefined : node?.items?.find((pair) => pair.key?.value === key)?.key;
    const range = keyNode?.range ?? node?.range;
    return range ? lineCounter.linePos(range[0]).line : 1;
  };
  const fail = (line: number, reason: string): never => {
    throw new WorkspaceError('CONFIG_INVALID', `${file}:${line}: ${reason}`, { file, line });
  };

  const launcherId = /^[a-z][a-z0-9-]*$/;
  const hookName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
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
        .strictObject({
          poll_ms: z.number().int().min(50).max(600_000),
          idle_exit_s: z.number().int().min(0).max(31_536_000),
          standby_shells: z.number().int().min(0).max(64),
          queue: z
            .string()
            .regex(
              /^redis:\/\/[^\s/]+(\/\d{1,2})?$/,
              'write redis://HOST:PORT[/DB], e.g. redis://127.0.0.1:6379/0',
            ),
          remote: z.string().regex(/^[A-Za-z0-9._-]+$/, 'the name of a git remote, e.g. origin'),
        })
        .partial()
        .optional(),
      agents: z
        .strictObject({
          workspace: z.enum(['worktree', 'checkout'], { error: 'worktree or checkout' }),
          retry_context: z.enum(['resume', 'summary', 'none'], { error: 'resume, summary or none' }),
        })
        .partial()
        .optional(),
      changes: z
        .strictObject({
          hooks: z.array(
            z.strictObject({
              name: z.string().regex(hookName, 'a name of letters, digits, . _ and - (e.g. test)'),
              command: z
                .array(z.string().min(1))
                .min(1, 'an argv list such as ["npm", "test"] (use ["sh", "-c", "..."] for a shell)'),
              timeout_s: z.number().positive().max(86_400).optional(),
            }),
          ),
          delete_merged_branches: z.boolean(),
          mentors: z.array(
            z.strictObject({
              name: z.string().regex(hookName, 'a name of letters, digits, . _ and - (e.g. security)'),
              prompt: z
                .string()
                .regex(/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/, 'an xprompt name such as change/review')
                .optional(),
              launcher: z
                .string()
                .regex(launcherId, 'a launcher id like shell, claude, codex, gemini')
                .optional(),
              model: z.string().regex(MODEL_NAME, 'a model name (no spaces, not starting with -)').optional(),
              when: z.union([z.literal('always'), z.array(z.string().min(1)).min(1)]).optional(),
            }),
          ),
        })
        .partial()
        .optional(),
      legends: z.strictObject({ auto_work: z.boolean() }).partial().optional(),
      notify: z
        .array(
          z.strictObject({
            on: z
              .array(z.enum(NOTIFY_EVENTS, { error: `one of ${NOTIFY_EVENTS.join(', ')}` }))
              .min(1, `name the events, e.g. [agent_failed, run_settled]`),
            command: z
              .array(z.string().min(1))
              .min(1, 'an argv list such as ["notify-send", "SASE"] (use ["sh", "-c", "..."] for a shell)'),
          }),
        )
        .optional(),
    })
    .nullable();
  const result = schema.safeParse(document.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const key = [...path, ...issue.keys].join('.');
      fail(lineOf(path, issue.keys[0]), `unknown key "${key}"; valid keys: ${VALID_TOP_KEYS}`);
    }
    fail(lineOf(path), `"${path.join('.')}": ${issue.message}`);
  }
  const raw = result.data ?? {};
  const { default: defaultLauncher, ...settings } = raw.launcher ?? {};
  for (const [id, values] of Object.entries(settings)) {
    const known = LAUNCHER_SETTING_KEYS[id];
    if (known === undefined) continue; // a launcher from another package (launcher.<id>.package) checks its own
    for (const key of Object.keys(values)) {
      const snake = key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
      if (snake === 'package' || snake === 'models' || known.includes(snake)) continue;
      fail(
        lineOf(['launcher', id], key),
        `unknown key "launcher.${id}.${key}"; valid keys of launcher.${id}: ${[...known, 'package', 'models'].join(', ')}`,
      );
    }
  }
  for (const [id, values] of Object.entries(settings)) {
    const models = (values as Record<string, unknown>).models;
    if (models === undefined) continue;
    const isMap =
      typeof models === 'object' &&
      models !== null &&
      !Array.isArray(models) &&
      Object.entries(models).every(
        ([alias, model]) =>
          /^[a-z][a-z0-9-]*$/.test(alias) && typeof model === 'string' && MODEL_NAME.test(model),
      );
    if (!isMap) {
      fail(
        lineOf(['launcher', id], 'models'),
        `"launcher.${id}.models" must map aliases to models, e.g. {smart: opus, fast: sonnet, cheap: haiku} ` +
          `(aliases of lower-case letters, digits and -; models matching ${MODEL_NAME})`,
      );
    }
  }
  (raw.changes?.mentors ?? []).forEach((mentor, index, all) => {
    if (all.findIndex((other) => other.name === mentor.name) !== index) {
      fail(
        lineOf(['changes', 'mentors', String(index)]),
        `changes.mentors: two mentors are named "${mentor.name}"`,
      );
    }
  });
  const hooks = raw.changes?.hooks ?? [];
  const seen = new Set<string>();
  hooks.forEach((hook, index) => {
    if (seen.has(hook.name)) {
      fail(lineOf(['changes', 'hooks', String(index)]), `changes.hooks: two hooks are named "${hook.name}"`);
    }
    seen.add(hook.name);
  });
  return {
    sdd: { versionControlled: raw.sdd?.version_controlled ?? false },
    beads: raw.beads?.prefix === undefined ? {} : { prefix: raw.beads.prefix },
    launcher: {
      ...(defaultLauncher === undefined ? {} : { default: defaultLauncher }),
      settings: settings as Record<string, Record<string, unknown>>,
    },
    models: { aliases: raw.models?.aliases ?? {} },
    axe: {
      pollMs: raw.axe?.poll_ms ?? 1000,
      idleExitS: raw.axe?.idle_exit_s ?? 300,
      standbyShells: raw.axe?.standby_shells ?? 32,
      ...(raw.axe?.queue === undefined ? {} : { queue: raw.axe.queue }),
      remote: raw.axe?.remote ?? 'origin',
    },
    agents: {
      workspace: raw.agents?.workspace ?? 'checkout',
      retryContext: raw.agents?.retry_context ?? 'resume',
    },
    changes: {
      hooks: hooks.map((hook) => ({
        name: hook.name,
        command: hook.command,
        timeoutMs: Math.round((hook.timeout_s ?? 600) * 1000),
      })),
      deleteMergedBranches: raw.changes?.delete_merged_branches ?? false,
      mentors: (raw.changes?.mentors ?? []).map((mentor) => ({
        name: mentor.name,
        prompt: mentor.prompt ?? 'change/review',
        ...(mentor.launcher === undefined ? {} : { launcher: mentor.launcher }),
        ...(mentor.model === undefined ? {} : { model: mentor.model }),
        when: mentor.when ?? 'always',
      })),
    },
    legends: { autoWork: raw.legends?.auto_work ?? false },
    notify: (raw.notify ?? []).map((notifier) => ({ on: notifier.on, command: notifier.command })),
  };
}

/** A SASE workspace: a checkout, its sase.yml, and where its SDD tree and bead store are. */
export interface Workspace {
  /**
   * The workspace root: the nearest directory up from cwd holding sase.yml, .sase/ or .git. Inside an
   * agent's worktree (`<root>/.sase/workspaces/<agent>/`), the root of the workspace that owns it.
   */
  root: string;
  config: SaseConfig;
  /** `.sase/sdd` by default, `sdd` when `sdd.version_controlled: true`. */
  sddRoot: string;
  /** `<sddRoot>/beads`. */
  beadsDir: string;
}

/** Finds the workspace around `cwd` and reads its config. Throws NOT_IN_WORKSPACE when there is none. */
export async function findWorkspace(cwd: string): Promise<Workspace> {
  const root = findWorkspaceRoot(cwd);
  if (!root) {
    throw new WorkspaceError(
      'NOT_IN_WORKSPACE',
      `${cwd} is not inside a SASE workspace (no sase.yml, .sase/ or .git above it); run \`sase init\` in your project root`,
    );
  }
  return workspaceAt(root, await loadConfig(root));
}

/** The Workspace of a known root and config. */
export function workspaceAt(root: string, config: SaseConfig): Workspace {
  const options = { versionControlled: config.sdd.versionControlled };
  return { root, config, sddRoot: sddRootOf(root, options), beadsDir: beadStoreDirOf(root, options) };
}
