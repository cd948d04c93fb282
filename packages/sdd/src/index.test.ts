import { expect, it } from 'vitest';

it('exports exactly the public API', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toMatchInlineSnapshot(`
    [
      "SddError",
      "SddStore",
      "approvePlan",
      "assertValidPlanName",
      "beadTierOfPlanTier",
      "checkPhases",
      "createSddStore",
      "expandPromptForSnapshot",
      "findPhaseCycles",
      "findQuestionsAndAnswersSection",
      "formatDiagnostic",
      "formatQuestionsAndAnswers",
      "hasErrors",
      "isValidPlanName",
      "kindOfTier",
      "mergeQuestionsAndAnswers",
      "monthOf",
      "parsePlan",
      "parsePlanDraft",
      "parsePromptSnapshot",
      "parseQuestionsAndAnswers",
      "planNamePattern",
      "planTiers",
      "questionsAndAnswersHeading",
      "sddKinds",
      "sddPath",
      "sddRules",
      "slugifyPlanName",
      "sortDiagnostics",
      "stringifyPlan",
      "stringifyPromptSnapshot",
      "submitPlan",
      "tierOfKind",
      "touchFile",
      "validateSdd",
    ]
  `);
});
