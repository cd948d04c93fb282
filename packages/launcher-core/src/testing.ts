/**
 * `@sase/launcher-core/testing`: the launcher-v1 conformance suite (vitest) and the helpers adapter tests use.
 * vitest is an optional peer dependency, needed only by this entry point.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FinishContext, LaunchEventInput, OutputMapper } from './create-launcher-run.js';
import { MODEL_NAME_PATTERN } from './create-launcher-run.js';
import { isProcessAlive as isAlive } from './internal/process-group.js';
import { isLauncherError } from './launcher-error.js';
import { composePrompt, formatPromptContext, PROMPT_CONTEXT_VARIABLE } from './prompt-context.js';
import type {
  LaunchEvent,
  LauncherV1,
  LaunchOutcome,
  LaunchRequest,
  LaunchRun,
  PromptSection,
} from './spec.js';
import { readTranscript, TRANSCRIPT_FILE_NAME } from './transcript.js';

/** The environment variable that tells a fake executable which scenario to play. */
export const FAKE_SCENARIO_VARIABLE = 'SASE_FAKE_SCENARIO';
/** The environment variable that tells a fake executable where to write what it received. */
export const FAKE_RECORD_VARIABLE = 'SASE_FAKE_RECORD';

/**
 * What a fake executable writes (atomically: temporary file + rename) to the file named by SASE_FAKE_RECORD,
 * after reading all of stdin and before printing anything.
 */
export interface FakeRecord {
  /** process.argv.slice(2): the arguments it was given. */
  argv: string[];
  /** Everything it read from stdin. */
  stdin: string;
  /** process.cwd(). */
  cwd: string;
  /** Every SASE_* variable of its environment. */
  env: Record<string, string>;
  /** Its own pid. */
  pid: number;
  /** The `hang` scenario starts a grandchild (which ignores SIGTERM) and records its pid here. */
  grandchild_pid?: number;
}

/** The situations the conformance suite plays. */
export type ConformanceScenario =
  | 'success'
  | 'errorResult'
  | 'nonZeroExit'
  | 'garbage'
  | 'midStreamDeath'
  | 'hang';

/**
 * The scenario names a fake executable is expected to understand (the value of SASE_FAKE_SCENARIO):
 * - `success`: prints the CLI's normal output and exits 0;
 * - `error-result`: prints the CLI's own error result but exits 0 (the adapter must still say `failed`);
 * - `exit-1`: writes a message to stderr and exits 1;
 * - `garbage`: prints non-JSON noise and a truncated JSON line, then exits 0;
 * - `die-mid-stream`: prints the start of a normal run, then kills itself with SIGKILL;
 * - `hang`: starts a grandchild that ignores SIGTERM, prints the start of a run, and waits forever.
 */
export const DEFAULT_FAKE_SCENARIOS: Readonly<Record<ConformanceScenario, string>> = {
  success: 'success',
  errorResult: 'error-result',
  nonZeroExit: 'exit-1',
  garbage: 'garbage',
  midStreamDeath: 'die-mid-stream',
  hang: 'hang',
};

export interface LauncherConformanceOptions {
  /** Shown in the describe() title. */
  name: string;
  /** Creates the launcher under test. Give it a short kill grace (e.g. 300 ms) to keep the suite quick. */
  createLauncher: () => LauncherV1;
  /** Absolute path of the fake executable. */
  fakeExecutable: string;
  /** The variable that overrides the launcher's executable; the suite sets it to `fakeExecutable` in request.env. */
  overrideVariable: string;
  /**
   * Scenario names, when they differ from DEFAULT_FAKE_SCENARIOS; `null` skips a scenario that cannot apply
   * (a plain shell command has no structured error result, and garbage output is just output).
   */
  scenarios?: Partial<Record<ConformanceScenario, string | null>>;
  /** The final response text the `success` scenario must report; undefined skips that check. */
  expectedFinalText?: string;
  /**
   * How the adapter hands a request's `context` (its PromptSections) to the agent, which the suite then checks:
   * - `prompt`: appended to the prompt with composePrompt, on stdin or as one argv element (a model CLI);
   * - `file`: the prompt arrives unchanged, and SASE_PROMPT_CONTEXT names a file holding formatPromptContext's
   *   Markdown; without context the variable is unset (the shell launcher).
   * Either also checks that a malformed context is INVALID_REQUEST. Undefined checks only that a request with
   * context completes: a launcher may ignore the field.
   */
  promptContext?: 'prompt' | 'file';
  /** The longest a run may take before the test fails instead of hanging. Default 20 000 ms. */
  timeoutMs?: number;
}

/**
 * A prompt that a shell would mangle: command substitution, backticks, `;`, quotes, globs, variables, a leading
 * dash (an argv flag), tabs, trailing spaces, CRLF, non-ASCII text, and no trailing newline.
 */
export const HOSTILE_PROMPT = [
  '--version -p $(touch pwned-subshell)',
  'Fix the bug in `touch pwned-backtick` and then; touch pwned-semicolon',
  `It's "quoted" and 'single-quoted' \\ backslash \\n not-a-newline`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable, on purpose.
  '$HOME ${PATH} $((1+1)) * ? [a-z] ~ !! | cat > pwned-redirect & wait',
  '\ttab-indented   ',
  'carriage\r\nreturn',
  'ünïcødé ✓ 🚀 %name:not-a-directive #not-an-xprompt',
  '---',
  'end without newline',
].join('\n');

/** True while the process is alive (a zombie counts as dead). */
export function isProcessAlive(pid: number): boolean {
  return isAlive(pid);
}

/** Reads a fake executable's record, or undefined while it does not exist yet. */
export function readFakeRecord(path: string): FakeRecord | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as FakeRecord;
  } catch {
    return undefined;
  }
}

/** The events a mapper makes of a recorded JSONL output file, line by line, as the core feeds it. */
export function replayOutput(mapper: OutputMapper, file: string): LaunchEventInput[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .flatMap((line) => mapper.json?.(JSON.parse(line)) ?? []);
}

/** What a mapper's `finish` receives for a process that exited with `exitCode` (no signal, no stderr). */
export function exitedWith(exitCode: number | null, extra: Partial<FinishContext> = {}): FinishContext {
  return { exitCode, signal: null, stderrTail: '', textLineCount: 0, ...extra };
}

/** Polls until the fake's record exists (and `predicate` holds), failing after `timeoutMs`. */
export async function waitForFakeRecord(
  path: string,
  timeoutMs = 20_000,
  predicate: (record: FakeRecord) => boolean = () => true,
): Promise<FakeRecord> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const record = readFakeRecord(path);
    if (record !== undefined && predicate(record)) return record;
    await new Promise((resolveWait) => setTimeout(resolveWait, 20));
  }
  throw new Error(`the fake executable did not write ${path} within ${timeoutMs} ms`);
}

/**
 * Consumes a run's events and outcome. If it has not settled within `timeoutMs`, the run is killed and this
 * rejects, so a broken adapter fails its test instead of hanging it.
 */
export async function collectRun(
  run: LaunchRun,
  timeoutMs = 20_000,
): Promise<{ events: LaunchEvent[]; outcome: LaunchOutcome }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.kill('conformance timeout');
      reject(new Error(`the run did not settle within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const events: LaunchEvent[] = [];
    const consume = (async () => {
      for await (const event of run.events) events.push(event);
    })();
    await Promise.race([consume, timeout]);
    const outcome = await Promise.race([run.outcome, timeout]);
    return { events, outcome };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The context the conformance suite sends: a check's log tail and the previous attempt's error. */
const CONFORMANCE_CONTEXT: readonly PromptSection[] = [
  { title: 'Failing check', text: 'FAIL src/math.test.ts > add\n  expected 3, received 4\n' },
  { title: 'Previous attempt', text: 'The agent exited with code 1: `npm test` failed.' },
];

interface Case {
  root: string;
  workDir: string;
  artifactsDir: string;
  recordPath: string;
  request: LaunchRequest;
}

/**
 * Registers the launcher-v1 conformance tests (vitest `describe`/`it`) for one adapter. The adapter is run
 * against `fakeExecutable` (selected through `overrideVariable`), which must follow the fake protocol: read all of
 * stdin, write a FakeRecord to $SASE_FAKE_RECORD, then play $SASE_FAKE_SCENARIO (see DEFAULT_FAKE_SCENARIOS).
 *
 * It checks: the prompt arrives byte for byte and no shell interprets it; the SASE_* environment and the working
 * directory; exactly one outcome, last, equal to the promise; completed / failed / killed mapping, including an
 * error result with exit code 0, garbage output and death mid-stream (never a hang); that abort, kill() and
 * timeoutMs kill the whole process group, a grandchild included; the transcript; that a missing executable
 * is a LauncherError EXECUTABLE_NOT_FOUND naming the override variable; that a request with `context` completes
 * and, with `promptContext`, that the context reaches the agent the way the adapter says.
 */
export function runLauncherConformance(options: LauncherConformanceOptions): void {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const testTimeout = timeoutMs + 10_000;
  const scenarios = { ...DEFAULT_FAKE_SCENARIOS, ...options.scenarios };
  let root = '';
  let counter = 0;

  const createCase = (scenario: string, overrides: Partial<LaunchRequest> = {}): Case => {
    counter += 1;
    const caseRoot = join(root, `case-${counter}`);
    const workDir = join(caseRoot, 'work');
    const artifactsDir = join(caseRoot, '.sase', 'agents', `agent-${counter}`);
    mkdirSync(workDir, { recursive: true });
    const recordPath = join(caseRoot, 'fake-record.json');
    const request: LaunchRequest = {
      agentName: `agent-${counter}`,
      prompt: 'Say hello.',
      cwd: workDir,
      artifactsDir,
      ...overrides,
      env: {
        [options.overrideVariable]: options.fakeExecutable,
        [FAKE_SCENARIO_VARIABLE]: scenario,
        [FAKE_RECORD_VARIABLE]: recordPath,
        ...overrides.env,
      },
    };
    return { root: caseRoot, workDir, artifactsDir, recordPath, request };
  };

  const launchCase = (scenario: string, overrides: Partial<LaunchRequest> = {}) => {
    const testCase = createCase(scenario, overrides);
    const run = options.createLauncher().launch(testCase.request);
    return { ...testCase, run };
  };

  const expectSingleOutcomeLast = (events: LaunchEvent[], outcome: LaunchOutcome): void => {
    const outcomes = events.filter((event) => event.type === 'outcome');
    expect(outcomes).toHaveLength(1);
    const last = events.at(-1);
    expect(last?.type).toBe('outcome');
    if (last?.type === 'outcome') expect(last.outcome).toEqual(outcome);
  };

  const itScenario = (
    key: ConformanceScenario,
    title: string,
    body: (scenario: string) => Promise<void>,
  ): void => {
    const scenario = scenarios[key];
    if (scenario === null || scenario === undefined) it.skip(`${title} (not applicable)`, () => {});
    else it(title, () => body(scenario), testTimeout);
  };

  describe(`${options.name}: launcher-v1 conformance`, () => {
    beforeAll(() => {
      root = realpathSync(mkdtempSync(join(tmpdir(), 'sase-conformance-')));
    });
    afterAll(() => {
      if (root !== '') rmSync(root, { recursive: true, force: true });
    });

    it('implements launcher-v1', () => {
      const launcher = options.createLauncher();
      expect(launcher.specificationVersion).toBe('launcher-v1');
      expect(typeof launcher.launcherId).toBe('string');
      expect(launcher.launcherId).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(typeof launcher.launch).toBe('function');
      if (launcher.locate !== undefined) {
        const location = launcher.locate();
        expect(typeof location.found).toBe('boolean');
        expect(typeof location.executable).toBe('string');
      }
      if ('resume' in launcher) expect(typeof launcher.resume).toBe('function');
      if (launcher.modelAliases !== undefined) {
        for (const [alias, model] of Object.entries(launcher.modelAliases)) {
          expect(alias, 'a model alias is a word without the @').toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
          expect(model, `the model of alias ${alias} must be a model name`).toMatch(MODEL_NAME_PATTERN);
        }
      }
    });

    itScenario(
      'success',
      'passes a hostile prompt byte for byte and never through a shell',
      async (scenario) => {
        const { run, recordPath, workDir } = launchCase(scenario, { prompt: HOSTILE_PROMPT });
        const { outcome } = await collectRun(run, timeoutMs);
        expect(outcome.outcome).toBe('completed');
        const record = readFakeRecord(recordPath);
        expect(record).toBeDefined();
        const isOnStdin = record?.stdin === HOSTILE_PROMPT;
        const isOneArgument = record?.argv.includes(HOSTILE_PROMPT) ?? false;
        expect(
          isOnStdin || isOneArgument,
          'the prompt must arrive unchanged on stdin or as one argv element',
        ).toBe(true);
        expect(readdirSync(workDir).filter((file) => file.startsWith('pwned'))).toEqual([]);
      },
    );

    itScenario('success', 'passes a 1 MiB prompt intact', async (scenario) => {
      const prompt = `${'0123456789abcdef'.repeat(65_536)}\nend`;
      const { run, recordPath } = launchCase(scenario, { prompt });
      const { outcome } = await collectRun(run, timeoutMs);
      expect(outcome.outcome).toBe('completed');
      const record = readFakeRecord(recordPath);
      expect(record?.stdin === prompt || (record?.argv.includes(prompt) ?? false)).toBe(true);
    });

    itScenario(
      'success',
      'exports SASE_AGENT_NAME, SASE_ARTIFACTS_DIR, SASE_BEAD_ID, SASE_MODEL and runs in cwd',
      async (scenario) => {
        const { run, recordPath, request, workDir } = launchCase(scenario, {
          agentName: 'myapp-7.1',
          beadId: 'myapp-7.1',
          model: 'conformance-model',
        });
        await collectRun(run, timeoutMs);
        const record = readFakeRecord(recordPath);
        expect(record?.env.SASE_AGENT_NAME).toBe('myapp-7.1');
        expect(record?.env.SASE_ARTIFACTS_DIR).toBe(resolve(request.artifactsDir));
        expect(record?.env.SASE_BEAD_ID).toBe('myapp-7.1');
        expect(record?.env.SASE_MODEL).toBe('conformance-model');
        expect(realpathSync(record?.cwd ?? '.')).toBe(realpathSync(workDir));
      },
    );

    itScenario('success', 'completes a request with context (notes beside the prompt)', async (scenario) => {
      const { run } = launchCase(scenario, { context: CONFORMANCE_CONTEXT });
      const { events, outcome } = await collectRun(run, timeoutMs);
      expectSingleOutcomeLast(events, outcome);
      expect(outcome.outcome).toBe('completed');
    });

    if (options.promptContext === 'prompt') {
      itScenario(
        'success',
        'appends the context to the prompt (composePrompt), on stdin or as one argv element',
        async (scenario) => {
          const prompt = 'Fix the failing test.\n';
          const { run, recordPath } = launchCase(scenario, { prompt, context: CONFORMANCE_CONTEXT });
          const { outcome } = await collectRun(run, timeoutMs);
          expect(outcome.outcome).toBe('completed');
          const record = readFakeRecord(recordPath);
          const composed = composePrompt(prompt, CONFORMANCE_CONTEXT);
          expect(
            record?.stdin === composed || (record?.argv.includes(composed) ?? false),
            'the prompt and its context must arrive as composePrompt(prompt, context)',
          ).toBe(true);
        },
      );
    }

    if (options.promptContext === 'file') {
      itScenario(
        'success',
        'hands the context over in the file named by SASE_PROMPT_CONTEXT; the prompt stays unchanged',
        async (scenario) => {
          const prompt = '#!/bin/sh\necho "a script, not Markdown"\n';
          const { run, recordPath } = launchCase(scenario, { prompt, context: CONFORMANCE_CONTEXT });
          const { outcome } = await collectRun(run, timeoutMs);
          expect(outcome.outcome).toBe('completed');
          const record = readFakeRecord(recordPath);
          expect(record?.stdin === prompt || (record?.argv.includes(prompt) ?? false)).toBe(true);
          const file = record?.env[PROMPT_CONTEXT_VARIABLE];
          expect(file, `${PROMPT_CONTEXT_VARIABLE} must name the context file`).toBeDefined();
          expect(isAbsolute(file as string)).toBe(true);
          expect(readFileSync(file as string, 'utf8')).toBe(formatPromptContext(CONFORMANCE_CONTEXT));
        },
      );

      itScenario('success', 'leaves SASE_PROMPT_CONTEXT unset without context', async (scenario) => {
        // A nested agent inherits its parent's variable; it must not reach this run.
        const inherited = process.env[PROMPT_CONTEXT_VARIABLE];
        process.env[PROMPT_CONTEXT_VARIABLE] = join(root, 'parent-context.md');
        let run: LaunchRun;
        let recordPath: string;
        try {
          ({ run, recordPath } = launchCase(scenario));
        } finally {
          if (inherited === undefined) delete process.env[PROMPT_CONTEXT_VARIABLE];
          else process.env[PROMPT_CONTEXT_VARIABLE] = inherited;
        }
        await collectRun(run, timeoutMs);
        expect(readFakeRecord(recordPath)?.env[PROMPT_CONTEXT_VARIABLE]).toBeUndefined();
      });
    }

    if (options.promptContext !== undefined) {
      it('a malformed context is INVALID_REQUEST', () => {
        const malformed: unknown[] = [
          'not a list',
          [{ title: '', text: 'x' }],
          [{ title: 'two\nlines', text: 'x' }],
          [{ title: 'No text' }],
        ];
        for (const context of malformed) {
          const testCase = createCase('success', { context: context as PromptSection[] });
          expect(() => options.createLauncher().launch(testCase.request)).toThrow(
            expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('context') }),
          );
        }
      });
    }

    itScenario('success', 'success: completed, exit code 0, one outcome event, last', async (scenario) => {
      const { run } = launchCase(scenario);
      const { events, outcome } = await collectRun(run, timeoutMs);
      expect(events[0]?.type).toBe('start');
      expectSingleOutcomeLast(events, outcome);
      expect(outcome.outcome).toBe('completed');
      expect(outcome.exitCode).toBe(0);
      expect(outcome.error).toBeUndefined();
      if (options.expectedFinalText !== undefined) expect(outcome.finalText).toBe(options.expectedFinalText);
      expect(typeof run.pid).toBe('number');
    });

    itScenario('success', 'writes transcript.jsonl: one line per event, in order', async (scenario) => {
      const { run, artifactsDir } = launchCase(scenario);
      const { events } = await collectRun(run, timeoutMs);
      expect(readTranscript(join(artifactsDir, TRANSCRIPT_FILE_NAME))).toEqual(events);
    });

    itScenario(
      'success',
      'replays its events to a late consumer; kill() after the outcome changes nothing',
      async (scenario) => {
        const { run } = launchCase(scenario);
        const first = await collectRun(run, timeoutMs);
        run.kill('too late');
        expect(await run.outcome).toEqual(first.outcome);
        const again: LaunchEvent[] = [];
        for await (const event of run.events) again.push(event);
        expect(again).toEqual(first.events);
      },
    );

    // Every way a run can fail without being killed: one outcome, last, 'failed', with a reason (and the
    // exit code where the scenario has a definite one).
    const failures: [ConformanceScenario, string, number | undefined][] = [
      ['errorResult', "an error result with exit code 0 is 'failed' with the CLI's reason", 0],
      ['nonZeroExit', "a non-zero exit is 'failed' with the exit code and a reason", 1],
      ['garbage', "garbage output is 'failed' with a reason, never a hang", undefined],
      ['midStreamDeath', "death mid-stream is 'failed' with a reason, never a hang", undefined],
    ];
    for (const [key, title, exitCode] of failures) {
      itScenario(key, title, async (scenario) => {
        const { run } = launchCase(scenario);
        const { events, outcome } = await collectRun(run, timeoutMs);
        expectSingleOutcomeLast(events, outcome);
        expect(outcome.outcome).toBe('failed');
        if (exitCode !== undefined) expect(outcome.exitCode).toBe(exitCode);
        expect(outcome.error).toMatch(/\S/);
      });
    }

    itScenario(
      'hang',
      "abort kills the whole process group (a grandchild too) and the outcome is 'killed'",
      async (scenario) => {
        const controller = new AbortController();
        const { run, recordPath } = launchCase(scenario, { signal: controller.signal });
        const record = await waitForFakeRecord(
          recordPath,
          timeoutMs,
          (value) => value.grandchild_pid !== undefined,
        );
        const grandchild = record.grandchild_pid as number;
        expect(isProcessAlive(record.pid)).toBe(true);
        expect(isProcessAlive(grandchild)).toBe(true);
        controller.abort();
        const { events, outcome } = await collectRun(run, timeoutMs);
        expectSingleOutcomeLast(events, outcome);
        expect(outcome.outcome).toBe('killed');
        expect(outcome.error).toBe('aborted');
        expect(isProcessAlive(record.pid)).toBe(false);
        expect(isProcessAlive(grandchild)).toBe(false);
      },
    );

    itScenario('hang', "kill(reason) is 'killed' with that reason", async (scenario) => {
      const { run, recordPath } = launchCase(scenario);
      const record = await waitForFakeRecord(
        recordPath,
        timeoutMs,
        (value) => value.grandchild_pid !== undefined,
      );
      run.kill('stopped by the conformance suite');
      const { outcome } = await collectRun(run, timeoutMs);
      expect(outcome).toMatchObject({ outcome: 'killed', error: 'stopped by the conformance suite' });
      expect(isProcessAlive(record.grandchild_pid as number)).toBe(false);
    });

    itScenario('hang', "timeoutMs kills the run: 'killed', timed out", async (scenario) => {
      const { run } = launchCase(scenario, { timeoutMs: 500 });
      const { outcome } = await collectRun(run, timeoutMs);
      expect(outcome).toMatchObject({ outcome: 'killed', error: 'timed out after 500 ms' });
    });

    it("a signal aborted before launch is 'killed' and starts nothing", async () => {
      const controller = new AbortController();
      controller.abort();
      const { run, recordPath } = launchCase(scenarios.success ?? DEFAULT_FAKE_SCENARIOS.success, {
        signal: controller.signal,
      });
      const { events, outcome } = await collectRun(run, timeoutMs);
      expect(events.map((event) => event.type)).toEqual(['outcome']);
      expect(outcome.outcome).toBe('killed');
      expect(outcome.exitCode).toBeNull();
      expect(run.pid).toBeUndefined();
      expect(existsSync(recordPath)).toBe(false);
    });

    it('a missing executable is EXECUTABLE_NOT_FOUND naming the override variable', () => {
      const missing = createCase('success', {
        env: { [options.overrideVariable]: join(root, 'no-such-dir', 'no-such-agent') },
      });
      let caught: unknown;
      try {
        options.createLauncher().launch(missing.request);
      } catch (error) {
        caught = error;
      }
      expect(isLauncherError(caught)).toBe(true);
      expect((caught as { code: string }).code).toBe('EXECUTABLE_NOT_FOUND');
      expect((caught as Error).message).toContain(options.overrideVariable);

      const emptyPath = join(root, 'empty-path');
      mkdirSync(emptyPath, { recursive: true });
      const notOnPath = createCase('success', { env: { [options.overrideVariable]: '', PATH: emptyPath } });
      let caughtOnPath: unknown;
      try {
        options.createLauncher().launch(notOnPath.request);
      } catch (error) {
        caughtOnPath = error;
      }
      expect((caughtOnPath as { code?: string } | undefined)?.code).toBe('EXECUTABLE_NOT_FOUND');
      expect((caughtOnPath as Error).message).toContain(options.overrideVariable);
    });

    it('a missing working directory is INVALID_REQUEST', () => {
      const testCase = createCase('success', {});
      expect(() =>
        options.createLauncher().launch({ ...testCase.request, cwd: join(root, 'missing') }),
      ).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    });

    it('a model that is empty, starts with "-" or holds whitespace or control characters is INVALID_REQUEST', () => {
      for (const model of NOT_ONE_WORD) {
        const testCase = createCase(scenarios.success ?? DEFAULT_FAKE_SCENARIOS.success, { model });
        expect(() => options.createLauncher().launch(testCase.request), JSON.stringify(model)).toThrow(
          expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('model') }),
        );
        expect(existsSync(testCase.recordPath)).toBe(false);
      }
    });

    // resume(): only for a launcher that has it (a CLI that cannot resume has no such method).
    const itResume = (
      key: ConformanceScenario,
      title: string,
      body: (resume: NonNullable<LauncherV1['resume']>, scenario: string) => Promise<void>,
    ): void => {
      const scenario = scenarios[key];
      if (scenario === null || scenario === undefined) {
        it.skip(`${title} (not applicable)`, () => {});
        return;
      }
      it(
        title,
        async (context) => {
          const launcher = options.createLauncher();
          if (launcher.resume === undefined) {
            context.skip('the launcher has no resume()');
            return;
          }
          await body(launcher.resume.bind(launcher), scenario);
        },
        testTimeout,
      );
    };

    /** Launches `scenario` and returns its session id, which a launcher with resume() must report. */
    const launchSession = async (scenario: string): Promise<{ testCase: Case; sessionId: string }> => {
      const { run, ...testCase } = launchCase(scenario);
      const { outcome } = await collectRun(run, timeoutMs);
      expect(outcome.outcome).toBe('completed');
      expect(
        typeof outcome.sessionId,
        'a launcher with resume() reports the session to resume as outcome.sessionId',
      ).toBe('string');
      return { testCase, sessionId: outcome.sessionId as string };
    };

    /** The request of a resumed run: the first run's, with a new prompt and its own record file. */
    const resumeRequest = (testCase: Case, overrides: Partial<LaunchRequest> = {}) => {
      const recordPath = join(testCase.root, 'fake-record-resumed.json');
      const request: LaunchRequest = {
        ...testCase.request,
        ...overrides,
        env: { ...testCase.request.env, [FAKE_RECORD_VARIABLE]: recordPath, ...overrides.env },
      };
      return { request, recordPath };
    };

    itResume(
      'success',
      'resume continues a session: its id in argv, the prompt byte for byte, one outcome, the transcript appended',
      async (resume, scenario) => {
        const { testCase, sessionId } = await launchSession(scenario);
        const { request, recordPath } = resumeRequest(testCase, { prompt: HOSTILE_PROMPT });
        const run = resume(request, sessionId);
        const { events, outcome } = await collectRun(run, timeoutMs);
        expect(events[0]?.type).toBe('start');
        expectSingleOutcomeLast(events, outcome);
        expect(outcome).toMatchObject({ outcome: 'completed', exitCode: 0 });
        if (options.expectedFinalText !== undefined)
          expect(outcome.finalText).toBe(options.expectedFinalText);
        const record = readFakeRecord(recordPath);
        expect(
          record?.argv.some((argument) => argument === sessionId || argument.endsWith(`=${sessionId}`)),
          'the session id must be one argv element (or the value of one --option=value element)',
        ).toBe(true);
        expect(
          record?.stdin === HOSTILE_PROMPT || (record?.argv.includes(HOSTILE_PROMPT) ?? false),
          'the prompt must arrive unchanged on stdin or as one argv element',
        ).toBe(true);
        expect(realpathSync(record?.cwd ?? '.')).toBe(realpathSync(testCase.workDir));
        expect(record?.env.SASE_AGENT_NAME).toBe(request.agentName);
        expect(readdirSync(testCase.workDir).filter((file) => file.startsWith('pwned'))).toEqual([]);
        const transcript = readTranscript(join(testCase.artifactsDir, TRANSCRIPT_FILE_NAME));
        expect(transcript.filter((event) => event.type === 'start')).toHaveLength(2);
        expect(transcript.slice(-events.length)).toEqual(events);
      },
    );

    if (options.promptContext === 'prompt') {
      itResume(
        'success',
        'resume appends the context to the prompt like launch (composePrompt)',
        async (resume, scenario) => {
          const { testCase, sessionId } = await launchSession(scenario);
          const prompt = 'The check still fails.';
          const { request, recordPath } = resumeRequest(testCase, { prompt, context: CONFORMANCE_CONTEXT });
          expect((await collectRun(resume(request, sessionId), timeoutMs)).outcome.outcome).toBe('completed');
          const record = readFakeRecord(recordPath);
          const composed = composePrompt(prompt, CONFORMANCE_CONTEXT);
          expect(record?.stdin === composed || (record?.argv.includes(composed) ?? false)).toBe(true);
        },
      );
    }

    itResume(
      'success',
      'resume refuses a session id that is empty, starts with "-" or holds whitespace or control characters',
      async (resume, scenario) => {
        const testCase = createCase(scenario);
        for (const sessionId of NOT_ONE_WORD) {
          expect(() => resume(testCase.request, sessionId), JSON.stringify(sessionId)).toThrow(
            expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('session') }),
          );
        }
        expect(() => resume({ ...testCase.request, cwd: join(root, 'missing') }, 'session-1')).toThrow(
          expect.objectContaining({ code: 'INVALID_REQUEST' }),
        );
        expect(existsSync(testCase.recordPath)).toBe(false);
      },
    );

    itResume(
      'hang',
      "a resumed run is killed like a launched one: 'killed', timed out",
      async (resume, scenario) => {
        const testCase = createCase(scenario, { timeoutMs: 500 });
        const { outcome } = await collectRun(resume(testCase.request, 'conformance-session-1'), timeoutMs);
        expect(outcome).toMatchObject({ outcome: 'killed', error: 'timed out after 500 ms' });
        const record = readFakeRecord(testCase.recordPath);
        if (record?.grandchild_pid !== undefined) expect(isProcessAlive(record.grandchild_pid)).toBe(false);
      },
    );
  });
}

/** Values that are not one argv word safe from flag parsing: refused as a model and as a session id. */
const NOT_ONE_WORD: readonly string[] = [
  '',
  '--help',
  '-x',
  'two words',
  ' leading-space',
  'tab\there',
  'line\nbreak',
  'nul\u0000',
  'escape\u001b[31m',
];
