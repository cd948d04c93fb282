// The plain summary line "N passed, N failed" of one or more vitest JSON reports (`npm test` prints it for its
// own; `.ci/run` for both tiers: `node scripts/test-summary.mjs test-results.json test-results-e2e.json`).
// A missing report, or a run that failed without a failed test (a file that could not load), counts as one
// failure. Exits 1 unless something passed and nothing failed.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function summarize(reports) {
  let passed = 0;
  let failed = 0;
  for (const report of reports) {
    if (!existsSync(report)) {
      failed += 1;
      continue;
    }
    const results = JSON.parse(readFileSync(report, 'utf8'));
    passed += results.numPassedTests;
    failed +=
      results.numFailedTests +
      (results.numTotalTestSuites > 0 && !results.success && results.numFailedTests === 0 ? 1 : 0);
  }
  return { passed, failed, line: `${passed} passed, ${failed} failed` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { passed, failed, line } = summarize(process.argv.slice(2));
  console.log(line);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
