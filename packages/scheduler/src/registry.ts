import { copyFileSync, mkdirSync, readdirSync, renameSync, rmdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertValidAgentName, isValidAgentName } from './agent-name.js';
import {
  createJsonExclusive,
  isErrorCode,
  readJsonIfExists,
  readTextIfExists,
  removeIfExists,
  writeFileAtomic,
  writeJsonAtomic,
} from './internal/files.js';
import { naturalCompare } from './internal/natural-compare.js';
import {
  type AgentRequest,
  type ClaimRecord,
  type DoneRecord,
  formatClaim,
  formatDone,
  formatKillRequest,
  formatRequest,
  formatRunning,
  formatWaiting,
  type KillRequest,
  parseClaim,
  parseDone,
  parseKillRequest,
  parseRequest,
  parseRunning,
  parseWaiting,
  type RunningRecord,
  type WaitingRecord,
} from './records.js';
import { SchedulerError } from './scheduler-error.js';

/** The file names inside an agent's artifact directory. */
export const AGENT_FILES = {
  request: 'request.json',
  prompt: 'prompt.md',
  waiting: 'waiting.json',
  running: 'running.json',
  transcript: 'transcript.jsonl',
  done: 'done.json',
  kill: 'kill.json',
  attempts: 'attempts',
} as const;

/** `launch.<attempt>.claim`: taken exclusively by whoever starts (or cancels) that attempt. */
export function claimFileName(attempt: number): string {
  return `launch.${attempt}.claim`;
}

/** Everything on disk about one agent, read at one moment. Files of other attempts are ignored. */
export interface AgentSnapshot {
  name: string;
  dir: string;
  /** Undefined while the agent is being submitted (its directory exists, request.json not yet). */
  request: AgentRequest | undefined;
  claim: ClaimRecord | undefined;
  running: RunningRecord | undefined;
  waiting: WaitingRecord | undefined;
  done: DoneRecord | undefined;
  killRequest: KillRequest | undefined;
  /** Earlier attempts kept under `attempts/<n>/`, ascending. */
  archivedAttempts: number[];
}

/**
 * The agent registry of one workspace: one artifact directory per agent under `.sase/agents/<name>/`.
 * Readers never lock; every write is atomic (temporary file + rename), and the writes where exactly one
 * process must win (claims, done.json) are exclusive (temporary file + hard link).
 */
export interface AgentRegistry {
  readonly workspaceRoot: string;
  /** `<root>/.sase/agents` */
  readonly agentsDir: string;
  /** `<root>/.sase/axe` (supervisor pid, log and lock) */
  readonly axeDir: string;
  /** `<agentsDir>/<name>`; throws AGENT_NAME_INVALID for an invalid name. */
  agentDir(name: string): string;
  /** The path of a file in the agent's directory (see AGENT_FILES). */
  agentFile(name: string, file: string): string;
  has(name: string): boolean;
  /** Names of every agent directory, in natural order. */
  names(): string[];
  /** Reads one agent; undefined if it has no directory. */
  read(name: string): AgentSnapshot | undefined;
  /** Like read, but throws AGENT_NOT_FOUND. */
  get(name: string): AgentSnapshot;
  /** Every submitted agent (directories with a request.json), ordered by submission time then name. */
  list(): AgentSnapshot[];
  /** Takes the exclusive claim on an attempt; false if someone already holds it. */
  claim(name: string, claim: ClaimRecord): boolean;
  releaseClaim(name: string, attempt: number): void;
  writeRequest(request: AgentRequest): void;
  writeWaiting(name: string, waiting: WaitingRecord | undefined): void;
  writeRunning(name: string, running: RunningRecord | undefined): void;
  /** Publishes done.json exclusively; false if an outcome was already recorded. Removes running.json and waiting.json. */
  recordOutcome(done: DoneRecord): boolean;
  requestKill(name: string, request: KillRequest): void;
  /**
   * Moves the current attempt's files under `attempts/<n>/` and writes `next` (attempt n+1) as the new
   * request. The claim of attempt n moves last, so that an interrupted archive never lets attempt n start.
   */
  startNextAttempt(name: string, next: AgentRequest): void;
  /** Wakes every watcher of the registry (supervisors, `--wait` followers). */
  notify(): void;
}

export function createRegistry(workspaceRoot: string): AgentRegistry {
  const root = resolve(workspaceRoot);
  const agentsDir = join(root, '.sase', 'agents');
  const axeDir = join(root, '.sase', 'axe');

  const agentDir = (name: string): string => {
    assertValidAgentName(name);
    return join(agentsDir, name);
  };
  const agentFile = (name: string, file: string): string => join(agentDir(name), file);

  const readIn = <T>(
    dir: string,
    file: string,
    parse: (value: unknown, file: string) => T,
  ): T | undefined => {
    const path = join(dir, file);
    const value = readJsonIfExists(path);
    return value === undefined ? undefined : parse(value, path);
  };

  const read = (name: string): AgentSnapshot | undefined => {
    const dir = agentDir(name);
    let archivedAttempts: number[] = [];
    try {
      const attemptsDir = join(dir, AGENT_FILES.attempts);
      archivedAttempts = readdirSync(attemptsDir)
        .filter((entry) => /^\d+$/.test(entry))
        .map(Number)
        .sort((left, right) => left - right);
    } catch (error) {
      if (!isErrorCode(error, 'ENOENT', 'ENOTDIR')) throw error;
      try {
        if (!statSync(dir).isDirectory()) return undefined;
      } catch (statError) {
        if (isErrorCode(statError, 'ENOENT', 'ENOTDIR')) return undefined;
        throw statError;
      }
    }
    const request = readIn(dir, AGENT_FILES.request, parseRequest);
    const attempt = request?.attempt;
    const ofAttempt = <T extends { attempt: number }>(record: T | undefined): T | undefined =>
      record !== undefined && record.attempt === attempt ? record : undefined;
    const done = ofAttempt(readIn(dir, AGENT_FILES.done, parseDone));
    return {
      name,
      dir,
      request,
      claim: attempt === undefined ? undefined : readIn(dir, claimFileName(attempt), parseClaim),
      running: ofAttempt(readIn(dir, AGENT_FILES.running, parseRunning)),
      waiting: ofAttempt(readIn(dir, AGENT_FILES.waiting, parseWaiting)),
      done,
      killRequest: ofAttempt(readIn(dir, AGENT_FILES.kill, parseKillRequest)),
      archivedAttempts,
    };
  };

  const names = (): string[] => {
    let entries: string[];
    try {
      entries = readdirSync(agentsDir);
    } catch (error) {
      if (isErrorCode(error, 'ENOENT')) return [];
      throw error;
    }
    return entries.filter(isValidAgentName).sort(naturalCompare);
  };

  const registry: AgentRegistry = {
    workspaceRoot: root,
    agentsDir,
    axeDir,
    agentDir,
    agentFile,
    has: (name) => read(name) !== undefined,
    names,
    read,
    get(name) {
      const snapshot = read(name);
      if (snapshot === undefined) {
        const known = names();
        throw new SchedulerError(
          'AGENT_NOT_FOUND',
          `no agent named "${name}" in ${agentsDir}` +
            (known.length > 0
              ? `; known agents: ${known.slice(0, 20).join(', ')}`
              : '; no agent was submitted yet'),
          { agentName: name },
        );
      }
      return snapshot;
    },
    list() {
      const snapshots: AgentSnapshot[] = [];
      for (const name of names()) {
        const snapshot = read(name);
        if (snapshot?.request !== undefined) snapshots.push(snapshot);
      }
      return snapshots.sort((left, right) => {
        const a = left.request?.submittedAt ?? '';
        const b = right.request?.submittedAt ?? '';
        return a < b ? -1 : a > b ? 1 : naturalCompare(left.name, right.name);
      });
    },
    claim(name, claim) {
      return createJsonExclusive(agentFile(name, claimFileName(claim.attempt)), formatClaim(claim));
    },
    releaseClaim(name, attempt) {
      removeIfExists(agentFile(name, claimFileName(attempt)));
    },
    writeRequest(request) {
      const dir = agentDir(request.name);
      mkdirSync(dir, { recursive: true });
      writeFileAtomic(join(dir, AGENT_FILES.prompt), request.prompt);
      writeJsonAtomic(join(dir, AGENT_FILES.request), formatRequest(request));
    },
    writeWaiting(name, waiting) {
      const path = agentFile(name, AGENT_FILES.waiting);
      if (waiting === undefined) removeIfExists(path);
      else writeJsonAtomic(path, formatWaiting(waiting));
    },
    writeRunning(name, running) {
      const path = agentFile(name, AGENT_FILES.running);
      if (running === undefined) removeIfExists(path);
      else writeJsonAtomic(path, formatRunning(running));
    },
    recordOutcome(done) {
      const dir = agentDir(done.name);
      const isRecorded = createJsonExclusive(join(dir, AGENT_FILES.done), formatDone(done));
      if (isRecorded) {
        removeIfExists(join(dir, AGENT_FILES.running));
        removeIfExists(join(dir, AGENT_FILES.waiting));
      }
      return isRecorded;
    },
    requestKill(name, request) {
      writeJsonAtomic(agentFile(name, AGENT_FILES.kill), formatKillRequest(request));
    },
    startNextAttempt(name, next) {
      const dir = agentDir(name);
      const current = readIn(dir, AGENT_FILES.request, parseRequest);
      const attempt = current?.attempt ?? next.attempt - 1;
      const archive = join(dir, AGENT_FILES.attempts, String(attempt));
      mkdirSync(archive, { recursive: true });
      const isLast = (entry: string) =>
        entry === AGENT_FILES.request || /^launch\.\d+\.claim$/.test(entry) || entry === AGENT_FILES.attempts;
      for (const entry of readdirSync(dir)) {
        if (isLast(entry) || entry.endsWith('.tmp')) continue;
        moveInto(dir, entry, archive);
      }
      if (current !== undefined)
        copyFileSync(join(dir, AGENT_FILES.request), join(archive, AGENT_FILES.request));
      writeFileAtomic(join(dir, AGENT_FILES.prompt), next.prompt);
      writeJsonAtomic(join(dir, AGENT_FILES.request), formatRequest(next));
      for (const entry of readdirSync(dir)) {
        const match = /^launch\.(\d+)\.claim$/.exec(entry);
        if (match && Number(match[1]) < next.attempt) moveInto(dir, entry, archive);
      }
      registry.notify();
    },
    notify() {
      mkdirSync(agentsDir, { recursive: true });
      writeFileAtomic(join(agentsDir, '.pulse'), `${new Date().toISOString()} ${process.pid}\n`);
    },
  };
  return registry;
}

function moveInto(dir: string, entry: string, archive: string): void {
  try {
    renameSync(join(dir, entry), join(archive, entry));
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return;
    if (isErrorCode(error, 'EEXIST', 'ENOTEMPTY')) {
      // A previous, interrupted archive already moved a file of that name: keep the earlier copy.
      try {
        rmdirSync(join(dir, entry));
      } catch {
        removeIfExists(join(dir, entry));
      }
      return;
    }
    throw error;
  }
}

/** Reads the text of a file in the agent's directory (prompt.md, a launcher's own output), if present. */
export function readAgentText(registry: AgentRegistry, name: string, file: string): string | undefined {
  return readTextIfExists(registry.agentFile(name, file));
}
