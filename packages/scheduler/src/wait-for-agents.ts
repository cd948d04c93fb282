import { type AgentState, deriveAgentStates, hasOutcome, isSettled } from './agent-state.js';
import { createRegistryWatcher } from './internal/registry-watcher.js';
import { createSnapshotReader } from './internal/snapshot-reader.js';
import type { AgentRegistry } from './registry.js';
import { SchedulerError } from './scheduler-error.js';

export interface WaitForAgentsOptions {
  /** The agents to follow; all agents of the registry when omitted. */
  names?: readonly string[];
  /** Aborting rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The safety-net poll interval. Default 1000 ms. */
  pollMs?: number;
  /** Gives up with WAIT_TIMEOUT (exit code 124) after this long. Default: no limit. */
  timeoutMs?: number;
  /** Called with the followed agents' states first and whenever one of them changes. */
  onChange?: (states: AgentState[]) => void;
}

/** While changes keep coming, a follower reads again no sooner than this after a read (or twice its time). */
const FOLLOW_GAP_MS = 20;

/**
 * Follows agents until `isDone(states)` holds, reacting to file changes at once (with a slow poll as a
 * safety net). Reads only; it never starts anything, so a supervisor must run for agents to progress. While
 * changes keep coming (many agents starting at once), it reads again no sooner than 20 ms, or twice as long
 * as its last read took, after a read: a follower takes at most a third of a core from the agents it follows.
 */
export async function followAgents(
  registry: AgentRegistry,
  isDone: (states: AgentState[]) => boolean,
  options: WaitForAgentsOptions = {},
): Promise<AgentState[]> {
  const names = options.names === undefined ? undefined : new Set(options.names);
  let wake: (() => void) | undefined;
  let isDirty = false;
  const watcher = createRegistryWatcher(registry, () => {
    isDirty = true;
    wake?.();
  });
  const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
  let previous = '';
  const reader = createSnapshotReader(registry, options.pollMs ?? 1000, watcher.stamp);
  try {
    let readTook = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      isDirty = false;
      const readStarted = performance.now();
      const all = deriveAgentStates(
        reader.readAll((_name, error) => {
          throw error;
        }),
      );
      const selected = names === undefined ? all : all.filter((state) => names.has(state.name));
      if (names !== undefined && selected.length < names.size) {
        const missing = [...names].filter((name) => !selected.some((state) => state.name === name));
        throw new SchedulerError(
          'AGENT_NOT_FOUND',
          `no agent named ${missing.map((n) => `"${n}"`).join(', ')}`,
          {
            agentName: missing[0] as string,
          },
        );
      }
      const fingerprint = JSON.stringify(selected);
      if (fingerprint !== previous) {
        previous = fingerprint;
        options.onChange?.(selected);
      }
      if (isDone(selected)) return selected;
      if (deadline !== undefined && Date.now() >= deadline) {
        throw new SchedulerError(
          'WAIT_TIMEOUT',
          `gave up waiting after ${options.timeoutMs} ms; still unsettled: ` +
            selected
              .filter((state) => !isSettled(state))
              .map((state) => `${state.name} (${state.state})`)
              .join(', '),
          { exitCode: 124 },
        );
      }
      watcher.sync(selected.filter((state) => !isSettled(state)).map((state) => state.name));
      readTook = performance.now() - readStarted;
      if (isDirty) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(2 * readTook, FOLLOW_GAP_MS)));
        continue;
      }
      await new Promise<void>((resolve) => {
        const delay = Math.min(
          options.pollMs ?? 1000,
          deadline === undefined ? Infinity : deadline - Date.now(),
        );
        const timer = setTimeout(done, Math.max(0, delay));
        const onAbort = () => done();
        options.signal?.addEventListener('abort', onAbort, { once: true });
        function done() {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    }
  } finally {
    watcher.close();
  }
}

/**
 * Waits until every followed agent is settled: it has an outcome (completed, noop, failed or killed), or it is
 * parked behind a failed, killed or missing agent (only a retry can move it). Resolves with their states.
 */
export function waitForAgents(
  registry: AgentRegistry,
  options: WaitForAgentsOptions = {},
): Promise<AgentState[]> {
  return followAgents(registry, (states) => states.every(isSettled), options);
}

/** Waits until one agent has an outcome (parked agents keep it waiting: a retry may still unblock them). */
export async function waitForAgent(
  registry: AgentRegistry,
  name: string,
  options: Omit<WaitForAgentsOptions, 'names'> = {},
): Promise<AgentState> {
  registry.get(name);
  const [state] = await followAgents(registry, ([only]) => only !== undefined && hasOutcome(only), {
    ...options,
    names: [name],
  });
  return state as AgentState;
}
