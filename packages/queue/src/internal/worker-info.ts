import type { WorkerInfo } from '../records.js';

/** A worker's heartbeat as stored: snake_case JSON. */
export function formatWorkerInfo(info: WorkerInfo): string {
  return JSON.stringify({
    id: info.id,
    host: info.host,
    pid: info.pid,
    launchers: info.launchers,
    running: info.running,
    capacity: info.capacity,
    jobs: info.jobs,
    started_at: info.startedAt,
    seen_at: info.seenAt,
  });
}

export function parseWorkerInfo(text: string): WorkerInfo | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value.id !== 'string' || typeof value.host !== 'string' || typeof value.pid !== 'number') {
      return undefined;
    }
    const strings = (list: unknown) =>
      Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
    return {
      id: value.id,
      host: value.host,
      pid: value.pid,
      launchers: strings(value.launchers),
      running: typeof value.running === 'number' ? value.running : 0,
      capacity: typeof value.capacity === 'number' ? value.capacity : 0,
      jobs: strings(value.jobs),
      startedAt: typeof value.started_at === 'string' ? value.started_at : '',
      seenAt: typeof value.seen_at === 'string' ? value.seen_at : '',
    };
  } catch {
    return undefined;
  }
}
