import { SchedulerError } from './scheduler-error.js';

const AGENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,99}$/;

/**
 * An agent name is also a directory name under `.sase/agents/`: 1 to 100 characters from letters, digits,
 * `.`, `_`, `+` and `-`, not starting with `.` or `-`, and never containing `..` (so no path can escape
 * the registry). Bead ids such as `myapp-7.1` are valid names.
 */
export function isValidAgentName(name: string): boolean {
  return AGENT_NAME.test(name) && !name.includes('..');
}

export function assertValidAgentName(name: string): void {
  if (!isValidAgentName(name)) {
    throw new SchedulerError(
      'AGENT_NAME_INVALID',
      `invalid agent name ${JSON.stringify(name)}: use 1-100 letters, digits, ".", "_", "+" or "-", ` +
        'starting with a letter, digit or "_", without "/" or ".." (e.g. "fix-login" or "myapp-7.1")',
      { agentName: name },
    );
  }
}
