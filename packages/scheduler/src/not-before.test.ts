import { describe, expect, it } from 'vitest';
import { isValidAgentName } from './agent-name.js';
import { parseNotBefore } from './not-before.js';

describe('parseNotBefore', () => {
  const now = new Date(2026, 4, 1, 23, 0, 0); // local time

  it('reads delays, ISO times and wall-clock times (the next occurrence)', () => {
    expect(parseNotBefore('+90s', now).getTime() - now.getTime()).toBe(90_000);
    expect(parseNotBefore('10m', now).getTime() - now.getTime()).toBe(600_000);
    expect(parseNotBefore('+2h', now).getTime() - now.getTime()).toBe(7_200_000);
    expect(parseNotBefore('2026-05-02T10:00:00Z', now).toISOString()).toBe('2026-05-02T10:00:00.000Z');
    expect(parseNotBefore('23:30', now)).toEqual(new Date(2026, 4, 1, 23, 30, 0));
    expect(parseNotBefore('02:00', now)).toEqual(new Date(2026, 4, 2, 2, 0, 0));
  });

  it('refuses anything else, saying what is valid', () => {
    expect(() => parseNotBefore('tomorrow', now)).toThrow(/\+10m/);
    expect(() => parseNotBefore('25:00', now)).toThrow(/TIME|time/);
  });
});

describe('isValidAgentName', () => {
  it('accepts bead ids and slugs, refuses paths', () => {
    for (const name of ['a', 'myapp-7.1', 'fix-the-login-1', 'A_b+c'])
      expect(isValidAgentName(name)).toBe(true);
    for (const name of ['', '.hidden', '-x', 'a/b', '..', 'a..b', 'a b', 'x'.repeat(101)]) {
      expect(isValidAgentName(name)).toBe(false);
    }
  });
});
