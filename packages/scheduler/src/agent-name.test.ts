// One agent-name grammar everywhere (issue 14): @sase/xprompt's %name and %wait accept exactly the names
// the scheduler does. xprompt duplicates the pattern (it depends on no other SASE package); this test runs
// one table of names, and random ones, through both.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestWorkspace } from './__fixtures__/test-workspace.js';
import { assertValidAgentName, isValidAgentName } from './agent-name.js';
import { createRegistry } from './registry.js';
import { isSchedulerError } from './scheduler-error.js';
import { submitSegments } from './submit-segments.js';

const xpromptSources = new URL('../../xprompt/src/', import.meta.url);
const table = JSON.parse(readFileSync(new URL('__fixtures__/agent-names.json', xpromptSources), 'utf8')) as {
  valid: string[];
  invalid: string[];
};
const cases = [
  ...table.valid.map((name) => [name, true] as const),
  ...table.invalid.map((name) => [name, false] as const),
];

interface XPromptModules {
  isValidAgentName(name: string): boolean;
  isAcceptedByName(name: string): boolean;
}

/** xprompt's check, loaded from its sources (a test-only look across packages, not a dependency). */
async function xprompt(): Promise<XPromptModules> {
  const internal = await import(new URL('internal/agent-name.ts', xpromptSources).href);
  const language = await import(new URL('index.ts', xpromptSources).href);
  const catalog = language.createCatalog([]);
  return {
    isValidAgentName: internal.isValidAgentName,
    isAcceptedByName: (name) => {
      const result = language.expandPrompt(`%name(${name}) go`, { catalog });
      return result.diagnostics.length === 0 && result.segments[0]?.directives.name === name;
    },
  };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('agent names', () => {
  it.each(cases)(
    '%j: valid is %s for the scheduler (check, assert, submit) and for xprompt (name directive)',
    async (name, isValid) => {
      expect(isValidAgentName(name)).toBe(isValid);
      if (isValid) expect(() => assertValidAgentName(name)).not.toThrow();
      else expect(() => assertValidAgentName(name)).toThrow(/invalid agent name/);
      const { root, cleanup } = createTestWorkspace();
      cleanups.push(cleanup);
      let error: unknown;
      try {
        submitSegments(createRegistry(root), [{ prompt: 'true', directives: { name } }]);
      } catch (caught) {
        error = caught;
      }
      if (isValid) expect(error).toBeUndefined();
      else expect(isSchedulerError(error, 'AGENT_NAME_INVALID')).toBe(true);
      expect((await xprompt()).isAcceptedByName(name)).toBe(isValid);
    },
  );

  it('xprompt and the scheduler agree on 20,000 random names', async () => {
    const { isValidAgentName: isValidForXPrompt } = await xprompt();
    const alphabet = 'aZ09._+-@/ !#é~';
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const disagreements: string[] = [];
    for (let index = 0; index < 20_000; index++) {
      const length = index % 50 === 0 ? 95 + Math.floor(random() * 10) : Math.floor(random() * 8);
      let name = '';
      for (let at = 0; at < length; at++) name += alphabet[Math.floor(random() * alphabet.length)];
      if (isValidAgentName(name) !== isValidForXPrompt(name)) disagreements.push(name);
    }
    expect(disagreements).toEqual([]);
  });
});
