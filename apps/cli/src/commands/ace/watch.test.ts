import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempDir } from '../../testing/run-cli.js';
import { type ChangeKind, type WorkspaceChanges, type WorkspaceWatcher, watchWorkspace } from './watch.js';

let watcher: WorkspaceWatcher | undefined;
afterEach(() => watcher?.close());

function setUp() {
  const base = createTempDir('sase-ace-watch');
  const root = join(base, 'ws');
  const sddRoot = join(root, '.sase', 'sdd');
  const beadsDir = join(sddRoot, 'beads');
  const pulseFile = join(base, 'home', '.sase', '.ace_refresh_pulse');
  mkdirSync(join(root, '.sase', 'agents', 'one'), { recursive: true });
  mkdirSync(beadsDir, { recursive: true });
  mkdirSync(join(sddRoot, 'tales'), { recursive: true });
  mkdirSync(join(base, 'home', '.sase'), { recursive: true });
  const seen: WorkspaceChanges[] = [];
  let wake: (() => void) | undefined;
  watcher = watchWorkspace({
    root,
    sddRoot,
    beadsDir,
    pulseFile,
    pollMs: 0,
    onChange: (changes) => {
      seen.push(changes);
      wake?.();
    },
  });
  /** Resolves with the kinds (and transcripts) reported once `predicate` holds for what was seen. */
  const next = (predicate: (changes: WorkspaceChanges) => boolean): Promise<WorkspaceChanges> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no such change; seen ${JSON.stringify(seen.map(kindsOf))}`)),
        3000,
      );
      const check = () => {
        const found = seen.find(predicate);
        if (found) {
          clearTimeout(timer);
          seen.length = 0;
          resolve(found);
        }
      };
      wake = check;
      check();
    });
  return { root, sddRoot, beadsDir, pulseFile, next };
}

const kindsOf = (changes: WorkspaceChanges) => ({
  kinds: [...changes.kinds].sort(),
  agents: [...changes.agents].sort(),
  transcripts: [...changes.transcripts],
});
const has = (kind: ChangeKind) => (changes: WorkspaceChanges) => changes.kinds.has(kind);

describe('watchWorkspace', () => {
  it('reports what changed on disk: agents, transcripts, beads, plans in new directories, the pulse', async () => {
    const { root, sddRoot, beadsDir, pulseFile, next } = setUp();
    // An agent's own files: that agent is read again, not the whole registry.
    writeFileSync(join(root, '.sase', 'agents', 'one', 'done.json'), '{}');
    expect(kindsOf(await next((changes) => changes.agents.size > 0))).toEqual({
      kinds: [],
      agents: ['one'],
      transcripts: [],
    });

    writeFileSync(join(root, '.sase', 'agents', 'one', 'transcript.jsonl'), '{}\n');
    expect(kindsOf(await next((changes) => changes.transcripts.size > 0))).toEqual({
      kinds: [],
      agents: [],
      transcripts: ['one'],
    });

    // A new agent directory: the whole registry, and the directory is watched from then on.
    mkdirSync(join(root, '.sase', 'agents', 'two'));
    await next(has('agents'));
    writeFileSync(join(root, '.sase', 'agents', 'two', 'running.json'), '{}');
    expect(kindsOf(await next((changes) => changes.agents.size > 0)).agents).toEqual(['two']);

    writeFileSync(join(beadsDir, 'beads.db'), 'cache');
    writeFileSync(join(beadsDir, 'issues.jsonl'), '');
    expect(kindsOf(await next(has('beads'))).kinds).toEqual(['agents', 'beads']);

    // A plan in a month directory that did not exist when the watcher started.
    mkdirSync(join(sddRoot, 'tales', '202611'));
    await next(has('sdd'));
    writeFileSync(join(sddRoot, 'tales', '202611', 'plan.md'), '# Plan\n');
    await next(has('sdd'));

    writeFileSync(pulseFile, 'now');
    expect(kindsOf(await next(has('sdd'))).kinds).toEqual(['agents', 'beads', 'sdd']);
  });
});
