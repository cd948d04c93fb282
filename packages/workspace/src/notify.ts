import { spawn } from 'node:child_process';
import { appendFileSync, linkSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NotifyEventName, Workspace } from './config.js';

export { NOTIFY_EVENTS, type NotifyEventName } from './config.js';

/** One notification: the JSON document a notifier reads on stdin. */
export interface NotifyEvent {
  event: NotifyEventName;
  /** The workspace root. */
  workspace: string;
  agent?: string;
  attempt?: number;
  bead?: string;
  plan?: string;
  change?: string;
  outcome?: string;
  error?: string | null;
  /** `run_settled`: every agent of the run with its state. */
  agents?: { name: string; state: string }[];
  /** UTC ISO-8601. */
  at: string;
}

/** How long a notifier may run before it is killed. */
export const NOTIFIER_TIMEOUT_MS = 10_000;

function logLine(workspace: Workspace, line: string): void {
  try {
    mkdirSync(join(workspace.root, '.sase', 'axe'), { recursive: true });
    appendFileSync(join(workspace.root, '.sase', 'axe', 'log'), `${new Date().toISOString()} ${line}\n`);
  } catch {
    // nowhere to log: a notifier never fails anything
  }
}

/**
 * Claims the right to send an event: exactly once per key, whatever process (or restarted supervisor)
 * tries, through an exclusive file under `.sase/axe/notified/`. At most once: a supervisor killed while its
 * notifier runs does not send it again.
 */
function claimEvent(workspace: Workspace, key: string): boolean {
  const directory = join(workspace.root, '.sase', 'axe', 'notified');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, key.replace(/[^A-Za-z0-9._+-]/g, '_'));
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, `${new Date().toISOString()}\n`);
  try {
    linkSync(temporary, file);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * Sends `event` to every notifier of sase.yml `notify` that listens to it: the notifier's argv (no shell
 * unless it says `["sh", "-c", ...]`) with the event as one JSON document on stdin. `key` identifies the
 * event (`agent_failed:p-1.2#1`): it is sent once, also across supervisor restarts. Notifiers run in the
 * background: one that fails or hangs (killed after 10 s) is logged in `.sase/axe/log` and never delays or
 * fails anything. Resolves when the notifiers have finished (callers need not wait).
 */
export function notify(
  workspace: Workspace,
  key: string,
  event: Omit<NotifyEvent, 'workspace' | 'at'>,
): Promise<void> {
  const notifiers = workspace.config.notify.filter((notifier) => notifier.on.includes(event.event));
  if (notifiers.length === 0) return Promise.resolve();
  if (!claimEvent(workspace, key)) return Promise.resolve();
  const document: NotifyEvent = { ...event, workspace: workspace.root, at: new Date().toISOString() };
  return Promise.all(notifiers.map((notifier) => runNotifier(workspace, notifier.command, document))).then(
    () => undefined,
  );
}

function runNotifier(workspace: Workspace, command: readonly string[], document: NotifyEvent): Promise<void> {
  return new Promise((resolve) => {
    const [program, ...args] = command;
    const what = `notifier ${JSON.stringify(command.join(' '))} for ${document.event}`;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(program!, args, {
        cwd: workspace.root,
        stdio: ['pipe', 'ignore', 'pipe'],
        detached: true,
        env: { ...process.env, SASE_EVENT: document.event },
      });
    } catch (error) {
      logLine(workspace, `${what} could not start: ${(error as Error).message}`);
      resolve();
      return;
    }
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(`${JSON.stringify(document)}\n`);
    const timer = setTimeout(() => {
      logLine(workspace, `${what} did not finish within ${NOTIFIER_TIMEOUT_MS / 1000} s and was killed`);
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, NOTIFIER_TIMEOUT_MS);
    timer.unref();
    child.unref();
    child.on('error', (error) => {
      clearTimeout(timer);
      logLine(workspace, `${what} could not start: ${error.message}`);
      resolve();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 && signal !== 'SIGKILL') {
        logLine(
          workspace,
          `${what} failed (${signal ?? `exit ${code}`})${stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n')[0]}`}`,
        );
      }
      resolve();
    });
  });
}
