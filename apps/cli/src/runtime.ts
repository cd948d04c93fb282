import type { Command } from './commander.js';
import type { CliIo, CommandContext } from './io.js';

/** What a command action receives: its positional arguments, its options, and the shared context. */
export interface ActionInput {
  args: unknown[];
  // biome-ignore lint/suspicious/noExplicitAny: commander's options are untyped until a command module reads them.
  options: Record<string, any>;
  context: CommandContext;
}

export type ActionHandler = (input: ActionInput) => Promise<number | undefined>;

/**
 * Shared by every command group's register function. `run` turns a handler into a commander action that
 * records the exit code instead of exiting, so `main()` can be called in-process by tests.
 */
export class CliRuntime {
  exitCode = 0;
  constructor(
    readonly io: CliIo,
    readonly cwd: () => string,
  ) {}

  run(handler: ActionHandler): (...all: unknown[]) => Promise<void> {
    return async (...all: unknown[]) => {
      const command = all.at(-1) as Command;
      const options = command.opts();
      const args = all.slice(0, -2);
      const context: CommandContext = { cwd: this.cwd(), io: this.io, json: Boolean(options.json) };
      const code = await handler({ args, options, context });
      this.exitCode = typeof code === 'number' ? code : 0;
    };
  }
}

/** Collects a repeatable option (`-s open -s closed`) or a comma list into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  ];
}
