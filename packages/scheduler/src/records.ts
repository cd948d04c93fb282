import { AGENT_OUTCOMES, type AgentOutcome } from './outcomes.js';
import { SchedulerError } from './scheduler-error.js';

/**
 * The files of an agent's artifact directory, as TypeScript objects (camelCase). On disk they are JSON
 * with the snake_case keys of the specification; `parseX` / `formatX` map between the two and reject a
 * malformed file with REGISTRY_CORRUPT naming it.
 */

/** The `%directives` of a segment, as submitted (after xprompt parsed them). */
export interface AgentDirectives {
  /** `%name` */
  name?: string;
  /** `%name:!x`: replace an existing agent of that name (its files move under `attempts/<n>/`). */
  forceReuse?: boolean;
  /** `%wait` targets (agent names). */
  wait?: string[];
  /** `%approve` */
  approve?: boolean;
  /** `%model`, either a model of the agent's launcher or `launcher/model`. */
  model?: string;
  /** `%time`: do not start before this time. */
  time?: string;
  /** `%plan` */
  plan?: boolean;
  /** `%group` */
  group?: string;
  /** `%hide` */
  hide?: boolean;
}

/**
 * Where an agent works when it has a git worktree of its own (`request.json` `worktree`). The scheduler only
 * stores it; an attempt lifecycle (see run-attempt.ts; @sase/workspace provides the git one) creates the
 * worktree before the launch.
 */
export interface AgentWorktree {
  /** The commit the agent's branch starts from. */
  base: string;
  /** Branches merged into the agent's branch before it starts, in order (its blockers' work). */
  merge: string[];
}

/** request.json: what to run, written once per attempt at submission (or retry). */
export interface AgentRequest {
  name: string;
  attempt: number;
  prompt: string;
  directives: AgentDirectives;
  /** The agents that must have `completed` before this one starts. */
  waits: string[];
  launcher: string;
  model: string | null;
  approve: boolean;
  /** ISO time before which the agent is not started (`%time`), or null. */
  notBefore: string | null;
  plan: boolean;
  group: string | null;
  hide: boolean;
  beadId: string | null;
  /** The agent's working directory, relative to the workspace root. */
  cwd: string;
  env: Record<string, string>;
  /** The agent's own git worktree (null: it works in `cwd`). */
  worktree: AgentWorktree | null;
  /**
   * The approved plan (SDD-root-relative path) this attempt implements: set on the attempt that the
   * approval of a `%plan` agent's tale starts. Null otherwise.
   */
  implementsPlan: string | null;
  submittedAt: string;
}

/** launch.<attempt>.claim: the exclusive right to start (or to cancel) one attempt. */
export interface ClaimRecord {
  attempt: number;
  purpose: 'launch' | 'cancel';
  /** The process that runs the attempt (an agent host, or the supervisor itself in in-process mode). */
  hostPid: number;
  hostIdentity: string | null;
  supervisorPid: number | null;
  claimedAt: string;
}

/** running.json: present while the agent's process runs. */
export interface RunningRecord {
  attempt: number;
  /** The agent's process (leader of its process group). */
  pid: number | null;
  /** The agent process's start time where the platform reports it, to tell it from a later process with its pid. */
  pidIdentity: string | null;
  hostPid: number;
  supervisorPid: number | null;
  startedAt: string;
  launcher: string;
  model: string | null;
  /**
   * The machine that runs it, for an agent dispatched to a `sase worker` (`worker: {host, pid}` in the
   * file); absent for an agent run here.
   */
  worker?: { host: string; pid: number };
}

/** waiting.json: present while the agent is parked, saying what it waits for and why. */
export interface WaitingRecord {
  attempt: number;
  waitsOn: string[];
  reason: string;
  /** True when only a retry can unblock it (a wait target failed or was killed). */
  isParked: boolean;
  notBefore: string | null;
  since: string;
}

/** done.json: the outcome of an attempt. */
export interface DoneRecord {
  name: string;
  outcome: AgentOutcome;
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string;
  launcher: string;
  model: string | null;
  error: string | null;
  attempt: number;
  finalText?: string;
  sessionId?: string;
}

/** kill.json: a request (from `sase agent kill` or killAgent) to stop the agent. */
export interface KillRequest {
  attempt: number;
  reason: string;
  requestedAt: string;
  requestedBy: number;
}

type Json = Record<string, unknown>;

class Reader {
  constructor(
    private readonly value: Json,
    private readonly file: string,
  ) {}

  private fail(key: string, expected: string): never {
    throw new SchedulerError(
      'REGISTRY_CORRUPT',
      `${this.file}: "${key}" must be ${expected} (found ${JSON.stringify(this.value[key])}); fix or delete the file`,
      { file: this.file },
    );
  }

  string(key: string): string {
    const value = this.value[key];
    return typeof value === 'string' ? value : this.fail(key, 'a string');
  }

  stringOrNull(key: string): string | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    return typeof value === 'string' ? value : this.fail(key, 'a string or null');
  }

  integer(key: string): number {
    const value = this.value[key];
    return Number.isInteger(value) ? (value as number) : this.fail(key, 'an integer');
  }

  integerOrNull(key: string): number | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    return Number.isInteger(value) ? (value as number) : this.fail(key, 'an integer or null');
  }

  boolean(key: string, fallback = false): boolean {
    const value = this.value[key];
    if (value === undefined || value === null) return fallback;
    return typeof value === 'boolean' ? value : this.fail(key, 'true or false');
  }

  strings(key: string): string[] {
    const value = this.value[key];
    if (value === undefined || value === null) return [];
    return Array.isArray(value) && value.every((item) => typeof item === 'string')
      ? (value as string[])
      : this.fail(key, 'an array of strings');
  }

  record(key: string): Json {
    const value = this.value[key];
    if (value === undefined || value === null) return {};
    return typeof value === 'object' && !Array.isArray(value) ? (value as Json) : this.fail(key, 'an object');
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.value[key];
    return allowed.includes(value as T) ? (value as T) : this.fail(key, `one of ${allowed.join(', ')}`);
  }
}

function reader(value: unknown, file: string): Reader {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SchedulerError('REGISTRY_CORRUPT', `${file} must hold a JSON object; fix or delete the file`, {
      file,
    });
  }
  return new Reader(value as Json, file);
}

function omitUndefined(value: Json): Json {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
}

export function formatDirectives(directives: AgentDirectives): Json {
  return omitUndefined({
    name: directives.name,
    force_reuse: directives.forceReuse,
    wait: directives.wait,
    approve: directives.approve,
    model: directives.model,
    time: directives.time,
    plan: directives.plan,
    group: directives.group,
    hide: directives.hide,
  });
}

export function parseDirectives(value: Json, file: string): AgentDirectives {
  const read = reader(value, file);
  return omitUndefined({
    name: read.stringOrNull('name') ?? undefined,
    forceReuse: value.force_reuse === undefined ? undefined : read.boolean('force_reuse'),
    wait: value.wait === undefined ? undefined : read.strings('wait'),
    approve: value.approve === undefined ? undefined : read.boolean('approve'),
    model: read.stringOrNull('model') ?? undefined,
    time: read.stringOrNull('time') ?? undefined,
    plan: value.plan === undefined ? undefined : read.boolean('plan'),
    group: read.stringOrNull('group') ?? undefined,
    hide: value.hide === undefined ? undefined : read.boolean('hide'),
  }) as AgentDirectives;
}

export function formatRequest(request: AgentRequest): Json {
  return {
    name: request.name,
    attempt: request.attempt,
    prompt: request.prompt,
    directives: formatDirectives(request.directives),
    waits: request.waits,
    launcher: request.launcher,
    model: request.model,
    approve: request.approve,
    not_before: request.notBefore,
    plan: request.plan,
    group: request.group,
    hide: request.hide,
    bead_id: request.beadId,
    cwd: request.cwd,
    env: request.env,
    worktree:
      request.worktree === null ? null : { base: request.worktree.base, merge: request.worktree.merge },
    implements_plan: request.implementsPlan,
    submitted_at: request.submittedAt,
  };
}

export function parseRequest(value: unknown, file: string): AgentRequest {
  const read = reader(value, file);
  const env = read.record('env');
  for (const [key, item] of Object.entries(env)) {
    if (typeof item !== 'string') {
      throw new SchedulerError('REGISTRY_CORRUPT', `${file}: env.${key} must be a string`, { file });
    }
  }
  return {
    name: read.string('name'),
    attempt: read.integer('attempt'),
    prompt: read.string('prompt'),
    directives: parseDirectives(read.record('directives'), file),
    waits: read.strings('waits'),
    launcher: read.string('launcher'),
    model: read.stringOrNull('model'),
    approve: read.boolean('approve'),
    notBefore: read.stringOrNull('not_before'),
    plan: read.boolean('plan'),
    group: read.stringOrNull('group'),
    hide: read.boolean('hide'),
    beadId: read.stringOrNull('bead_id'),
    cwd: read.stringOrNull('cwd') ?? '.',
    env: env as Record<string, string>,
    worktree: parseWorktree(value, file),
    implementsPlan: read.stringOrNull('implements_plan'),
    submittedAt: read.string('submitted_at'),
  };
}

function parseWorktree(value: unknown, file: string): AgentWorktree | null {
  const worktree = (value as Json).worktree;
  if (worktree === undefined || worktree === null) return null;
  const read = reader(worktree, `${file} (worktree)`);
  return { base: read.string('base'), merge: read.strings('merge') };
}

export function formatClaim(claim: ClaimRecord): Json {
  return {
    attempt: claim.attempt,
    purpose: claim.purpose,
    host_pid: claim.hostPid,
    host_identity: claim.hostIdentity,
    supervisor_pid: claim.supervisorPid,
    claimed_at: claim.claimedAt,
  };
}

export function parseClaim(value: unknown, file: string): ClaimRecord {
  const read = reader(value, file);
  return {
    attempt: read.integer('attempt'),
    purpose: read.oneOf('purpose', ['launch', 'cancel'] as const),
    hostPid: read.integer('host_pid'),
    hostIdentity: read.stringOrNull('host_identity'),
    supervisorPid: read.integerOrNull('supervisor_pid'),
    claimedAt: read.string('claimed_at'),
  };
}

export function formatRunning(running: RunningRecord): Json {
  return {
    pid: running.pid,
    pid_identity: running.pidIdentity,
    started_at: running.startedAt,
    attempt: running.attempt,
    host_pid: running.hostPid,
    supervisor_pid: running.supervisorPid,
    launcher: running.launcher,
    model: running.model,
    ...(running.worker === undefined
      ? {}
      : { worker: { host: running.worker.host, pid: running.worker.pid } }),
  };
}

export function parseRunning(value: unknown, file: string): RunningRecord {
  const read = reader(value, file);
  return {
    pid: read.integerOrNull('pid'),
    pidIdentity: read.stringOrNull('pid_identity'),
    startedAt: read.string('started_at'),
    attempt: read.integer('attempt'),
    hostPid: read.integer('host_pid'),
    supervisorPid: read.integerOrNull('supervisor_pid'),
    launcher: read.string('launcher'),
    model: read.stringOrNull('model'),
    ...workerIn(value),
  };
}

function workerIn(value: unknown): Pick<RunningRecord, 'worker'> {
  const worker = (value as { worker?: { host?: unknown; pid?: unknown } } | null)?.worker;
  return typeof worker?.host === 'string' && typeof worker.pid === 'number'
    ? { worker: { host: worker.host, pid: worker.pid } }
    : {};
}

export function formatWaiting(waiting: WaitingRecord): Json {
  return {
    attempt: waiting.attempt,
    waits_on: waiting.waitsOn,
    reason: waiting.reason,
    is_parked: waiting.isParked,
    not_before: waiting.notBefore,
    since: waiting.since,
  };
}

export function parseWaiting(value: unknown, file: string): WaitingRecord {
  const read = reader(value, file);
  return {
    attempt: read.integer('attempt'),
    waitsOn: read.strings('waits_on'),
    reason: read.string('reason'),
    isParked: read.boolean('is_parked'),
    notBefore: read.stringOrNull('not_before'),
    since: read.string('since'),
  };
}

export function formatDone(done: DoneRecord): Json {
  return omitUndefined({
    name: done.name,
    outcome: done.outcome,
    exit_code: done.exitCode,
    started_at: done.startedAt,
    finished_at: done.finishedAt,
    launcher: done.launcher,
    model: done.model,
    error: done.error,
    attempt: done.attempt,
    final_text: done.finalText,
    session_id: done.sessionId,
  });
}

export function parseDone(value: unknown, file: string): DoneRecord {
  const read = reader(value, file);
  const done: DoneRecord = {
    name: read.string('name'),
    outcome: read.oneOf('outcome', AGENT_OUTCOMES),
    exitCode: read.integerOrNull('exit_code'),
    startedAt: read.stringOrNull('started_at'),
    finishedAt: read.string('finished_at'),
    launcher: read.string('launcher'),
    model: read.stringOrNull('model'),
    error: read.stringOrNull('error'),
    attempt: read.integer('attempt'),
  };
  const finalText = read.stringOrNull('final_text');
  const sessionId = read.stringOrNull('session_id');
  if (finalText !== null) done.finalText = finalText;
  if (sessionId !== null) done.sessionId = sessionId;
  return done;
}

export function formatKillRequest(request: KillRequest): Json {
  return {
    attempt: request.attempt,
    reason: request.reason,
    requested_at: request.requestedAt,
    requested_by: request.requestedBy,
  };
}

export function parseKillRequest(value: unknown, file: string): KillRequest {
  const read = reader(value, file);
  return {
    attempt: read.integer('attempt'),
    reason: read.string('reason'),
    requestedAt: read.string('requested_at'),
    requestedBy: read.integer('requested_by'),
  };
}
