import { mkdirSync, rmdirSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { assertValidAgentName, isValidAgentName } from './agent-name.js';
import { isErrorCode } from './internal/files.js';
import { processIdentity } from './internal/processes.js';
import { computeWaves } from './kahn-waves.js';
import { parseNotBefore } from './not-before.js';
import type { AgentDirectives, AgentRequest, AgentWorktree } from './records.js';
import type { AgentRegistry, AgentSnapshot } from './registry.js';
import { SchedulerError } from './scheduler-error.js';

/** The directives of a segment as the scheduler takes them (xprompt's `Directives`, plus `waitPrevious`). */
export interface SegmentDirectives extends AgentDirectives {
  /** Bare `%wait`: wait on the previous segment's agent (whatever name it gets). */
  waitPrevious?: boolean;
}

/** One segment of a multi-prompt, already expanded: one agent. */
export interface SegmentInput {
  /** The expanded prompt text (no #references, no %directives). */
  prompt: string;
  directives?: SegmentDirectives;
  /** The launcher id for this segment; overrides the submission's default. */
  launcher?: string;
  /** The bead the agent works on (exported to the agent as SASE_BEAD_ID). */
  beadId?: string;
  /** The agent's working directory (absolute, or relative to the workspace root). Default: the root. */
  cwd?: string;
  /** Extra environment for the agent process. */
  env?: Record<string, string>;
  /** Run the agent in a git worktree of its own (see AgentWorktree). */
  worktree?: AgentWorktree;
}

export interface SubmitOptions {
  /** The launcher id of segments that name none (`launcher.default` of sase.yml). Default `shell`. */
  launcher?: string;
  defaults?: {
    /** The model of segments without `%model`. */
    model?: string;
    /** `%approve` for every segment. */
    approve?: boolean;
    cwd?: string;
    env?: Record<string, string>;
  };
  /**
   * Maps a `%model` value to a launcher and a model (e.g. resolves `models.aliases`). Returning undefined
   * falls back to the default rule: `launcher/model` names both, anything else is a model of the agent's
   * launcher.
   */
  resolveModel?: (model: string) => { launcher?: string; model: string | null } | undefined;
  /** The submission time (tests). */
  now?: Date;
  /**
   * Gives an agent a git worktree of its own: called for each segment without an explicit `worktree`, with
   * its resolved name and waits (the CLI merges the branches of the agents it waits on).
   */
  worktreeOf?: (agent: {
    name: string;
    waits: readonly string[];
    index: number;
  }) => AgentWorktree | undefined;
}

/** What was submitted, one entry per segment, in segment order. */
export interface SubmittedAgent {
  name: string;
  attempt: number;
  waits: string[];
  launcher: string;
  model: string | null;
  notBefore: string | null;
  dir: string;
  /** True when force-reuse replaced an existing agent (its files moved under attempts/<n>/). */
  isReplacement: boolean;
}

function slugOf(prompt: string): string {
  const words = prompt
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .slice(0, 3);
  const slug = words.join('-').slice(0, 24).replace(/-+$/, '');
  return slug === '' ? 'agent' : slug;
}

function defaultModelRule(model: string): { launcher?: string; model: string | null } {
  const slash = model.indexOf('/');
  if (slash > 0 && /^[a-z][a-z0-9-]*$/.test(model.slice(0, slash))) {
    return { launcher: model.slice(0, slash), model: model.slice(slash + 1) || null };
  }
  return { model };
}

function isRunning(snapshot: AgentSnapshot): boolean {
  return snapshot.done === undefined && snapshot.claim !== undefined;
}

/**
 * Submits the segments of a multi-prompt as agents: one artifact directory per segment with `request.json`
 * and `prompt.md`. Nothing is launched here; a supervisor picks them up. Everything is validated before
 * anything is written: names (a name that already has a directory is refused with AGENT_EXISTS unless
 * `%name:!x` force-reuse is set; force-reuse of a running agent is refused with AGENT_RUNNING), wait
 * targets (WAIT_TARGET_UNKNOWN), cycles among the waits (DEPENDENCY_CYCLE) and `%time` values.
 * Segments without `%name` get a name from their first words (`fix-the-login-1`).
 */
export function submitSegments(
  registry: AgentRegistry,
  segments: readonly SegmentInput[],
  options: SubmitOptions = {},
): SubmittedAgent[] {
  if (segments.length === 0) {
    throw new SchedulerError('SEGMENT_INVALID', 'nothing to submit: the multi-prompt has no segment');
  }
  const now = options.now ?? new Date();
  const existingNames = new Set(registry.names());
  const taken = new Set<string>();
  const explicitNames = segments.map((segment) => segment.directives?.name);
  for (const [index, name] of explicitNames.entries()) {
    if (name === undefined) continue;
    assertValidAgentName(name);
    if (taken.has(name)) {
      throw new SchedulerError(
        'SEGMENT_INVALID',
        `segment ${index + 1} is named "${name}" like an earlier segment; every segment needs its own name`,
        { agentName: name },
      );
    }
    taken.add(name);
  }

  // Names, and what each one replaces.
  const names: string[] = [];
  const replaced = new Map<string, AgentSnapshot>();
  for (const [index, segment] of segments.entries()) {
    const explicit = explicitNames[index];
    if (explicit === undefined) {
      const slug = slugOf(segment.prompt);
      let counter = 1;
      while (taken.has(`${slug}-${counter}`) || existingNames.has(`${slug}-${counter}`)) counter += 1;
      const name = `${slug}-${counter}`;
      taken.add(name);
      names.push(name);
      continue;
    }
    names.push(explicit);
    if (!existingNames.has(explicit)) continue;
    const snapshot = registry.read(explicit);
    if (snapshot === undefined) continue;
    if (!segment.directives?.forceReuse) {
      throw new SchedulerError(
        'AGENT_EXISTS',
        `an agent named "${explicit}" already exists (${snapshot.dir}); pick another name, write ` +
          `%name:!${explicit} to replace it (its files move under attempts/), or delete the directory`,
        { agentName: explicit, file: snapshot.dir },
      );
    }
    if (isRunning(snapshot)) {
      throw new SchedulerError(
        'AGENT_RUNNING',
        `agent "${explicit}" is running (${snapshot.dir}); kill it (sase agent kill ${explicit}) or wait for it ` +
          'before replacing it',
        { agentName: explicit, file: snapshot.dir },
      );
    }
    replaced.set(explicit, snapshot);
  }

  // Waits.
  const submitted = new Set(names);
  const waitsOf = segments.map((segment, index) => {
    const waits: string[] = [];
    const add = (target: string) => {
      if (!waits.includes(target)) waits.push(target);
    };
    if (segment.directives?.waitPrevious) {
      if (index === 0) {
        throw new SchedulerError(
          'SEGMENT_INVALID',
          'the first segment has a bare %wait, but there is no previous segment to wait on; name the agent ' +
            '(%wait:NAME) or remove it',
        );
      }
      add(names[index - 1] as string);
    }
    for (const target of segment.directives?.wait ?? []) {
      if (!isValidAgentName(target) || (!submitted.has(target) && !existingNames.has(target))) {
        throw new SchedulerError(
          'WAIT_TARGET_UNKNOWN',
          `segment ${index + 1} (${names[index]}) waits on "${target}", which is neither an agent of this ` +
            'submission nor a submitted agent; check the name (sase agent list)',
          { agentName: names[index] as string },
        );
      }
      add(target);
    }
    return waits;
  });

  // Cycles among the new waits and the waits of unfinished agents that stay.
  const nodes = new Set<string>(names);
  const edges: { from: string; to: string }[] = [];
  names.forEach((name, index) => {
    for (const target of waitsOf[index] as string[]) {
      edges.push({ from: name, to: target });
      nodes.add(target);
    }
  });
  for (const snapshot of registry.list()) {
    if (submitted.has(snapshot.name) || snapshot.done !== undefined) continue;
    nodes.add(snapshot.name);
    for (const target of snapshot.request?.waits ?? []) edges.push({ from: snapshot.name, to: target });
  }
  computeWaves(
    [...nodes].map((id) => ({ id })),
    edges,
    { unknownNodes: 'ignore' },
  );

  // Requests.
  const defaultLauncher = options.launcher ?? 'shell';
  const requests: AgentRequest[] = segments.map((segment, index) => {
    const directives = segment.directives ?? {};
    const name = names[index] as string;
    let launcher = segment.launcher ?? defaultLauncher;
    let model: string | null = options.defaults?.model ?? null;
    const modelText = directives.model ?? options.defaults?.model;
    if (modelText !== undefined) {
      const resolved = options.resolveModel?.(modelText) ?? defaultModelRule(modelText);
      if (resolved.launcher !== undefined) launcher = resolved.launcher;
      model = resolved.model;
    }
    const cwd = segment.cwd ?? options.defaults?.cwd ?? '.';
    const absoluteCwd = resolve(registry.workspaceRoot, cwd);
    const relativeCwd = relative(registry.workspaceRoot, absoluteCwd) || '.';
    const previous = replaced.get(name);
    const attempt =
      previous === undefined ? 1 : Math.max(previous.request?.attempt ?? 0, ...previous.archivedAttempts) + 1;
    const { waitPrevious: _waitPrevious, ...recorded } = directives;
    return {
      name,
      attempt,
      prompt: segment.prompt,
      directives: recorded,
      waits: waitsOf[index] as string[],
      launcher,
      model,
      approve: directives.approve ?? options.defaults?.approve ?? false,
      notBefore: directives.time === undefined ? null : parseNotBefore(directives.time, now).toISOString(),
      plan: directives.plan ?? false,
      group: directives.group ?? null,
      hide: directives.hide ?? false,
      beadId: segment.beadId ?? null,
      cwd: isAbsolute(relativeCwd) ? absoluteCwd : relativeCwd,
      env: { ...options.defaults?.env, ...segment.env },
      worktree:
        segment.worktree ?? options.worktreeOf?.({ name, waits: waitsOf[index] as string[], index }) ?? null,
      implementsPlan: null,
      submittedAt: now.toISOString(),
    };
  });

  // Write: create new directories exclusively (undo on a clash), cancel and archive replaced agents, then
  // write every request, replaced ones first so no dependant sees the old outcome of a replaced agent.
  mkdirSync(registry.agentsDir, { recursive: true });
  const created: string[] = [];
  for (const request of requests) {
    if (replaced.has(request.name)) continue;
    try {
      mkdirSync(registry.agentDir(request.name));
      created.push(request.name);
    } catch (error) {
      for (const name of created) rmdirSync(registry.agentDir(name));
      if (isErrorCode(error, 'EEXIST')) {
        throw new SchedulerError(
          'AGENT_EXISTS',
          `an agent named "${request.name}" was created while this submission was being written; submit again`,
          { agentName: request.name },
        );
      }
      throw error;
    }
  }
  for (const [name, snapshot] of replaced) {
    const request = snapshot.request;
    if (request !== undefined && snapshot.done === undefined) {
      const isCancelled = registry.claim(name, {
        attempt: request.attempt,
        purpose: 'cancel',
        hostPid: process.pid,
        hostIdentity: processIdentity(process.pid) ?? null,
        supervisorPid: null,
        claimedAt: now.toISOString(),
      });
      if (!isCancelled) {
        throw new SchedulerError(
          'AGENT_RUNNING',
          `agent "${name}" started while this submission was being written; kill it or wait for it first`,
          { agentName: name },
        );
      }
    }
  }
  const ordered = [...requests].sort(
    (left, right) => Number(replaced.has(right.name)) - Number(replaced.has(left.name)),
  );
  for (const request of ordered) {
    if (!replaced.has(request.name)) registry.writeRequest(request);
    else if (!registry.startNextAttempt(request.name, request)) {
      throw new SchedulerError(
        'AGENT_RUNNING',
        `agent "${request.name}" was retried or replaced while this submission was being written; submit again`,
        { agentName: request.name },
      );
    }
  }
  registry.notify();

  return requests.map((request) => ({
    name: request.name,
    attempt: request.attempt,
    waits: request.waits,
    launcher: request.launcher,
    model: request.model,
    notBefore: request.notBefore,
    dir: registry.agentDir(request.name),
    isReplacement: replaced.has(request.name),
  }));
}
