import { relative } from 'node:path';
import { listAgentWorkspaces, type RemovedAgentWorkspace, removeAgentWorkspace } from '@sase/workspace';
import { findWorkspace } from '@sase/workspace/config';
import { CliError } from '../../errors.js';
import { type CommandContext, printJson } from '../../io.js';

/** `sase workspace list [--json]` */
export async function workspaceList(options: CommandContext): Promise<number> {
  const workspace = await findWorkspace(options.cwd);
  const infos = await listAgentWorkspaces(workspace.root);
  if (options.json) {
    printJson(
      options.io,
      infos.map((info) => ({
        agent: info.agentName,
        path: info.path,
        branch: info.branch,
        head: info.head,
        merged: info.isMerged,
        dirty: info.isDirty,
        registered: info.isRegistered,
      })),
    );
    return 0;
  }
  if (infos.length === 0) {
    options.io.stdout('no agent worktrees\n');
    return 0;
  }
  const width = Math.max(5, ...infos.map((info) => info.agentName.length));
  const lines = [
    `${'AGENT'.padEnd(width)}  BRANCH${' '.repeat(Math.max(0, width + 5 - 6))}  HEAD          STATE`,
  ];
  for (const info of infos) {
    const state = [
      info.isRegistered ? undefined : 'not a worktree (prunable)',
      info.isMerged ? 'merged' : 'unmerged',
      info.isDirty ? 'uncommitted changes' : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `${info.agentName.padEnd(width)}  ${(info.branch ?? '-').padEnd(width + 5)}  ${(info.head ?? '-').slice(0, 12).padEnd(12)}  ${state}`,
    );
  }
  options.io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

/** `sase workspace rm <agent>... | --merged [--force] [--keep-branch]` */
export async function workspaceRm(
  options: CommandContext & {
    agents: string[];
    isMergedOnly: boolean;
    isForced: boolean;
    isBranchKept: boolean;
  },
): Promise<number> {
  if (options.agents.length === 0 && !options.isMergedOnly) {
    throw new CliError('USAGE', 'name the agents whose worktrees to remove, or pass --merged', 2);
  }
  const workspace = await findWorkspace(options.cwd);
  let agents = options.agents;
  if (options.isMergedOnly) {
    const merged = (await listAgentWorkspaces(workspace.root)).filter(
      (info) => info.isMerged && !info.isDirty,
    );
    agents = [...new Set([...agents, ...merged.map((info) => info.agentName)])];
  }
  const removed: RemovedAgentWorkspace[] = [];
  for (const agentName of agents) {
    removed.push(
      await removeAgentWorkspace({
        root: workspace.root,
        agentName,
        isForced: options.isForced,
        isBranchDeleted: !options.isBranchKept,
      }),
    );
  }
  if (options.json) {
    printJson(
      options.io,
      removed.map((entry) => ({
        agent: entry.agentName,
        path: entry.path,
        branch: entry.branch,
        branch_deleted: entry.isBranchDeleted,
      })),
    );
    return 0;
  }
  if (removed.length === 0) options.io.stdout('nothing to remove\n');
  for (const entry of removed) {
    options.io.stdout(
      `removed ${relative(options.cwd, entry.path) || entry.path}${entry.isBranchDeleted ? ` and branch ${entry.branch}` : ` (branch ${entry.branch} kept)`}\n`,
    );
  }
  return 0;
}
