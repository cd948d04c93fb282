import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import type { Bead } from '@sase/beads';
import { CliError } from '../../errors.js';
import type { CommandContext } from '../../io.js';
import { formatBeadTable, recordLine, withStore } from './shared.js';

export interface BeadClaimOptions extends CommandContext {
  /** The bead to claim; absent with `next`. */
  id?: string;
  /** Claim the first ready bead instead. */
  next?: boolean;
  /** Who claims (default: see defaultAssignee). */
  assignee?: string;
  /** Where SASE_AGENT_NAME and USER are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Exit code of `claim --next` when nothing is ready: not an error, but not a claim either. */
export const NOTHING_READY_EXIT = 3;

/**
 * `sase bead claim ID [--assignee NAME]` and `sase bead claim --next [--assignee NAME]`: atomically moves an
 * open bead (or the first ready one) to in_progress for NAME. A bead someone else holds is refused
 * (ALREADY_CLAIMED, exit 1); nothing ready to claim exits 3.
 */
export async function beadClaim(options: BeadClaimOptions): Promise<number> {
  if (Boolean(options.id) === Boolean(options.next)) {
    throw new CliError(
      'USAGE',
      options.next
        ? 'give a bead id or --next, not both'
        : 'say which bead: sase bead claim <id>, or sase bead claim --next for the first ready one',
      2,
    );
  }
  return withStore(options, (store, workspace) => {
    const assignee = options.assignee ?? defaultAssignee(workspace.root, options.env ?? process.env);
    let bead: Bead;
    let isAlreadyHeld = false;
    if (options.id !== undefined) {
      const id = options.id;
      [bead, isAlreadyHeld] = store.batch((s) => {
        const before = s.get(id);
        return [
          s.claim(before.id, assignee),
          before.status === 'in_progress' && before.assignee === assignee,
        ];
      });
    } else {
      const next = store.claimNext(assignee);
      if (next === undefined) {
        const stats = store.stats();
        throw new CliError(
          'NOTHING_READY',
          `nothing is ready to claim: ${stats.blocked} open bead(s) wait on a blocker (\`sase bead blocked\` shows which) and ${stats.byStatus.in_progress} are in progress`,
          NOTHING_READY_EXIT,
        );
      }
      bead = next;
    }
    if (options.json) options.io.stdout(`${recordLine(bead)}\n`);
    else
      options.io.stdout(
        `${isAlreadyHeld ? `already claimed by ${assignee}: ` : `claimed for ${assignee}: `}${formatBeadTable([bead])}`,
      );
    return 0;
  });
}

/**
 * Who claims when --assignee is not given: $SASE_AGENT_NAME (set in every agent SASE launches), else git's
 * user.name as the workspace sees it (its repository's config, then the global one), else the login name.
 */
export function defaultAssignee(root: string, env: NodeJS.ProcessEnv): string {
  const agent = env.SASE_AGENT_NAME?.trim();
  if (agent) return agent;
  try {
    const name = execFileSync('git', ['config', 'user.name'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (name) return name;
  } catch {
    // no git, or no user.name: fall through
  }
  const user = env.USER?.trim() || safeUserName();
  if (user) return user;
  throw new CliError(
    'INVALID_INPUT',
    'cannot tell who claims: pass --assignee NAME (or set SASE_AGENT_NAME, or git config user.name)',
  );
}

function safeUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
