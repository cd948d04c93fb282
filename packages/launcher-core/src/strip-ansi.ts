/**
 * ANSI escape sequences: CSI (`ESC [ … final`, also the 8-bit `\x9b` form: colours, cursor moves), OSC (`ESC ] …`
 * ended by BEL or `ESC \`: titles, hyperlinks) and the other two-character escapes (`ESC M`, `ESC 7`, …).
 */
const ANSI_PATTERN =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/**
 * Removes ANSI escape sequences (colours, cursor movement, hyperlinks, titles) from a CLI's text, for error
 * messages that end up in `done.json` and on a terminal that did not ask for them. Everything else is kept.
 */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}
