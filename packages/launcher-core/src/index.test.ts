import { expect, it } from 'vitest';

it('exports these names from @sase/launcher-core', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_KILL_GRACE_MS",
      "LAUNCHER_SPECIFICATION_VERSION",
      "LauncherError",
      "MAX_STANDBY_SHELLS",
      "MODEL_NAME_PATTERN",
      "PROCESS_LAUNCHER_SETTING_KEYS",
      "PROMPT_CONTEXT_VARIABLE",
      "SESSION_ID_PATTERN",
      "TRANSCRIPT_FILE_NAME",
      "asNumber",
      "asObject",
      "asString",
      "assertLaunchRequest",
      "assertProcessLauncherSettings",
      "assertSessionId",
      "assertSettingKeys",
      "composePrompt",
      "countStandbyShells",
      "createAgentEnvironment",
      "createJsonLineParser",
      "createLauncherRun",
      "createProcessLauncher",
      "createTextMapper",
      "createTranscriptWriter",
      "describeExit",
      "exitCodeOutcome",
      "formatPromptContext",
      "fromTranscriptRecord",
      "isLauncherError",
      "isLauncherV1",
      "locateExecutable",
      "parseJsonLine",
      "parseTranscript",
      "prepareAgentProcesses",
      "readTranscript",
      "resolveExecutable",
      "spawnAgentProcess",
      "stringifyTranscriptEvent",
      "stripAnsi",
      "toTranscriptRecord",
    ]
  `);
});

it('exports these names from @sase/launcher-core/testing', async () => {
  expect(Object.keys(await import('./testing.js')).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_FAKE_SCENARIOS",
      "FAKE_RECORD_VARIABLE",
      "FAKE_SCENARIO_VARIABLE",
      "HOSTILE_PROMPT",
      "collectRun",
      "exitedWith",
      "isProcessAlive",
      "readFakeRecord",
      "replayOutput",
      "runLauncherConformance",
      "waitForFakeRecord",
    ]
  `);
});
