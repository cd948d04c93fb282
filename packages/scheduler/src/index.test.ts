import { expect, it } from 'vitest';

it('exports exactly the public API', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toMatchInlineSnapshot(`
    [
      "AGENT_FILES",
      "SchedulerError",
      "acquireSupervisorLock",
      "agentStates",
      "assertValidAgentName",
      "claimFileName",
      "computeWaves",
      "createRegistry",
      "createSupervisor",
      "deriveAgentStates",
      "followAgents",
      "formatAgentState",
      "formatDone",
      "formatRequest",
      "isSchedulerError",
      "isSettled",
      "isValidAgentName",
      "killAgent",
      "parseDone",
      "parseNotBefore",
      "parseRequest",
      "readSupervisorStatus",
      "retryAgent",
      "runAgentHost",
      "runAttempt",
      "serveSupervisor",
      "startSupervisorProcess",
      "stopSupervisorProcess",
      "submitSegments",
      "supervisorLogFileOf",
      "waitForAgent",
      "waitForAgents",
    ]
  `);
});
