import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { findWorkspace } from '@sase/workspace/config';
import { CliError } from '../../errors.js';
import { type CommandContext, printJson } from '../../io.js';
import { renderOnce } from './frame.js';
import { elapsedMsOf, emptyView, groupAgents, TABS, type TabName } from './model.js';
import { createWorkspaceReader } from './workspace-reader.js';

export interface AceOptions extends CommandContext {
  /** Print one frame of the Agents tab as plain text and exit (also what happens without a terminal). */
  isOnce?: boolean;
  /** The width of that frame (default $COLUMNS, else 80). */
  width?: string | number;
  /** Include `%hide` agents. */
  isAll?: boolean;
  /** The tab to open on. */
  tab?: string;
  env?: NodeJS.ProcessEnv;
}

/** NO_COLOR (https://no-color.org): set and not empty means no colour. */
export function isColorDisabled(env: NodeJS.ProcessEnv): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}

function widthOf(options: AceOptions, env: NodeJS.ProcessEnv): number {
  const given = options.width ?? env.COLUMNS;
  if (given === undefined || given === '') return 80;
  const width = Number(given);
  if (!Number.isInteger(width) || width < 20 || width > 1000) {
    if (options.width === undefined) return 80; // a strange $COLUMNS is ignored
    throw new CliError(
      'INVALID_INPUT',
      `--width must be a whole number of columns from 20 to 1000, not "${given}"`,
      2,
    );
  }
  return width;
}

/**
 * CI variables make ink print only the last frame (is-in-ci, read when ink loads): the view is interactive
 * on a terminal whatever the environment says, so they are hidden while ink loads.
 */
async function importApp(): Promise<typeof import('./app.js')> {
  const hidden = new Map<string, string>();
  for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) {
    const value = process.env[name];
    if (value !== undefined) {
      hidden.set(name, value);
      delete process.env[name];
    }
  }
  try {
    return await import('./app.js');
  } finally {
    for (const [name, value] of hidden) process.env[name] = value;
  }
}

/**
 * `sase ace [--once] [--width N] [--json] [--all] [--tab NAME]`: the full-screen view of the workspace
 * (agents, beads, plans, changes) with keys to approve, reject, retry and kill; `--once` (or no terminal)
 * prints the Agents tab once as plain text.
 */
export async function ace(options: AceOptions): Promise<number> {
  const env = options.env ?? process.env;
  const tab = options.tab ?? 'agents';
  if (!TABS.includes(tab as TabName)) {
    throw new CliError('INVALID_INPUT', `--tab must be one of ${TABS.join(', ')}, not "${tab}"`, 2);
  }
  const workspace = await findWorkspace(options.cwd);
  const isInteractive = !options.isOnce && !options.json && options.io.isTty && Boolean(process.stdin.isTTY);
  if (!isInteractive) {
    const width = widthOf(options, env);
    const reader = createWorkspaceReader(workspace, { isAll: options.isAll === true });
    try {
      const agents = reader.readAgents();
      const beads = reader.readBeads();
      const view = {
        ...emptyView(basename(workspace.root), workspace.root),
        agents: agents.agents,
        supervisor: agents.supervisor,
        beads: beads.beads,
      };
      const now = Date.now();
      if (options.json) {
        printJson(
          options.io,
          groupAgents(view.agents, view.beads).flatMap((group) =>
            group.agents.map((agent) => ({
              group: group.label,
              name: agent.name,
              state: agent.state,
              attempt: agent.attempt,
              waits_on: agent.waitsOn,
              reason: agent.reason,
              elapsed_ms: elapsedMsOf(agent, now),
              launcher: agent.launcher,
              model: agent.model,
            })),
          ),
        );
      } else {
        if (agents.problem) options.io.stderr(`sase: ${agents.problem}\n`);
        options.io.stdout(`${renderOnce(view, { width, now }).join('\n')}\n`);
      }
    } finally {
      reader.close();
    }
    return 0;
  }
  const { openAceSession } = await import('./session.js');
  const session = await openAceSession({
    workspace,
    pulseFile: join(env.HOME || homedir(), '.sase', '.ace_refresh_pulse'),
    isAll: options.isAll === true,
    env,
  });
  try {
    const { runAceApp } = await importApp();
    await runAceApp({ session, isColor: !isColorDisabled(env), initialTab: tab as TabName });
  } finally {
    session.close();
  }
  return 0;
}
