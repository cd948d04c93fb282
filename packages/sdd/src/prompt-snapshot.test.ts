import { describe, expect, it } from 'vitest';
import { parsePromptSnapshot, stringifyPromptSnapshot } from './prompt-snapshot.js';

describe('parsePromptSnapshot / stringifyPromptSnapshot', () => {
  it('round-trips, body byte for byte (including --- segment separators)', () => {
    const snapshot = {
      frontmatter: { plan: 'epics/202611/auth-rework.md' },
      body: 'First segment.\n\n---\n\nSecond segment, trailing spaces  \n',
    };
    const text = stringifyPromptSnapshot(snapshot);
    expect(text).toBe(`---\nplan: epics/202611/auth-rework.md\n---\n${snapshot.body}`);
    expect(parsePromptSnapshot(text)).toEqual({ snapshot, diagnostics: [] });
  });

  it('reports a missing or unknown key at its line', () => {
    expect(
      parsePromptSnapshot('---\nplans: x\n---\n', { file: 'p.md' }).diagnostics.map((d) => [
        d.line,
        d.ruleId,
      ]),
    ).toEqual([
      [1, 'frontmatter-schema'],
      [2, 'frontmatter-schema'],
    ]);
  });
});
