export type { ShellSettings } from './shell.js';
export { createShell, DEFAULT_SHELL_COMMAND, SHELL_OVERRIDE_VARIABLE, shell } from './shell.js';
