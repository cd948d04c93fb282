import { expect, it } from 'vitest';

it('exports exactly the public API', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toMatchInlineSnapshot(`
    [
      "AGENT_FILES",
      "BEAD_WORK_XPROMPTS",
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
      "planEpicWork",
      "planLegendWork",
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
