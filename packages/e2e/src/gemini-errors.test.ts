// The real Gemini CLI through the real @sase/launcher-gemini adapter: API errors (a file of their own, so that they
// run beside gemini.test.ts).
import { createGemini, type GeminiSettings } from '@sase/launcher-gemini';
import { describe, expect, it } from 'vitest';
import { type CliSandbox, PINNED_VERSIONS } from './agent-clis.js';
import { RUN_TIMEOUT_MS, useCliHarness } from './harness.js';

const launcherFor =
  (settings: GeminiSettings = {}) =>
  (sandbox: CliSandbox) =>
    createGemini({
      executable: sandbox.executable,
      env: sandbox.env,
      killGraceMs: 1000,
      trustWorkspace: true,
      ...settings,
    });
const harness = useCliHarness('gemini', launcherFor());

describe(`Gemini CLI ${PINNED_VERSIONS.gemini} (real CLI): API errors`, { timeout: RUN_TIMEOUT_MS }, () => {
  it.each([
    [500, 'Internal error encountered.'],
    [401, 'API key not valid. Please pass a valid API key.'],
    [400, 'Request contains an invalid argument.'],
  ])('reports API error %i as failed with the API message (stream-json)', async (status, message) => {
    const { outcome } = await harness.run([{ type: 'error', status, message }]);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.error).toBe(`gemini: API error ${status}: ${message}`);
  });

  it('finds the JSON error document after the stack traces on stderr (output_format: json)', async () => {
    const { outcome, events } = await harness.run(
      [{ type: 'error', status: 400, message: 'Request contains an invalid argument.' }],
      {},
      launcherFor({ outputFormat: 'json' }),
    );
    // Gemini CLI writes the stack trace (with braces of its own) to stderr before the document.
    expect(events.some((event) => event.type === 'output' && event.text.includes('    at '))).toBe(true);
    expect(outcome).toMatchObject({
      outcome: 'failed',
      error: 'gemini: API error 400: Request contains an invalid argument.',
    });
    expect(outcome.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
