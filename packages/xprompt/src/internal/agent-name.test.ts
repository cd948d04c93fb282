import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCatalog } from '../create-catalog.js';
import { expandPrompt } from '../expand-prompt.js';
import { isValidAgentName } from './agent-name.js';

/** The table @sase/scheduler's tests run through its own check too. */
const table = JSON.parse(
  readFileSync(new URL('../__fixtures__/agent-names.json', import.meta.url), 'utf8'),
) as { valid: string[]; invalid: string[] };
const cases = [
  ...table.valid.map((name) => [name, true] as const),
  ...table.invalid.map((name) => [name, false] as const),
];
const catalog = createCatalog([]);

/** Whether `%name(NAME)` gives the segment that name, without a diagnostic. */
function isAcceptedByName(name: string): boolean {
  const result = expandPrompt(`%name(${name}) go`, { catalog });
  return result.diagnostics.length === 0 && result.segments[0]?.directives.name === name;
}

/** Whether `%wait(NAME)` makes the segment wait for that name, without a diagnostic. */
function isAcceptedByWait(name: string): boolean {
  const result = expandPrompt(`%name(me) %wait(${name}) go`, { catalog });
  return result.diagnostics.length === 0 && result.segments[0]?.directives.wait?.[0] === name;
}

describe('agent names (one grammar with the scheduler)', () => {
  it.each(cases)('%j: valid is %s, for isValidAgentName, %name and %wait', (name, isValid) => {
    expect(isValidAgentName(name)).toBe(isValid);
    expect(isAcceptedByName(name)).toBe(isValid);
    expect(isAcceptedByWait(name)).toBe(isValid);
  });

  it('says what a valid name looks like', () => {
    expect(expandPrompt('%name:a@b go', { catalog }).diagnostics[0]?.reason).toBe(
      `%name gives an invalid agent name "a@b": use 1-100 letters, digits, '.', '_', '+' or '-', starting with a letter, digit or '_', without '/' or '..' (like %name:reviewer)`,
    );
    expect(expandPrompt('%name:a+b go', { catalog }).segments[0]?.directives.name).toBe('a+b');
  });
});
