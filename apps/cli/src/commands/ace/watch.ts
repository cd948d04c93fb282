// File watching for `sase ace`: which part of the view to read again when something changes on disk. fs.watch
// on the directories that matter (no recursive watching: it is emulated, and slow, on Linux before Node 22),
// re-synced when directories come and go, plus a slow poll as a safety net (network file systems, exhausted
// inotify watches), as the supervisor does.
import { type FSWatcher, readdirSync, watch } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** What to read again: the whole agent registry (and supervisor), the bead store, the plans and ChangeSpecs. */
export type ChangeKind = 'agents' | 'beads' | 'sdd';

export interface WorkspaceChanges {
  kinds: Set<ChangeKind>;
  /** Agents whose directory changed (their files alone are read again, unless `kinds` has `agents`). */
  agents: Set<string>;
  /** Agents whose transcript grew (for a detail pane that shows it). */
  transcripts: Set<string>;
}

export function noChanges(): WorkspaceChanges {
  return { kinds: new Set(), agents: new Set(), transcripts: new Set() };
}

export function isEmpty(changes: WorkspaceChanges): boolean {
  return changes.kinds.size === 0 && changes.agents.size === 0 && changes.transcripts.size === 0;
}

export interface WatchWorkspaceOptions {
  root: string;
  sddRoot: string;
  beadsDir: string;
  /** `~/.sase/.ace_refresh_pulse`: touched by `sase plan` (and anyone) to make every ACE read everything. */
  pulseFile: string;
  onChange(changes: WorkspaceChanges): void;
  /** Events closer together than this make one change. Default 5 ms. */
  debounceMs?: number;
  /** The safety-net poll: everything is read again this often. Default 3000 ms; 0 turns it off. */
  pollMs?: number;
}

export interface WorkspaceWatcher {
  close(): void;
}

/** The SDD kinds whose files ACE shows: plans (tales, epics, legends) and ChangeSpecs. */
const SDD_KINDS = new Set(['tales', 'epics', 'legends', 'changes']);
const ALL: readonly ChangeKind[] = ['agents', 'beads', 'sdd'];

type Role =
  | { kind: 'sase-dir' }
  | { kind: 'project-dir' }
  | { kind: 'agents-dir' }
  | { kind: 'agent-dir'; name: string }
  | { kind: 'axe-dir' }
  | { kind: 'sdd-root' }
  | { kind: 'sdd-kind' }
  | { kind: 'sdd-month' }
  | { kind: 'beads-dir' }
  | { kind: 'pulse-dir' };

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

export function watchWorkspace(options: WatchWorkspaceOptions): WorkspaceWatcher {
  const saseDir = join(options.root, '.sase');
  const agentsDir = join(saseDir, 'agents');
  const watchers = new Map<string, { watcher: FSWatcher | undefined; role: Role }>();
  let pending = noChanges();
  let isResyncNeeded = false;
  let timer: NodeJS.Timeout | undefined;
  let isClosed = false;

  const flush = () => {
    timer = undefined;
    if (isClosed) return;
    if (isResyncNeeded) {
      isResyncNeeded = false;
      resync();
    }
    const changes = pending;
    pending = noChanges();
    if (!isEmpty(changes)) options.onChange(changes);
  };
  const schedule = () => {
    if (timer === undefined && !isClosed) timer = setTimeout(flush, options.debounceMs ?? 5);
  };
  const mark = (kinds: readonly ChangeKind[], isResync = false) => {
    for (const kind of kinds) pending.kinds.add(kind);
    if (isResync) isResyncNeeded = true;
    schedule();
  };

  const onEvent = (role: Role, file: string | null) => {
    switch (role.kind) {
      case 'project-dir':
        // The project root: only the SDD tree appearing matters (sdd.version_controlled).
        if (file === null || file === basename(options.sddRoot)) mark(ALL, true);
        return;
      case 'sase-dir':
        if (file === null || file === 'agents' || file === 'sdd' || file === 'axe') mark(ALL, true);
        return;
      case 'agents-dir':
        // `.pulse` (AgentRegistry.notify), or an agent directory made or removed.
        mark(['agents'], file !== '.pulse');
        return;
      case 'agent-dir':
        if (file === 'transcript.jsonl') {
          pending.transcripts.add(role.name);
          schedule();
        } else if (file === null || !file.endsWith('.tmp')) {
          pending.agents.add(role.name);
          schedule();
        }
        return;
      case 'axe-dir':
        // The supervisor's lock: its status is read with every change of the agents.
        if (file === null || file === 'lock') {
          pending.agents.add('');
          schedule();
        }
        return;
      case 'sdd-root':
        if (file === null || SDD_KINDS.has(file) || file === 'beads') mark(ALL, true);
        return;
      case 'sdd-kind':
        mark(['sdd'], true);
        return;
      case 'sdd-month':
        if (file === null || file.endsWith('.md')) mark(['sdd']);
        return;
      case 'beads-dir':
        // issues.jsonl is replaced atomically; beads.db and its journal are a reader's cache.
        if (file === null || file === 'issues.jsonl') mark(['beads', 'agents']);
        return;
      case 'pulse-dir':
        if (file === null || file === basename(options.pulseFile)) mark(ALL);
        return;
    }
  };

  const open = (dir: string, role: Role) => {
    const known = watchers.get(dir);
    if (known !== undefined && known.watcher !== undefined) return;
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(dir, { persistent: false }, (_event, file) =>
        onEvent(role, file ? String(file) : null),
      );
      watcher.on('error', () => {
        watcher?.close();
        watchers.delete(dir);
        mark(ALL, true);
      });
    } catch {
      watcher = undefined; // not there (yet): the next resync tries again
    }
    watchers.set(dir, { watcher, role });
  };

  /** Watches exactly the directories that exist now and matter; drops the watchers of those gone. */
  const resync = () => {
    const wanted = new Map<string, Role>();
    // sdd.version_controlled: the SDD tree is `<root>/sdd`, which may appear later.
    if (dirname(options.sddRoot) === options.root) wanted.set(options.root, { kind: 'project-dir' });
    wanted.set(saseDir, { kind: 'sase-dir' });
    wanted.set(agentsDir, { kind: 'agents-dir' });
    for (const name of subdirectories(agentsDir))
      wanted.set(join(agentsDir, name), { kind: 'agent-dir', name });
    wanted.set(join(saseDir, 'axe'), { kind: 'axe-dir' });
    wanted.set(options.sddRoot, { kind: 'sdd-root' });
    for (const kind of subdirectories(options.sddRoot)) {
      if (!SDD_KINDS.has(kind)) continue;
      const kindDir = join(options.sddRoot, kind);
      wanted.set(kindDir, { kind: 'sdd-kind' });
      for (const month of subdirectories(kindDir)) wanted.set(join(kindDir, month), { kind: 'sdd-month' });
    }
    wanted.set(options.beadsDir, { kind: 'beads-dir' });
    wanted.set(dirname(options.pulseFile), { kind: 'pulse-dir' });
    for (const [dir, entry] of watchers) {
      if (!wanted.has(dir) || entry.watcher === undefined) {
        entry.watcher?.close();
        watchers.delete(dir);
      }
    }
    for (const [dir, role] of wanted) open(dir, role);
  };

  resync();
  const poll =
    options.pollMs === 0 ? undefined : setInterval(() => mark(ALL, true), options.pollMs ?? 3000).unref();

  return {
    close() {
      isClosed = true;
      if (timer !== undefined) clearTimeout(timer);
      if (poll !== undefined) clearInterval(poll);
      for (const { watcher } of watchers.values()) watcher?.close();
      watchers.clear();
    },
  };
}
