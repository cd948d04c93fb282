import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestWorkspace } from './__fixtures__/test-workspace.js';
import { agentStates } from './agent-state.js';
import { createRegistry } from './registry.js';
import { submitSegments } from './submit-segments.js';
import { acquireSupervisorLock, readSupervisorStatus } from './supervisor-lock.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function workspace(): string {
  const { root, cleanup } = createTestWorkspace();
  cleanups.push(cleanup);
  return root;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

describe('the supervisor lock', () => {
  it('is exclusive, and released only by its holder', () => {
    const root = workspace();
    const first = acquireSupervisorLock(root);
    expect(first.isAcquired).toBe(true);
    const second = acquireSupervisorLock(root);
    expect(second).toMatchObject({ isAcquired: false, holder: { pid: process.pid } });
    expect(readFileSync(join(root, '.sase', 'axe', 'pid'), 'utf8').trim()).toBe(String(process.pid));
    expect(readSupervisorStatus(root)).toMatchObject({ isRunning: true, pid: process.pid });
    if (first.isAcquired) first.lock.release();
    expect(readSupervisorStatus(root)).toEqual({ isRunning: false, pid: null, startedAt: null });
    const third = acquireSupervisorLock(root);
    expect(third.isAcquired).toBe(true);
    if (third.isAcquired) third.lock.release();
  });

  it('takes over a stale lock (dead holder) and a corrupt one', () => {
    const root = workspace();
    const axe = join(root, '.sase', 'axe');
    mkdirSync(axe, { recursive: true });
    writeFileSync(join(axe, 'lock'), JSON.stringify({ pid: deadPid(), identity: null, started_at: 'x' }));
    expect(readSupervisorStatus(root).isRunning).toBe(false);
    const result = acquireSupervisorLock(root);
    expect(result.isAcquired).toBe(true);
    if (result.isAcquired) result.lock.release();

    writeFileSync(join(axe, 'lock'), '{ not json');
    const again = acquireSupervisorLock(root);
    expect(again.isAcquired).toBe(true);
    if (again.isAcquired) again.lock.release();
  });
});

describe('the registry', () => {
  it('reports a malformed file with REGISTRY_CORRUPT naming it', () => {
    const root = workspace();
    const registry = createRegistry(root);
    submitSegments(registry, [{ prompt: 'x', directives: { name: 'a' } }]);
    writeFileSync(registry.agentFile('a', 'done.json'), '{"name": "a", "outcome": "maybe"}');
    expect(() => agentStates(registry)).toThrow(
      /done\.json: "outcome" must be one of completed, noop, plan_committed, epic_approved, plan_submitted, plan_approved, plan_rejected, failed, killed/,
    );
  });
});
