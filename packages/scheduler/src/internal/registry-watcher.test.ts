import { appendFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestWorkspace } from '../__fixtures__/test-workspace.js';
import { type AgentRegistry, createRegistry } from '../registry.js';
import { submitSegments } from '../submit-segments.js';
import { createRegistryWatcher, PROGRESS_WAKE_MS } from './registry-watcher.js';
import { createSnapshotReader } from './snapshot-reader.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

/** A registry whose reads of one agent are counted. */
function counted(registry: AgentRegistry): { registry: AgentRegistry; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(registry, {
    get(target, key, receiver) {
      if (key === 'read') {
        return (name: string) => {
          reads++;
          return target.read(name);
        };
      }
      return Reflect.get(target, key, receiver);
    },
  });
  return { registry: proxy, reads: () => reads };
}

describe('the registry watcher and the snapshot reader', () => {
  it('an agent changed a moment ago is read again only after an event of its directory', async () => {
    const { root, cleanup } = createTestWorkspace();
    cleanups.push(cleanup);
    const registry = createRegistry(root);
    submitSegments(registry, [{ prompt: 'true', directives: { name: 'a' } }]);
    const transcript = registry.agentFile('a', 'transcript.jsonl');
    appendFileSync(transcript, '{"type":"start"}\n');
    let wakes = 0;
    const watcher = createRegistryWatcher(registry, () => wakes++);
    cleanups.push(() => watcher.close());
    watcher.sync(['a']);
    const { registry: reading, reads } = counted(registry);
    const reader = createSnapshotReader(reading, 60_000, watcher.stamp);

    expect(reader.readAll()[0]?.running).toBeUndefined();
    expect(reads()).toBe(1);
    // Written a moment ago (within the file system's timestamp granularity): without an event, it would be
    // read on every call; with one, it is read again once.
    expect(reader.readAll()).toHaveLength(1);
    expect(reads()).toBe(1);
    const before = watcher.stamp('a');
    const wakesBefore = wakes;
    registry.writeRunning('a', {
      attempt: 1,
      pid: null,
      pidIdentity: null,
      hostPid: process.pid,
      supervisorPid: null,
      startedAt: new Date().toISOString(),
      launcher: 'shell',
      model: null,
    });
    await until(() => watcher.stamp('a') !== before && wakes > wakesBefore);
    expect(reader.readAll()[0]?.running?.hostPid).toBe(process.pid);
    expect(reads()).toBe(2);
    expect(reader.readAll()[0]?.running?.hostPid).toBe(process.pid);
    expect(reads()).toBe(2);

    // The transcript (appended to while an agent runs) changes no state: no wake-up, nothing read again.
    const stamp = watcher.stamp('a');
    const wakesNow = wakes;
    appendFileSync(transcript, '{"type":"output"}\n');
    await sleep(100);
    expect(watcher.stamp('a')).toBe(stamp);
    expect(wakes).toBe(wakesNow);
    reader.readAll();
    expect(reads()).toBe(2);
  });

  it('an agent whose directory is not watched is read again while it may still change', () => {
    const { root, cleanup } = createTestWorkspace();
    cleanups.push(cleanup);
    const registry = createRegistry(root);
    submitSegments(registry, [{ prompt: 'true', directives: { name: 'a' } }]);
    const { registry: reading, reads } = counted(registry);
    const reader = createSnapshotReader(reading, 60_000, () => undefined);
    reader.readAll();
    reader.readAll();
    expect(reads()).toBe(2);
  });
});

describe('progress events', () => {
  it('a claim or running.json invalidates at once and wakes after PROGRESS_WAKE_MS; done.json wakes at once', async () => {
    const { root, cleanup } = createTestWorkspace();
    cleanups.push(cleanup);
    const registry = createRegistry(root);
    submitSegments(registry, [{ prompt: 'true', directives: { name: 'a' } }]);
    // Timers stand still (file events and setImmediate do not): a wake that needs the progress timer does
    // not come until the test moves the clock.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    cleanups.push(() => vi.useRealTimers());
    let wakes = 0;
    const watcher = createRegistryWatcher(registry, () => wakes++);
    cleanups.push(() => watcher.close());
    watcher.sync(['a']);
    const settle = async (condition: () => boolean, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (!condition() && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    };

    const stamp = watcher.stamp('a');
    writeFileSync(registry.agentFile('a', 'launch.1.claim'), '{}\n');
    writeFileSync(registry.agentFile('a', 'running.json'), '{}\n');
    await settle(() => watcher.stamp('a') !== stamp);
    expect(watcher.stamp('a')).not.toBe(stamp); // the snapshot is stale at once
    await settle(() => wakes > 0, 200); // any wake that needs no timer has come by now
    expect(wakes).toBe(0);
    vi.advanceTimersByTime(PROGRESS_WAKE_MS);
    await settle(() => wakes > 0);
    expect(wakes).toBe(1);

    writeFileSync(registry.agentFile('a', 'done.json'), '{}\n');
    await settle(() => wakes > 1);
    expect(wakes).toBe(2);
  });
});
