/**
 * The agent-name grammar of `@sase/scheduler` (its `isValidAgentName`), duplicated because this package depends
 * on no other SASE package; a scheduler test runs one table of names (and random ones) through both and checks
 * that they agree. An agent name becomes a directory name under `.sase/agents/`: 1 to 100 letters, digits, `.`,
 * `_`, `+` and `-`, not starting with `.` or `-`, and never containing `..` (nor `/`).
 */
const AGENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,99}$/;

/** The grammar in words, for diagnostics. */
export const AGENT_NAME_RULE =
  "1-100 letters, digits, '.', '_', '+' or '-', starting with a letter, digit or '_', without '/' or '..'";

/** True for a name `%name` and `%wait` accept: the scheduler accepts exactly the same names. */
export function isValidAgentName(name: string): boolean {
  return AGENT_NAME.test(name) && !name.includes('..');
}
