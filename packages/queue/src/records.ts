/** One agent launch: one attempt of one agent of one workspace, for a worker that serves its launcher. */
export interface LaunchJob<Payload = unknown> {
  /** The workspace's id (stable, unique; `.sase/axe/workspace-id` in SASE). */
  workspace: string;
  agent: string;
  attempt: number;
  /** The launcher id (`shell`, `claude`, ...): only workers started with it take the job. */
  launcher: string;
  /** Whatever the worker needs to run it (for SASE: the request, the configuration, the git remote). */
  payload: Payload;
}

/** Where a job lives: the BullMQ queue of its launcher and its id. */
export interface LaunchJobRef {
  /** `launch.<launcher>`. */
  queue: string;
  /** `<workspace>/<agent>/<attempt>`: the same attempt always has the same id. */
  id: string;
}

/** A worker process: `host` is its machine's name. */
export interface WorkerIdentity {
  id: string;
  host: string;
  pid: number;
}

/** What a worker says about itself in its heartbeat (what `sase worker status` lists). */
export interface WorkerInfo extends WorkerIdentity {
  launchers: string[];
  /** Attempts it runs now. */
  running: number;
  /** How many it runs at most at once (`--concurrency`). */
  capacity: number;
  /** The jobs it runs now. */
  jobs: string[];
  startedAt: string;
  /** When it last said so (it says so every second; a worker silent for three is gone). */
  seenAt: string;
}

/** One entry of a job's event stream: `taken` (by a worker), `started` (the agent's process), `event`, ... */
export interface JobEntry {
  /** The Redis stream id (`<ms>-<n>`): entries come in this order, each once. */
  id: string;
  type: string;
  data: unknown;
}

/** How following a job ended. */
export type FollowResult<Result = unknown> =
  /** The worker's `run` returned `result`. */
  | { status: 'completed'; worker: WorkerIdentity | null; result: Result }
  /** The worker's `run` threw (or the job was refused): `error` says why. */
  | { status: 'failed'; worker: WorkerIdentity | null; error: string }
  /**
   * The worker that had the job stopped renewing its lock (it died, or lost Redis for longer than the lock
   * lasts): the job is never run again. `error` is `worker <host> lost`.
   */
  | { status: 'lost'; worker: WorkerIdentity | null; error: string }
  /** No such job (it was removed: cancelled before a worker took it, or forgotten). */
  | { status: 'missing' }
  /** The follower's signal was aborted: the job goes on, and can be followed again. */
  | { status: 'detached' };

/** What `kill` did: removed a job no worker had taken, told the worker running it, or found it over. */
export type KillResult = 'removed' | 'signalled' | 'finished' | 'missing';
