import { type FSWatcher, mkdirSync, watch } from 'node:fs';
import type { AgentRegistry } from '../registry.js';

export interface RegistryWatcher {
  /** Watches exactly these agents' directories (plus the registry directory itself). */
  sync(names: Iterable<string>): void;
  close(): void;
}

/**
 * Calls `onChange` (at most once per turn of the event loop) when anything changes in the registry
 * directory or in one of the watched agent directories. fs.watch is fast but not guaranteed (network file
 * systems, exhausted inotify watches), so every user of this also polls slowly as a safety net.
 */
export function createRegistryWatcher(registry: AgentRegistry, onChange: () => void): RegistryWatcher {
  let isScheduled = false;
  let isClosed = false;
  const notify = () => {
    if (isScheduled || isClosed) return;
    isScheduled = true;
    setImmediate(() => {
      isScheduled = false;
      if (!isClosed) onChange();
    });
  };
  const open = (dir: string): FSWatcher | undefined => {
    try {
      const watcher = watch(dir, { persistent: false }, notify);
      watcher.on('error', () => {
        watcher.close();
        notify();
      });
      return watcher;
    } catch {
      return undefined;
    }
  };
  mkdirSync(registry.agentsDir, { recursive: true });
  const root = open(registry.agentsDir);
  const agents = new Map<string, FSWatcher | undefined>();
  return {
    sync(names) {
      if (isClosed) return;
      const wanted = new Set(names);
      for (const [name, watcher] of agents) {
        if (!wanted.has(name)) {
          watcher?.close();
          agents.delete(name);
        }
      }
      for (const name of wanted) {
        if (!agents.has(name)) agents.set(name, open(registry.agentDir(name)));
      }
    },
    close() {
      isClosed = true;
      root?.close();
      for (const watcher of agents.values()) watcher?.close();
      agents.clear();
    },
  };
}
