import type { Command } from '../../commander.js';
import type { CliRuntime } from '../../runtime.js';

/** `sase run`: start one agent now, in the foreground. Its module (xprompt, scheduler, an adapter) loads lazily. */
export function registerRun(program: Command, runtime: CliRuntime): void {
  program
    .command('run')
    .description('expand a prompt and run one agent now, in the foreground; exit 0 only when it completes')
    .argument('[prompt...]', 'the prompt (words are joined by spaces); - reads it from stdin')
    .option('-f, --file <file>', 'read the prompt from a file (- is stdin)')
    .option(
      '-l, --launcher <id>',
      'the launcher: shell, claude, codex, gemini (default: sase.yml launcher.default)',
    )
    .option(
      '-m, --model <model>',
      'the model, or a models.aliases entry naming launcher/model (overrides %model)',
    )
    .option(
      '-n, --name <name>',
      'the agent name (overrides %name; default: a slug of the prompt, e.g. fix-the-login-1)',
    )
    .option(
      '--wait',
      'multi-prompts (or %wait / %time): stay until every agent is settled; exit 0 only if all completed',
    )
    .option(
      '--worktree',
      'run in a git worktree of its own (.sase/workspaces/NAME on branch sase/NAME), committed and checked ' +
        'like a bead agent (default: sase.yml agents.workspace)',
    )
    .option('--no-worktree', 'run in the current checkout even if sase.yml sets agents.workspace: worktree')
    .option('--json', 'print the done record {name, outcome, exit_code, ...} instead of streaming output')
    .action(
      runtime.run(async ({ args, options, context }) => {
        const words = (args[0] as string[] | undefined) ?? [];
        return (await import('./run.js')).run({
          ...context,
          ...(words.length === 0 ? {} : { prompt: words.join(' ') }),
          ...(options.file === undefined ? {} : { file: options.file as string }),
          ...(options.launcher === undefined ? {} : { launcher: options.launcher as string }),
          ...(options.model === undefined ? {} : { model: options.model as string }),
          ...(options.name === undefined ? {} : { name: options.name as string }),
          wait: Boolean(options.wait),
          ...(options.worktree === undefined ? {} : { worktree: Boolean(options.worktree) }),
        });
      }),
    );
}
