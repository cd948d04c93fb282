import type { ChangeSpec, ChangeStatus } from '@sase/sdd';
import {
  type ChangeEntry,
  changeDiff,
  commentAuthor,
  commentOnChange,
  formatChangeJson,
  landEpic,
  listChanges,
  readChange,
  reviewChange,
  setChangeStatus,
} from '@sase/workspace';
import { findWorkspace } from '@sase/workspace/config';
import { CliError } from '../../errors.js';
import { type CommandContext, printJson } from '../../io.js';

const STATUSES: readonly string[] = ['wip', 'draft', 'ready', 'mailed', 'submitted', 'reverted', 'archived'];

function checksOf(change: ChangeSpec): string {
  if (change.hooks.length === 0) return '';
  return change.hooks
    .map((hook) => {
      const last = hook.runs.at(-1);
      return `${hook.name} ${last === undefined ? 'not run' : last.status}`;
    })
    .join(', ');
}

/** `sase change list [--status S] [--json]` */
export async function changeList(options: CommandContext & { status?: string }): Promise<number> {
  const workspace = await findWorkspace(options.cwd);
  const entries = await listChanges(workspace, {
    ...(options.status === undefined ? {} : { status: options.status as ChangeStatus }),
  });
  if (options.json) {
    printJson(options.io, entries.map(formatChangeJson));
    return 0;
  }
  if (entries.length === 0) {
    options.io.stdout(options.status === undefined ? 'no changes\n' : `no ${options.status} changes\n`);
    return 0;
  }
  const width = Math.max(4, ...entries.map((entry) => entry.change.name.length));
  const lines = [`${'NAME'.padEnd(width)}  STATUS     COMMITS  CHECKS`];
  for (const { change } of entries) {
    lines.push(
      `${change.name.padEnd(width)}  ${change.status.padEnd(9)}  ${String(change.commits.length).padEnd(7)}  ${checksOf(change)}`.trimEnd(),
    );
  }
  options.io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

function formatChange(entry: ChangeEntry): string {
  const { change } = entry;
  const lines = [
    `${change.name}: ${change.description}`,
    `  status  ${change.status}`,
    `  branch  ${change.branch} (from ${change.base.slice(0, 12)})`,
    ...(change.bead === null ? [] : [`  bead    ${change.bead}`]),
    ...(change.plan === null ? [] : [`  plan    ${change.plan}`]),
    ...(change.parent.length === 0 ? [] : [`  parent  ${change.parent.join(', ')}`]),
    `  file    ${entry.path}`,
    '',
    'commits:',
    ...(change.commits.length === 0
      ? ['  (none)']
      : change.commits.flatMap((commit) => [
          `  ${commit.sha.slice(0, 12)} ${commit.subject}`,
          ...(commit.diff === null ? [] : [`    DIFF: ${commit.diff}`]),
          ...(commit.chat === null ? [] : [`    CHAT: ${commit.chat}`]),
          ...(commit.plan === null ? [] : [`    PLAN: ${commit.plan}`]),
        ])),
    '',
    'checks:',
    ...(change.hooks.length === 0
      ? ['  (none)']
      : change.hooks.flatMap((hook) =>
          hook.runs.map(
            (run) =>
              `  ${hook.name} #${run.number} ${run.status}${run.exitCode === null ? '' : ` (exit ${run.exitCode})`} ${run.durationMs} ms, attempt ${run.attempt ?? '?'} — log: ${run.log}`,
          ),
        )),
    ...((change.mentors ?? []).length === 0
      ? []
      : [
          '',
          'mentors:',
          ...(change.mentors ?? []).map(
            (review) =>
              `  ${review.time} ${review.mentor} ${review.verdict} on ${review.commit?.slice(0, 12) ?? '?'}: ${review.text.split('\n')[0]}`,
          ),
        ]),
    ...(change.comments.length === 0
      ? []
      : [
          '',
          'comments:',
          ...change.comments.map((comment) => `  ${comment.time} ${comment.author}: ${comment.text}`),
        ]),
    '',
    'history:',
    ...change.timestamps.map((stamp) => `  ${stamp.time} ${stamp.status}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** `sase change show <name> [--json]` */
export async function changeShow(options: CommandContext & { name: string }): Promise<number> {
  const workspace = await findWorkspace(options.cwd);
  const entry = await readChange(workspace, options.name);
  if (options.json) printJson(options.io, formatChangeJson(entry));
  else options.io.stdout(formatChange(entry));
  return 0;
}

/** `sase change diff <name>` */
export async function changeDiffCommand(options: CommandContext & { name: string }): Promise<number> {
  const workspace = await findWorkspace(options.cwd);
  const diff = await changeDiff(workspace, options.name);
  if (options.json) printJson(options.io, { name: options.name, diff });
  else options.io.stdout(diff);
  return 0;
}

/** `sase change status <name> <status>` */
export async function changeStatus(
  options: CommandContext & { name: string; status: string },
): Promise<number> {
  if (!STATUSES.includes(options.status)) {
    throw new CliError(
      'USAGE',
      `unknown status "${options.status}"; a change is one of ${STATUSES.join(', ')}`,
      2,
    );
  }
  const workspace = await findWorkspace(options.cwd);
  const change = await setChangeStatus(workspace, options.name, options.status as ChangeStatus);
  if (options.json) printJson(options.io, formatChangeJson({ path: '', change }));
  else options.io.stdout(`${change.name}: ${change.status}\n`);
  return 0;
}

/** `sase change comment <name> <text>` */
export async function changeComment(
  options: CommandContext & { name: string; text: string },
): Promise<number> {
  const workspace = await findWorkspace(options.cwd);
  const change = await commentOnChange(workspace, options.name, options.text, await commentAuthor(workspace));
  if (options.json) printJson(options.io, formatChangeJson({ path: '', change }));
  else options.io.stdout(`${change.name}: comment added (${change.comments.length} in all)\n`);
  return 0;
}

/** `sase change review <name> --mentor M --approve|--request-changes -m TEXT [--json]` */
export async function changeReview(
  options: CommandContext & {
    name: string;
    mentor: string;
    isApproved: boolean;
    isChangeRequested: boolean;
    message: string;
  },
): Promise<number> {
  if (options.isApproved === options.isChangeRequested) {
    throw new CliError('USAGE', 'give one verdict: --approve or --request-changes', 2);
  }
  const workspace = await findWorkspace(options.cwd);
  const change = await reviewChange({
    workspace,
    change: options.name,
    mentor: options.mentor,
    verdict: options.isApproved ? 'approve' : 'request_changes',
    text: options.message,
  });
  if (options.json) printJson(options.io, formatChangeJson({ path: '', change }));
  else
    options.io.stdout(
      `${change.name}: mentor ${options.mentor} ${options.isApproved ? 'approves' : 'requests changes'}\n`,
    );
  return 0;
}

/** `sase change land <epic> [--json]` */
export async function changeLand(options: CommandContext & { epic: string }): Promise<number> {
  const workspace = await findWorkspace(options.cwd);
  const result = await landEpic(workspace, options.epic);
  if (options.json) {
    printJson(options.io, {
      epic: result.epic,
      branch: result.branch,
      landed: result.landed,
      skipped: result.skipped,
      removed: result.removed,
      deleted_branches: result.deletedBranches,
      epic_closed: result.isEpicClosed,
    });
    return 0;
  }
  for (const phase of result.landed) {
    options.io.stdout(
      phase.commit === null
        ? `${phase.bead}  ${phase.branch} was in ${result.branch} already\n`
        : `${phase.bead}  merged ${phase.branch} into ${result.branch} (${phase.commit.slice(0, 12)})\n`,
    );
  }
  for (const phase of result.skipped) options.io.stdout(`${phase.bead}  skipped: ${phase.reason}\n`);
  options.io.stderr(
    `sase: landed ${result.landed.length} change(s) of ${result.epic} on ${result.branch}` +
      (result.isEpicClosed ? `; ${result.epic} closed` : '') +
      (result.removed.length > 0 ? `; removed ${result.removed.length} worktree(s)` : '') +
      '\n',
  );
  return 0;
}
