import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AgentRegistry,
  type AgentState,
  createRegistry,
  hasOutcome,
  isWaitSatisfying,
  type StartSupervisorProcessResult,
  startSupervisorProcess,
} from '@sase/scheduler';
import { findWorkspace, type Workspace } from '@sase/workspace/config';
import { CliError } from '../../errors.js';

/** What the axe and agent commands share: the workspace, its config and its agent registry. */
export interface AgentWorkspace {
  workspace: Workspace;
  root: string;
  registry: AgentRegistry;
}

export async function openAgentWorkspace(cwd: string): Promise<AgentWorkspace> {
  const workspace = await findWorkspace(cwd);
  return { workspace, root: workspace.root, registry: createRegistry(workspace.root) };
}

/**
 * The built `sase` binary (`<package>/dist/bin.cjs`), found from this module's location whether it runs from
 * dist (bundled into any chunk) or from the sources (tests). The detached supervisor and the agent hosts are
 * started as `node <bin> axe serve|host`.
 */
export function saseBinPath(): string {
  const override = process.env.SASE_BIN_JS;
  if (override) return override;
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@sase/cli') {
          const bin = join(directory, 'dist', 'bin.cjs');
          if (existsSync(bin)) return bin;
          break;
        }
      } catch {
        // not ours
      }
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  throw new CliError(
    'SASE_BIN_NOT_FOUND',
    'cannot find the built sase binary (dist/bin.cjs) to start the supervisor with; build the CLI ' +
      '(cd apps/cli && pnpm build) or set SASE_BIN_JS to its path',
  );
}

/** `node <sase> axe <subcommand>`. */
export function axeCommand(subcommand: 'serve' | 'host'): string[] {
  return [process.execPath, saseBinPath(), 'axe', subcommand];
}

/** Starts the workspace's supervisor unless one runs (`sase axe start`, and `sase run` / `agent retry`). */
export function ensureSupervisor(root: string): Promise<StartSupervisorProcessResult> {
  return startSupervisorProcess({ workspaceRoot: root, command: axeCommand('serve') });
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width + 1);
}

/** One line per agent: name, state, attempt, and what a waiting agent waits on (or a finished one's error). */
export function formatStateTable(states: readonly AgentState[]): string {
  if (states.length === 0) return 'no agents\n';
  const nameWidth = Math.max(4, ...states.map((state) => state.name.length));
  const lines = [`${pad('NAME', nameWidth)}${pad('STATE', 9)}${pad('TRY', 3)}DETAIL`];
  for (const state of states) {
    lines.push(
      `${pad(state.name, nameWidth)}${pad(state.state, 9)}${pad(String(state.attempt), 3)}${detailOf(state)}`,
    );
  }
  return `${lines.join('\n').replace(/ +$/gm, '')}\n`;
}

/**
 * A running agent without a local process: dispatched through `axe.queue` (`queued` until a worker takes it,
 * then `on <host> (pid N)` from its `worker.json`), or one whose process is still starting.
 */
function remoteDetailOf(state: AgentState): string {
  const worker = readJsonIfExists(join(state.dir, 'worker.json')) as
    | { host?: unknown; pid?: unknown }
    | undefined;
  if (worker !== undefined) return `on ${String(worker.host)} (worker pid ${String(worker.pid)})`;
  return existsSync(join(state.dir, 'queued.json')) ? 'queued: waiting for a worker' : 'starting';
}

function readJsonIfExists(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function detailOf(state: AgentState): string {
  switch (state.state) {
    case 'waiting':
      return state.isParked ? `parked: ${state.reason ?? ''}` : (state.reason ?? 'ready to start');
    case 'running':
      return state.pid === null ? remoteDetailOf(state) : `pid ${state.pid}`;
    case 'plan':
      return 'plan awaiting approval: sase plan list';
    case 'completed':
      return state.exitCode === null ? '' : `exit ${state.exitCode}`;
    default:
      return state.error ?? (state.exitCode === null ? '' : `exit ${state.exitCode}`);
  }
}

/** True when the agent ended with an outcome that satisfies a `%wait` (`completed`, `noop`): exit code 0. */
export function isSucceeded(state: AgentState): boolean {
  return hasOutcome(state) && isWaitSatisfying(state.state as Parameters<typeof isWaitSatisfying>[0]);
}
