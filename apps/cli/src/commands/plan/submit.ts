import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatDiagnostic, type PlanTier, submitPlan } from '@sase/sdd';
import { CliError } from '../../errors.js';
import type { CommandContext } from '../../io.js';
import { openSdd, readStream } from '../sdd/open-sdd.js';
import { CLI_BUILTIN_XPROMPTS } from '../xprompt/load-workspace-catalog.js';

export interface PlanSubmitOptions extends CommandContext {
  /** The plan file, or `-` for stdin. */
  file: string;
  tier: string;
  /** The prompt file, or `-` for stdin. */
  prompt?: string;
  name?: string;
  /** A Markdown file of `Q:` / `A:` pairs. */
  qa?: string;
  model?: string;
  /** `--agent NAME`: submitted by that running `%plan` agent (see submitAgentPlan). */
  agent?: string;
  /** Default process.env: HOME (refresh pulse, ~/.xprompts), SASE_ARTIFACTS_DIR, git author. */
  env?: NodeJS.ProcessEnv;
  /** Reads stdin for a `-` argument. Default: process.stdin. */
  readStdin?: () => Promise<string>;
}

/**
 * `sase plan submit PLAN.md --tier tale|epic|legend [--prompt FILE|-] [--name NAME] [--qa FILE] [--model M]`:
 * writes the expanded prompt snapshot and the plan, cross-linked, as a new plan or the next round of the plan
 * of that name; commits in the standalone SDD repository; touches ~/.sase/.ace_refresh_pulse.
 */
export async function planSubmit(options: PlanSubmitOptions): Promise<number> {
  const env = options.env ?? process.env;
  if (options.file === '-' && options.prompt === '-') {
    throw new CliError('INVALID_INPUT', 'only one of PLAN and --prompt can be read from stdin ("-")');
  }
  const readStdin = options.readStdin ?? (() => readStream(process.stdin));
  const read = async (file: string, what: string) => {
    if (file === '-') return readStdin();
    const path = resolve(options.cwd, file);
    if (!existsSync(path)) throw new CliError('FILE_NOT_FOUND', `${what} file ${path} does not exist`);
    return readFileSync(path, 'utf8');
  };
  const planText = await read(options.file, 'plan');
  const promptText = options.prompt === undefined ? undefined : await read(options.prompt, 'prompt');
  const questionsAndAnswers = options.qa === undefined ? undefined : await read(options.qa, 'Q&A');
  const artifactsPrompt = env.SASE_ARTIFACTS_DIR ? join(env.SASE_ARTIFACTS_DIR, 'prompt.md') : undefined;
  const home = env.HOME || homedir();

  const { store, workspace } = await openSdd(options.cwd, env);
  if (options.agent !== undefined && promptText !== undefined) {
    throw new CliError(
      'INVALID_INPUT',
      "--agent takes the agent's own prompt as the snapshot: drop --prompt",
    );
  }
  const result =
    options.agent !== undefined
      ? await (await import('@sase/workspace')).submitAgentPlan({
          workspace,
          agent: options.agent,
          planText,
          planFile: options.file === '-' ? '-' : options.file,
          tier: options.tier as PlanTier,
          ...(options.name !== undefined ? { name: options.name } : {}),
          ...(questionsAndAnswers !== undefined
            ? {
                questionsAndAnswers,
                ...(options.qa === undefined ? {} : { questionsAndAnswersFile: options.qa }),
              }
            : {}),
          ...(options.model ? { model: options.model } : {}),
          env,
        })
      : await submitPlan({
          store,
          planText,
          planFile: options.file === '-' ? '-' : options.file,
          tier: options.tier as PlanTier,
          ...(options.name !== undefined ? { name: options.name } : {}),
          ...(promptText !== undefined
            ? { promptText, promptFile: options.prompt === '-' ? '<stdin>' : options.prompt }
            : {}),
          ...(artifactsPrompt && existsSync(artifactsPrompt)
            ? { defaultPrompt: { text: readFileSync(artifactsPrompt, 'utf8'), file: artifactsPrompt } }
            : {}),
          ...(questionsAndAnswers !== undefined
            ? { questionsAndAnswers, questionsAndAnswersFile: options.qa }
            : {}),
          ...(options.model ? { model: options.model } : {}),
          promptExpansion: { homeDirectory: home, builtins: CLI_BUILTIN_XPROMPTS },
          refreshPulseFile: join(home, '.sase', '.ace_refresh_pulse'),
        });

  for (const warning of result.warnings) options.io.stderr(`sase: ${formatDiagnostic(warning)}\n`);
  const plan = store.workspacePath(result.plan);
  const prompt = store.workspacePath(result.prompt);
  if (options.json) {
    options.io.stdout(
      `${JSON.stringify({ plan, prompt, name: result.name, tier: result.tier, round: result.round, commit: result.commit ?? null })}\n`,
    );
  } else {
    options.io.stdout(`plan    ${plan} (${result.tier}, round ${result.round})\nprompt  ${prompt}\n`);
  }
  return 0;
}
