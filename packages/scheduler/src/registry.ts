import { copyFileSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { assertValidAgentName, isValidAgentName } from './agent-name.js';
import {
  createJsonExclusive,
  isErrorCode,
  isoNow,
  parseJsonText,
  readJsonIfExists,
  readTextIfExists,
  removeIfExists,
  writeFileAtomic,
  writeJsonAtomic,
} from './internal/files.js';
import { naturalCompare } from './internal/natural-compare.js';
import { processIdentity } from './internal/processes.js';
import { type AgentOutcome, isPendingOutcome } from './outcomes.js';
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
  /**
   * Files that belong to the agent's change rather than to one attempt (saved diffs, chat copies, check
   * logs): kept in place across retries, so that paths recorded elsewhere stay valid.
   */
  change: 'change',
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
  /**
   * Publishes done.json exclusively; false if an outcome was already recorded. A done.json left over from
   * an earlier attempt is moved under `attempts/<n>/` first. Removes running.json and waiting.json.
   */
  recordOutcome(done: DoneRecord): boolean;
  requestKill(name: string, request: KillRequest): void;
  /**
   * Writes `next` (attempt n+1) as the new request and moves the current attempt's files under
   * `attempts/<n>/`, holding the claim of attempt n+1 meanwhile (so it cannot start before). The new
   * request is written first, so that readers see either attempt n whole or attempt n+1. Returns false,
   * changing nothing, when another process is starting attempt n+1 (or got further) already.
   */
  startNextAttempt(name: string, next: AgentRequest): boolean;
  /**
   * Decides a pending outcome (`plan_submitted`, `plan_approved`: see PENDING_OUTCOMES) of attempt `attempt`:
   * its done.json is rewritten with `outcome` (and `error`, when given). Exactly one decision per attempt
   * is made, whatever processes race (an exclusive `decision.<attempt>.claim`); returns false, changing
   * nothing, when another decision was made first or the attempt's outcome is not pending.
   */
  decide(name: string, attempt: number, outcome: AgentOutcome, error?: string | null): boolean;
  /**
   * The decision made on attempt `attempt` by whichever process won `decide`, or undefined when none was.
   * A caller whose `decide` lost the race reads what was decided (for example to report the next attempt).
   */
  decisionOf(name: string, attempt: number): AgentOutcome | undefined;
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

  const requestPathOf = (dir: string) => join(dir, AGENT_FILES.request);
  const parseRequestText = (text: string | undefined, path: string): AgentRequest | undefined =>
    text === undefined ? undefined : parseRequest(parseJsonText(text, path), path);

  const readOnce = (
    name: string,
    dir: string,
    requestText: string | undefined,
  ): AgentSnapshot | undefined => {
    // One listing of the directory, then only the files it has: a missing file costs nothing.
    let entries: Set<string>;
    try {
      entries = new Set(readdirSync(dir));
    } catch (error) {
      if (isErrorCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
      throw error;
    }
    let archivedAttempts: number[] = [];
    if (entries.has(AGENT_FILES.attempts)) {
      try {
        archivedAttempts = readdirSync(join(dir, AGENT_FILES.attempts))
          .filter((entry) => /^\d+$/.test(entry))
          .map(Number)
          .sort((left, right) => left - right);
      } catch (error) {
        if (!isErrorCode(error, 'ENOENT', 'ENOTDIR')) throw error;
      }
    }
    const readPresent = <T>(file: string, parse: (value: unknown, file: string) => T): T | undefined =>
      entries.has(file) ? readIn(dir, file, parse) : undefined;
    const request = parseRequestText(requestText, requestPathOf(dir));
    const attempt = request?.attempt;
    const ofAttempt = <T extends { attempt: number }>(record: T | undefined): T | undefined =>
      record !== undefined && record.attempt === attempt ? record : undefined;
    const done = ofAttempt(readPresent(AGENT_FILES.done, parseDone));
    return {
      name,
      dir,
      request,
      claim: attempt === undefined ? undefined : readPresent(claimFileName(attempt), parseClaim),
      running: ofAttempt(readPresent(AGENT_FILES.running, parseRunning)),
      waiting: ofAttempt(readPresent(AGENT_FILES.waiting, parseWaiting)),
      done,
      killRequest: ofAttempt(readPresent(AGENT_FILES.kill, parseKillRequest)),
      archivedAttempts,
    };
  };

  /**
   * One agent's files, read so that they all belong to one attempt: request.json is read before and after
   * the other files, and everything is read again if it changed meanwhile. startNextAttempt writes the new
   * request before it moves the old attempt's files away, so a snapshot never shows an attempt half
   * archived (say claimed, but without its done.json: that looks like an agent host that died, and a
   * supervisor would record a stale `killed` outcome for it).
   */
  const read = (name: string): AgentSnapshot | undefined => {
    const dir = agentDir(name);
    const requestPath = requestPathOf(dir);
    let requestText = readTextIfExists(requestPath);
    for (let round = 0; ; round++) {
      const snapshot = readOnce(name, dir, requestText);
      const after = readTextIfExists(requestPath);
      if (after === requestText || round >= 10) return snapshot;
      requestText = after;
    }
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
              ? `; known agents: ${known.slice(0, 20).join(', ')}` +
                (known.length > 20 ? ` and ${known.length - 20} more (sase agent list)` : '')
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
      const path = join(dir, AGENT_FILES.done);
      for (let round = 0; round < 3; round++) {
        if (createJsonExclusive(path, formatDone(done))) {
          removeIfExists(join(dir, AGENT_FILES.running));
          removeIfExists(join(dir, AGENT_FILES.waiting));
          return true;
        }
        // A done.json of an earlier attempt is a leftover (an archive that was interrupted, or an outcome
        // recorded late for an attempt that was retried meanwhile): it must not keep this attempt from
        // recording its own. Anything else is this attempt's outcome, recorded by someone else first.
        const existing = readDoneIfExists(path);
        if (existing === 'unreadable' || (existing !== undefined && existing.attempt >= done.attempt))
          return false;
        if (existing !== undefined) archiveStaleDone(dir, path, done.attempt);
      }
      return false;
    },
    requestKill(name, request) {
      writeJsonAtomic(agentFile(name, AGENT_FILES.kill), formatKillRequest(request));
    },
    startNextAttempt(name, next) {
      const dir = agentDir(name);
      // Nothing of the next attempt may start before the files of the current one are out of the way.
      const guard = {
        attempt: next.attempt,
        purpose: 'cancel' as const,
        hostPid: process.pid,
        hostIdentity: processIdentity(process.pid) ?? null,
        supervisorPid: null,
        claimedAt: isoNow(),
      };
      if (!registry.claim(name, guard)) return false;
      try {
        const current = readIn(dir, AGENT_FILES.request, parseRequest);
        if (current !== undefined && current.attempt >= next.attempt) return false; // someone was first
        const attempt = current?.attempt ?? next.attempt - 1;
        const archive = join(dir, AGENT_FILES.attempts, String(attempt));
        mkdirSync(archive, { recursive: true });
        if (current !== undefined)
          copyFileSync(join(dir, AGENT_FILES.request), join(archive, AGENT_FILES.request));
        // The new request first: from here on every reader sees the next attempt, for which the files of
        // the current one that are still here do not count. Moving them first would let a reader see the
        // current attempt claimed but without its outcome (done.json moved already), which a supervisor
        // takes for a dead agent host: it recorded a stale `killed` outcome into the directory, and that
        // done.json then kept the next attempt from recording its own, so its dependants never started.
        writeJsonAtomic(join(dir, AGENT_FILES.request), formatRequest(next));
        for (const entry of readdirSync(dir)) {
          if (
            entry === AGENT_FILES.request ||
            entry === AGENT_FILES.attempts ||
            entry === AGENT_FILES.change ||
            entry.endsWith('.tmp')
          )
            continue;
          const claim = /^launch\.(\d+)\.claim$/.exec(entry);
          if (claim && Number(claim[1]) >= next.attempt) continue;
          moveInto(dir, entry, archive);
        }
        writeFileAtomic(join(dir, AGENT_FILES.prompt), next.prompt);
      } finally {
        registry.releaseClaim(name, next.attempt);
      }
      registry.notify();
      return true;
    },
    decide(name, attempt, outcome, error) {
      const dir = agentDir(name);
      const claim = join(dir, `decision.${attempt}.claim`);
      if (!createJsonExclusive(claim, { attempt, outcome, pid: process.pid, decided_at: isoNow() }))
        return false;
      const done = readDoneIfExists(join(dir, AGENT_FILES.done));
      if (
        done === undefined ||
        done === 'unreadable' ||
        done.attempt !== attempt ||
        !isPendingOutcome(done.outcome)
      ) {
        removeIfExists(claim);
        return false;
      }
      writeJsonAtomic(
        join(dir, AGENT_FILES.done),
        formatDone({ ...done, outcome, ...(error === undefined ? {} : { error }) }),
      );
      registry.notify();
      return true;
    },
    decisionOf(name, attempt) {
      const file = `decision.${attempt}.claim`;
      // Once the next attempt started, the claim is archived with the rest of the attempt's files.
      for (const path of [
        join(agentDir(name), file),
        join(agentDir(name), AGENT_FILES.attempts, String(attempt), file),
      ]) {
        try {
          const claim = JSON.parse(readFileSync(path, 'utf8')) as { outcome?: unknown };
          if (typeof claim.outcome === 'string') return claim.outcome as AgentOutcome;
        } catch {
          // not there (or not readable): look in the next place
        }
      }
      return undefined;
    },
    notify() {
      // Never creates the registry: a process whose workspace was removed (and maybe created again at the
      // same path) must not plant a `.sase/` in it. With no `.sase/agents/`, nobody watches it either.
      try {
        writeFileAtomic(join(agentsDir, '.pulse'), `${new Date().toISOString()} ${process.pid}\n`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
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

function readDoneIfExists(path: string): DoneRecord | undefined | 'unreadable' {
  try {
    const value = readJsonIfExists(path);
    return value === undefined ? undefined : parseDone(value, path);
  } catch {
    return 'unreadable';
  }
}

/**
 * Moves a done.json of an attempt before `attempt` out of the way, into `attempts/<its attempt>/` (unless
 * that has one already). It is first renamed to a private name, so that a done.json that someone else
 * recorded for `attempt` meanwhile is put back instead of archived.
 */
function archiveStaleDone(dir: string, path: string, attempt: number): void {
  const aside = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.${Math.random()}.stale.tmp`);
  try {
    renameSync(path, aside);
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return;
    throw error;
  }
  try {
    const moved = readDoneIfExists(aside);
    const target =
      moved === 'unreadable' || moved === undefined || moved.attempt >= attempt
        ? path
        : join(dir, AGENT_FILES.attempts, String(moved.attempt), AGENT_FILES.done);
    mkdirSync(join(target, '..'), { recursive: true });
    try {
      linkSync(aside, target);
    } catch (error) {
      if (!isErrorCode(error, 'EEXIST')) throw error; // the archive has that attempt's outcome already
    }
  } finally {
    removeIfExists(aside);
  }
}
