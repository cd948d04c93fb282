import { statSync } from 'node:fs';
import type { AgentRegistry, AgentSnapshot } from '../registry.js';
import { naturalCompare } from './natural-compare.js';

export interface SnapshotReader {
  /** Every submitted agent, in submission order (as `registry.list()`); unreadable ones go to `onError`. */
  readAll(onError?: (name: string, error: unknown) => void): AgentSnapshot[];
}

/** What a registry watcher knows: a stamp that changes with every event of a watched agent's directory. */
export type WatchStamp = (name: string) => number | undefined;

/** A directory changed this recently may change again within the file system's timestamp granularity. */
const QUIET_NS = 50_000_000n;

/**
 * Reads the registry again and again, cheaply: every registry write creates, renames or removes a file in the
 * agent's directory, which changes the directory's modification time, so an agent whose directory has not
 * changed since it was last read (one stat) is not read again (about ten reads). A directory that changed
 * within the last 50 ms is read again next time anyway (timestamps are coarser than that on some file
 * systems), and everything is read afresh at least every `fullReadMs`.
 *
 * With `stamp` (a registry watcher's), a directory that changed recently is trusted too when its watcher has
 * seen no event since the read began: many agents starting at once no longer make every read re-read them all.
 */
export function createSnapshotReader(
  registry: AgentRegistry,
  fullReadMs: number,
  stamp?: WatchStamp,
): SnapshotReader {
  const cache = new Map<
    string,
    { mtimeNs: bigint; snapshot: AgentSnapshot | undefined; isQuiet: boolean; stamp: number | undefined }
  >();
  let lastFullReadAt = 0;
  return {
    readAll(onError) {
      const isFull = Date.now() - lastFullReadAt >= fullReadMs;
      if (isFull) lastFullReadAt = Date.now();
      const names = registry.names();
      if (cache.size > names.length) {
        const present = new Set(names);
        for (const name of cache.keys()) if (!present.has(name)) cache.delete(name);
      }
      const snapshots: AgentSnapshot[] = [];
      for (const name of names) {
        try {
          let mtimeNs: bigint | undefined;
          try {
            mtimeNs = statSync(registry.agentDir(name), { bigint: true }).mtimeNs;
          } catch {
            mtimeNs = undefined;
          }
          const cached = cache.get(name);
          let snapshot: AgentSnapshot | undefined;
          const stampNow = stamp?.(name);
          if (
            !isFull &&
            cached !== undefined &&
            mtimeNs !== undefined &&
            cached.mtimeNs === mtimeNs &&
            (cached.isQuiet || (stampNow !== undefined && stampNow === cached.stamp))
          ) {
            snapshot = cached.snapshot;
          } else {
            const readAt = BigInt(Date.now()) * 1_000_000n;
            snapshot = registry.read(name);
            if (mtimeNs === undefined) cache.delete(name);
            else {
              const isQuiet = mtimeNs < readAt - QUIET_NS;
              cache.set(name, { mtimeNs, snapshot, isQuiet, stamp: stampNow });
            }
          }
          if (snapshot?.request !== undefined) snapshots.push(snapshot);
        } catch (error) {
          cache.delete(name);
          onError?.(name, error);
        }
      }
      return snapshots.sort((left, right) => {
        const a = left.request?.submittedAt ?? '';
        const b = right.request?.submittedAt ?? '';
        return a < b ? -1 : a > b ? 1 : naturalCompare(left.name, right.name);
      });
    },
  };
}
