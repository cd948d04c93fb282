import { formatAgentState, readSupervisorStatus, waitForAgent } from '@sase/scheduler';
import { CliError } from '../../errors.js';
import type { CommandContext } from '../../io.js';
import { printJson } from '../../io.js';
import { detailOf, isSucceeded, openAgentWorkspace } from '../axe/workspace-supervisor.js';

/**
 * `sase agent wait NAME [--timeout SECONDS] [--json]`: blocks until the agent has an outcome; exits 0 only
 * for an outcome that satisfies `%wait` (`completed`, `noop`, ...) and for `plan` (awaiting approval); 1 for
 * failed, killed or rejected, 124 on timeout. A parked agent keeps it waiting (a retry of what
 * it waits on may still let it run); that is said once on stderr.
 */
export async function agentWait(
  options: CommandContext & { name: string; timeoutSeconds?: number | string; signal?: AbortSignal },
): Promise<number> {
  const timeoutSeconds = options.timeoutSeconds === undefined ? undefined : Number(options.timeoutSeconds);
  if (timeoutSeconds !== undefined && !(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0)) {
    throw new CliError(
      'INVALID_INPUT',
      `--timeout must be a number of seconds such as 60, not "${options.timeoutSeconds}"`,
      2,
    );
  }
  const { registry, root } = await openAgentWorkspace(options.cwd);
  let isWarned = false;
  const state = await waitForAgent(registry, options.name, {
    ...(timeoutSeconds === undefined ? {} : { timeoutMs: timeoutSeconds * 1000 }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onChange: ([current]) => {
      if (current === undefined || isWarned || options.json) return;
      if (current.isParked) {
        isWarned = true;
        options.io.stderr(`sase: ${current.name} is parked (${current.reason}); waiting for a retry\n`);
      } else if (current.state === 'waiting' && !readSupervisorStatus(root).isRunning) {
        isWarned = true;
        options.io.stderr('sase: no supervisor runs, so nothing will start it; run `sase axe start`\n');
      }
    },
  });
  if (options.json) {
    printJson(options.io, {
      ...formatAgentState(state),
      exit_code: state.exitCode,
      error: state.error,
      finished_at: state.finishedAt,
    });
  } else {
    const detail = detailOf(state);
    options.io.stdout(`${state.name} ${state.state}${detail ? ` (${detail})` : ''}\n`);
  }
  // A plan awaiting approval is no failure: the agent stopped where it should, and a person decides next.
  return isSucceeded(state) || state.state === 'plan' ? 0 : 1;
}
