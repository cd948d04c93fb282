import type { Command } from '../../commander.js';
import type { CliRuntime } from '../../runtime.js';

/** `sase workspace list|rm`: the agents' git worktrees under .sase/workspaces/. */
export function registerWorkspace(program: Command, runtime: CliRuntime): void {
  const workspace = program
    .command('workspace')
    .description("agents' git worktrees (.sase/workspaces/<agent>/, branch sase/<agent>)");

  workspace
    .command('list')
    .description('every agent worktree: branch, head, whether it is merged, uncommitted changes')
    .option('--json', 'print an array of {agent, path, branch, head, merged, dirty, registered}')
    .action(runtime.run(async ({ context }) => (await import('./workspace.js')).workspaceList(context)));

  workspace
    .command('rm')
    .description('remove agent worktrees and their branches (never unmerged commits without --force)')
    .argument('[agents...]', 'the agents whose worktrees to remove')
    .option('--merged', 'every worktree whose branch is merged into the checked-out branch')
    .option('--force', 'also drop uncommitted changes and unmerged commits')
    .option('--keep-branch', 'remove the worktree but keep its branch')
    .option('--json', 'print what was removed')
    .action(
      runtime.run(async ({ args, options, context }) =>
        (await import('./workspace.js')).workspaceRm({
          ...context,
          agents: (args[0] as string[] | undefined) ?? [],
          isMergedOnly: Boolean(options.merged),
          isForced: Boolean(options.force),
          isBranchKept: Boolean(options.keepBranch),
        }),
      ),
    );
}
