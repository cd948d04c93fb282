import type { Command } from '../../commander.js';
import type { CliRuntime } from '../../runtime.js';

/** `sase launchers`: the installed launcher adapters and whether each one's executable is found. */
export function registerLaunchers(program: Command, runtime: CliRuntime): void {
  program
    .command('launchers')
    .description(
      'list the launchers (shell, claude, codex, gemini, ...) and whether each executable is found',
    )
    .option(
      '--json',
      'print an array of {id, package, default, executable, found, path, override_variable, error}',
    )
    .action(runtime.run(async ({ context }) => (await import('./launchers.js')).launchers({ ...context })));
}
