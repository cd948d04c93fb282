export type { ShellContextMode, ShellSettings } from './shell.js';
export { createShell, SHELL_CONTEXT_FILE_NAME, SHELL_OVERRIDE_VARIABLE, shell } from './shell.js';
