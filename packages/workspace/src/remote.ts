/**
 * Scale-out through `@sase/queue` (sase.yml `axe.queue`): the supervisor's agent hosts hand each launch to a
 * Redis queue instead of starting the agent themselves, and `sase worker` processes on any machine run it.
 *
 * The seam is the launcher: with `axe.queue` set, every launcher the workspace resolves is wrapped by
 * createQueueLauncher, so everything around the launch stays as on one machine — claims, `running.json`,
 * the transcript, `done.json`, worktrees prepared with the blockers' branches merged in, uniform commits,
 * `changes.hooks`, ChangeSpecs, `change land`. Around the launch itself:
 *
 * 1. the agent's prepared worktree branch `sase/<agent>` is pushed to the shared git remote (`axe.remote`);
 * 2. one job per attempt is enqueued (`<workspace-id>/<agent>/<attempt>`) for the agent's launcher;
 * 3. a worker checks the branch out in a worktree of its own clone, runs the agent there with the real
 *    launcher (its events streamed back into the local transcript), commits what the agent left with the
 *    uniform message, and pushes the branch;
 * 4. the local worktree is reset to the pushed branch, and the attempt ends as the worker reported it (a
 *    worker that died: `killed`, `worker <host> (pid <pid>) lost`, never run again).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import type {
  LaunchEvent,
  LauncherV1,
  LaunchOutcome,
  LaunchRequest,
  LaunchRun,
  PromptSection,
} from '@sase/launcher-core';
import type { QueueWorker, WorkerInfo } from '@sase/queue';
import { createRegistry } from '@sase/scheduler';
import { changeDirOf, remoteHookResultsFile, uniformCommitMessageFor } from './agent-change.js';
import type { HookConfig, Workspace } from './config.js';
import { type HookRunResult, runHooks } from './hooks.js';
import { writeFileAtomic } from './internal/files.js';
import { git } from './internal/git.js';
import { resolveLauncher } from './launchers.js';
import { branchOf, commitLeftovers, withWorktreeLock } from './worktrees.js';

/** What a job carries to the worker: everything it needs, so a worker machine needs no sase.yml. */
export interface RemoteLaunchPayload {
  /** The git URL of the shared remote: the worker clones it, fetches the branch and pushes it back. */
  remote: string;
  /** `sase/<agent>`, prepared by the supervisor's side (base, blockers merged in) and pushed. */
  branch: string;
  /** The agent's working directory, relative to its worktree. */
  cwd: string;
  /** The launcher's settings (sase.yml `launcher.<id>`). */
  settings: Record<string, unknown>;
  agentName: string;
  prompt: string;
  context?: PromptSection[];
  model?: string;
  approve?: boolean;
  beadId?: string;
  env: Record<string, string>;
  /** The uniform commit message for what the agent leaves uncommitted. */
  commitMessage: string;
  /** sase.yml `changes.hooks`: the worker runs them on the agent's commits. */
  hooks: HookConfig[];
}

/** A check the worker ran, with its log's text (the last 256 KB of it). */
export interface RemoteHookResult extends Omit<HookRunResult, 'log'> {
  logText: string;
}

/** What the worker reports. */
export interface RemoteLaunchResult {
  outcome: LaunchOutcome;
  /** The commit the worker pushed `branch` at. */
  head: string | null;
  /** The checks it ran (a `completed` agent with a change of its own): first failure stops them. */
  hooks?: RemoteHookResult[];
}

/** `.sase/axe/workspace-id`: this workspace's id in job ids, made once (random) and kept. */
export function workspaceIdOf(workspace: Workspace): string {
  const file = join(workspace.root, '.sase', 'axe', 'workspace-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{1,64}$/.test(id)) return id;
  } catch {
    // made below
  }
  mkdirSync(join(file, '..'), { recursive: true });
  const id = `${basename(workspace.root)
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 40)}-${randomBytes(6).toString('hex')}`;
  try {
    writeFileSync(file, `${id}\n`, { flag: 'wx' });
    return id;
  } catch {
    return readFileSync(file, 'utf8').trim(); // another process made it first
  }
}

/** The last `bytes` of a file (empty when it cannot be read). */
function tailOf(file: string, bytes: number): string {
  try {
    const text = readFileSync(file);
    return text.subarray(Math.max(0, text.length - bytes)).toString('utf8');
  } catch {
    return '';
  }
}

/**
 * The worker's check results, where the workspace keeps its own: each log under the change's `hooks/`, and the
 * results in `hooks/<attempt>-remote.json`, which `finish` uses instead of running the checks again.
 */
function keepHookResults(
  workspace: Workspace,
  agentName: string,
  attempt: number,
  hooks: RemoteHookResult[],
): void {
  const changeDir = changeDirOf(workspace, agentName);
  mkdirSync(join(changeDir, 'hooks'), { recursive: true });
  const results: HookRunResult[] = hooks.map(({ logText, ...rest }) => {
    const log = join(changeDir, 'hooks', `${attempt}-${rest.name}.log`);
    writeFileSync(log, logText);
    return { ...rest, log };
  });
  writeJsonFile(remoteHookResultsFile(changeDir, attempt), results);
}

/** `value` as a JSON file, written whole (writeFileAtomic). */
function writeJsonFile(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value)}\n`);
}

/** An async iterable fed by push(), ended by end(). */
function eventChannel<T>() {
  const items: T[] = [];
  let isEnded = false;
  let wake: (() => void) | undefined;
  return {
    push(item: T) {
      items.push(item);
      wake?.();
    },
    end() {
      isEnded = true;
      wake?.();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<T> {
      for (;;) {
        while (items.length > 0) yield items.shift() as T;
        if (isEnded) return;
        await new Promise<void>((resolvePromise) => (wake = resolvePromise));
        wake = undefined;
      }
    },
  };
}

/**
 * `inner`, dispatched through the workspace's queue (`axe.queue`): launch() pushes the prepared branch, enqueues
 * the attempt's job and follows it; the run's events are the worker's, its outcome the worker's report. No
 * `resume`: a retry on another machine starts fresh, with the previous attempt's summary.
 */
export function createQueueLauncher(
  workspace: Workspace,
  inner: LauncherV1,
  settings: Record<string, unknown>,
): LauncherV1 {
  return {
    specificationVersion: 'launcher-v1',
    launcherId: inner.launcherId,
    ...(inner.modelAliases === undefined ? {} : { modelAliases: inner.modelAliases }),
    // Only an agent in a worktree of its own is dispatched: one that works in the checkout itself (a land
    // agent running `sase change land`, a planner) needs this workspace, so it runs here.
    launch: (request) =>
      request.env?.SASE_WORKTREE === undefined
        ? inner.launch(request)
        : launchRemote(workspace, inner.launcherId, settings, request),
  };
}

function launchRemote(
  workspace: Workspace,
  launcherId: string,
  settings: Record<string, unknown>,
  request: LaunchRequest,
): LaunchRun {
  const events = eventChannel<LaunchEvent>();
  let killReason: string | undefined;
  let onKill: ((reason: string) => void) | undefined;
  const kill = (reason = 'killed by request') => {
    if (killReason !== undefined) return;
    killReason = reason;
    onKill?.(reason);
  };
  request.signal?.addEventListener('abort', () => kill(String(request.signal?.reason ?? 'aborted')), {
    once: true,
  });
  const outcome = (async (): Promise<LaunchOutcome> => {
    const { createLaunchQueue } = await import('@sase/queue');
    const queue = createLaunchQueue({ url: workspace.config.axe.queue as string });
    try {
      const remoteName = workspace.config.axe.remote;
      const branch = branchOf(request.agentName);
      const top = (await git(request.cwd, ['rev-parse', '--show-toplevel'])).stdout.trim();
      const remoteUrl = (await git(workspace.root, ['remote', 'get-url', remoteName])).stdout.trim();
      // The prepared worktree (base, blockers merged in, earlier attempts' commits) is where the worker starts.
      await git(top, ['push', '--quiet', '--force', remoteName, `HEAD:refs/heads/${branch}`]);
      const attempt = Number(request.env?.SASE_AGENT_ATTEMPT ?? '1');
      const payload: RemoteLaunchPayload = {
        remote: remoteUrl,
        branch,
        cwd: relative(top, request.cwd).split('\\').join('/') || '.',
        settings,
        agentName: request.agentName,
        prompt: request.prompt,
        ...(request.context === undefined ? {} : { context: [...request.context] }),
        ...(request.model === undefined ? {} : { model: request.model }),
        ...(request.approve === undefined ? {} : { approve: request.approve }),
        ...(request.beadId === undefined ? {} : { beadId: request.beadId }),
        env: request.env ?? {},
        commitMessage: uniformCommitMessageFor(workspace, request.agentName, attempt),
        hooks: workspace.config.changes.hooks,
      };
      // `sase agent list` says `queued` until a worker takes it (worker.json).
      writeJsonFile(join(request.artifactsDir, 'queued.json'), {
        attempt,
        queue: launcherId,
        at: new Date().toISOString(),
      });
      const { ref } = await queue.enqueue({
        workspace: workspaceIdOf(workspace),
        agent: request.agentName,
        attempt,
        launcher: launcherId,
        payload,
      });
      onKill = (reason) => void queue.kill(ref, reason).catch(() => {});
      if (killReason !== undefined) onKill(killReason);
      const result = await queue.follow<RemoteLaunchResult>(ref, {
        onEntry: (entry) => {
          if (entry.type === 'event') {
            const event = entry.data as LaunchEvent;
            if (event.type !== 'outcome') events.push(event);
          } else if (entry.type === 'taken') {
            // Which machine runs it (`sase agent show` lists the agent's files).
            const worker = (entry.data as { worker?: { host: string; pid: number } }).worker;
            writeJsonFile(join(request.artifactsDir, 'worker.json'), worker);
            // running.json names the worker too (it was written when launch() returned, before any entry).
            const registry = createRegistry(workspace.root);
            const running = registry.read(request.agentName)?.running;
            if (worker !== undefined && running !== undefined && running.attempt === attempt) {
              registry.writeRunning(request.agentName, {
                ...running,
                worker: { host: worker.host, pid: worker.pid },
              });
            }
          }
        },
      });
      let reported: LaunchOutcome;
      if (result.status === 'completed') {
        reported = result.result.outcome;
        if (result.result.hooks !== undefined)
          keepHookResults(workspace, request.agentName, attempt, result.result.hooks);
      } else if (result.status === 'lost')
        reported = { outcome: 'killed', exitCode: null, error: result.error };
      else if (result.status === 'failed') {
        reported = { outcome: 'failed', exitCode: null, error: `the worker failed: ${result.error}` };
      } else {
        reported = { outcome: 'killed', exitCode: null, error: killReason ?? 'the job left the queue unrun' };
      }
      // The worker's commits, into the local worktree (what hooks, ChangeSpecs and land read).
      const fetched = await git(top, ['fetch', '--quiet', remoteName, `refs/heads/${branch}`], {
        isFailureExpected: true,
      });
      if (fetched.code === 0) await git(top, ['reset', '--quiet', '--hard', 'FETCH_HEAD']);
      if (result.status === 'completed' || result.status === 'failed' || result.status === 'lost') {
        await queue.forget(ref);
      }
      return reported;
    } catch (error) {
      return { outcome: 'failed', exitCode: null, error: `could not dispatch: ${(error as Error).message}` };
    } finally {
      await queue.close();
    }
  })().then((settled) => {
    events.push({ type: 'outcome', time: new Date().toISOString(), outcome: settled });
    events.end();
    return settled;
  });
  return { pid: undefined, events, outcome, kill };
}

export interface RunQueueWorkerOptions {
  /** `redis://HOST:PORT[/DB]`. */
  queue: string;
  /** The launcher ids whose jobs it takes. */
  launchers: readonly string[];
  concurrency?: number;
  /** Where it keeps its clones (one per remote). Default `~/.sase/worker`. */
  dir?: string;
  /** Its name in listings and in `worker <host> lost`. Default os.hostname(). */
  host?: string;
  /** How long a job's lock lasts unrenewed: how soon a dead worker's attempt is reported lost. Default 30 s. */
  lockDurationMs?: number;
  log?: (line: string) => void;
}

/** The clone of `remote` under `dir`: `<repository name>-<hash of the URL>`. */
export function cloneDirOf(dir: string, remote: string): string {
  const name = basename(remote.replace(/\/+$/, ''))
    .replace(/\.git$/, '')
    .replace(/[^A-Za-z0-9._-]/g, '-');
  const hash = createHash('sha256').update(remote).digest('hex').slice(0, 8);
  return join(dir, `${name || 'repository'}-${hash}`);
}

/**
 * `sase worker`: takes launch jobs of `launchers` from the queue and runs each in a worktree of its clone of
 * the job's remote (see the module comment). Resolves to the running worker; `close()` stops it (the agents it
 * runs are killed and reported).
 */
export async function runQueueWorker(options: RunQueueWorkerOptions): Promise<QueueWorker> {
  const { createQueueWorker } = await import('@sase/queue');
  const dir = resolve(options.dir ?? join(homedir(), '.sase', 'worker'));
  const log = options.log ?? (() => {});
  return createQueueWorker<RemoteLaunchPayload, RemoteLaunchResult>({
    url: options.queue,
    launchers: options.launchers,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    host: options.host ?? hostname(),
    ...(options.lockDurationMs === undefined ? {} : { lockDurationMs: options.lockDurationMs }),
    log,
    async run(taken) {
      const payload = taken.job.payload;
      const clone = cloneDirOf(dir, payload.remote);
      const worktree = join(clone, '.sase-worker', 'worktrees', payload.agentName);
      if (!existsSync(join(clone, '.git'))) {
        // Cloned aside and renamed into place: workers sharing one --dir never see half a clone.
        mkdirSync(dir, { recursive: true });
        const aside = `${clone}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        try {
          await git(dir, ['clone', '--quiet', '--no-checkout', payload.remote, aside]);
          renameSync(aside, clone);
        } catch (error) {
          rmSync(aside, { recursive: true, force: true });
          if (!existsSync(join(clone, '.git'))) throw error; // not another worker's clone meanwhile
        }
      }
      // One fetch and worktree change per clone at once, across this worker's jobs and other workers' processes.
      await withWorktreeLock(clone, async () => {
        await git(clone, [
          'fetch',
          '--quiet',
          'origin',
          `+refs/heads/${payload.branch}:refs/remotes/origin/${payload.branch}`,
        ]);
        if (existsSync(worktree))
          await git(clone, ['worktree', 'remove', '--force', worktree], { isFailureExpected: true });
        rmSync(worktree, { recursive: true, force: true });
        await git(clone, ['worktree', 'prune']);
        await git(clone, [
          'worktree',
          'add',
          '--quiet',
          '--force',
          '-B',
          payload.branch,
          worktree,
          `origin/${payload.branch}`,
        ]);
      });
      const artifactsDir = join(
        clone,
        '.sase-worker',
        'agents',
        payload.agentName,
        String(taken.job.attempt),
      );
      mkdirSync(artifactsDir, { recursive: true });
      const launcher = await resolveLauncher(taken.job.launcher, payload.settings);
      const run = launcher.launch({
        agentName: payload.agentName,
        prompt: payload.prompt,
        ...(payload.context === undefined ? {} : { context: payload.context }),
        ...(payload.model === undefined ? {} : { model: payload.model }),
        ...(payload.approve === undefined ? {} : { approve: payload.approve }),
        ...(payload.beadId === undefined ? {} : { beadId: payload.beadId }),
        cwd: resolve(worktree, payload.cwd),
        artifactsDir,
        env: {
          ...payload.env,
          SASE_WORKTREE: worktree,
          SASE_BRANCH: payload.branch,
          SASE_WORKER: taken.worker.host,
        },
        signal: taken.signal,
      });
      taken.emit('started', { pid: run.pid ?? null, host: taken.worker.host });
      log(`${taken.id}: started (pid ${run.pid ?? 'unknown'})`);
      for await (const event of run.events) taken.emit('event', event);
      const outcome = await run.outcome;
      if (outcome.outcome === 'completed') await commitLeftovers(worktree, payload.commitMessage);
      // The checks, on the agent's commits, here (not on the supervisor's machine): when it completed with a
      // change of its own (a noop has nothing to check).
      let hooks: RemoteHookResult[] | undefined;
      const base = (await git(worktree, ['rev-parse', `origin/${payload.branch}`])).stdout.trim();
      const head = (await git(worktree, ['rev-parse', 'HEAD'])).stdout.trim();
      if (outcome.outcome === 'completed' && head !== base && payload.hooks.length > 0) {
        const results = await runHooks({
          hooks: payload.hooks,
          cwd: worktree,
          env: {
            SASE_AGENT_NAME: payload.agentName,
            ...(payload.beadId === undefined ? {} : { SASE_BEAD_ID: payload.beadId }),
          },
          logFileOf: (hook) => join(artifactsDir, 'hooks', `${hook.name}.log`),
          signal: taken.signal,
        });
        hooks = results.map(({ log: file, ...rest }) => ({ ...rest, logText: tailOf(file, 256 * 1024) }));
      }
      const pushed = await git(worktree, ['push', '--quiet', 'origin', `HEAD:refs/heads/${payload.branch}`], {
        isFailureExpected: true,
      });
      log(`${taken.id}: ${outcome.outcome}${pushed.code === 0 ? `, pushed ${payload.branch}` : ''}`);
      if (pushed.code !== 0) {
        return {
          outcome: {
            outcome: 'failed',
            exitCode: outcome.exitCode,
            error: `the worker could not push ${payload.branch}: ${pushed.stderr.trim().split('\n')[0]}`,
          },
          head,
        };
      }
      return { outcome, head, ...(hooks === undefined ? {} : { hooks }) };
    },
  });
}

/** The workers connected to the workspace's queue (`axe status`), or undefined without `axe.queue`. */
export async function connectedWorkers(workspace: Workspace): Promise<WorkerInfo[] | undefined> {
  if (workspace.config.axe.queue === undefined) return undefined;
  const { createLaunchQueue } = await import('@sase/queue');
  const queue = createLaunchQueue({ url: workspace.config.axe.queue });
  try {
    return await queue.workers();
  } finally {
    await queue.close();
  }
}

/** The registry's record of who ran an attempt remotely (`worker.json`), if it ran on a worker. */
export function workerOf(workspace: Workspace, agentName: string): WorkerInfo | undefined {
  try {
    const dir = createRegistry(workspace.root).agentFile(agentName, 'worker.json');
    return JSON.parse(readFileSync(dir, 'utf8')) as WorkerInfo;
  } catch {
    return undefined;
  }
}
