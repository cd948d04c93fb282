import { type FSWatcher, mkdirSync, watch } from 'node:fs';
import { AGENT_FILES, type AgentRegistry } from '../registry.js';

export interface RegistryWatcher {
  /** Watches exactly these agents' directories (plus the registry directory itself). */
  sync(names: Iterable<string>): void;
  /**
   * A number that changes whenever one of the agent's records may have changed (its directory had an event);
   * undefined while its directory is not watched, when only time and modification times can tell.
   */
  stamp(name: string): number | undefined;
  close(): void;
}

/**
 * Files of an agent's directory that never change its state: the transcript (appended to all the time while
 * the agent runs), the prompt, and the temporary files of atomic writes (the rename that completes a write
 * has the record's own name). Their events neither wake the watcher's user nor invalidate a snapshot.
 */
function isStateless(file: string): boolean {
  return file === AGENT_FILES.transcript || file === AGENT_FILES.prompt || file.endsWith('.tmp');
}

/**
 * Files whose changes record the progress of a start (a claim taken, the wait over, the process running) and
 * so never make another agent ready. When many agents start at once they change several times each: their
 * events wake the watcher's user within PROGRESS_WAKE_MS instead of at once, so that a supervisor does not
 * re-read the registry after each of them while the agents it has just released need the cores. (They still
 * invalidate the agent's snapshot at once.)
 */
function isProgress(file: string): boolean {
  return file === AGENT_FILES.running || file === AGENT_FILES.waiting || /^launch\.\d+\.claim$/.test(file);
}

/** How soon a progress event (see isProgress) wakes the watcher's user. */
export const PROGRESS_WAKE_MS = 100;

/**
 * Calls `onChange` (at most once per turn of the event loop) when anything changes in the registry
 * directory or in one of the watched agent directories (within PROGRESS_WAKE_MS for progress events). fs.watch is fast but not guaranteed (network file
 * systems, exhausted inotify watches), so every user of this also polls slowly as a safety net.
 */
export function createRegistryWatcher(registry: AgentRegistry, onChange: () => void): RegistryWatcher {
  let isScheduled = false;
  let isClosed = false;
  let sequence = 0;
  let progressTimer: NodeJS.Timeout | undefined;
  const notify = () => {
    if (isScheduled || isClosed) return;
    isScheduled = true;
    if (progressTimer !== undefined) clearTimeout(progressTimer);
    progressTimer = undefined;
    setImmediate(() => {
      isScheduled = false;
      if (!isClosed) onChange();
    });
  };
  const notifyLater = () => {
    if (isScheduled || isClosed || progressTimer !== undefined) return;
    progressTimer = setTimeout(() => {
      progressTimer = undefined;
      notify();
    }, PROGRESS_WAKE_MS);
    progressTimer.unref();
  };
  const agents = new Map<string, FSWatcher | undefined>();
  const stamps = new Map<string, number>();
  /** The agent's directory is no longer watched reliably: forget its watcher (the next sync opens a new one). */
  const drop = (name: string) => {
    agents.get(name)?.close();
    agents.delete(name);
    stamps.delete(name);
  };
  const open = (dir: string, name: string | undefined): FSWatcher | undefined => {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, file) => {
        if (name !== undefined) {
          if (file !== null && isStateless(String(file))) return;
          // No file name, or the directory's own name: the directory itself went away or was replaced.
          if (file === null || String(file) === name) drop(name);
          else {
            stamps.set(name, ++sequence);
            if (isProgress(String(file))) {
              notifyLater();
              return;
            }
          }
        } else if (file !== null && agents.has(String(file))) {
          drop(String(file)); // an agent's directory was created, removed or replaced under its watcher
        }
        notify();
      });
      watcher.on('error', () => {
        if (name === undefined) watcher.close();
        else drop(name);
        notify();
      });
      if (name !== undefined) stamps.set(name, ++sequence);
      return watcher;
    } catch {
      return undefined;
    }
  };
  mkdirSync(registry.agentsDir, { recursive: true });
  const root = open(registry.agentsDir, undefined);
  return {
    sync(names) {
      if (isClosed) return;
      const wanted = new Set(names);
      for (const name of agents.keys()) if (!wanted.has(name)) drop(name);
      for (const name of wanted) {
        if (!agents.has(name)) agents.set(name, open(registry.agentDir(name), name));
      }
    },
    stamp: (name) => stamps.get(name),
    close() {
      isClosed = true;
      if (progressTimer !== undefined) clearTimeout(progressTimer);
      root?.close();
      for (const watcher of agents.values()) watcher?.close();
      agents.clear();
      stamps.clear();
    },
  };
}
