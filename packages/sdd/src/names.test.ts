import { describe, expect, it } from 'vitest';
import { SddError } from './errors.js';
import { assertValidPlanName, isValidPlanName, slugifyPlanName } from './names.js';

describe('plan names', () => {
  it.each(['auth-rework', 'a', '2026_q1', 'x-1_b'])('accepts %s', (name) => {
    expect(isValidPlanName(name)).toBe(true);
    expect(assertValidPlanName(name)).toBe(name);
  });

  it.each([
    ['epics/auth', 'path separator'],
    ['..', '".."'],
    ['../etc', '".."'],
    ['/etc/passwd', 'absolute path'],
    ['C:\\plans', 'absolute path'],
    ['Auth', 'characters outside'],
    ['auth rework', 'characters outside'],
    ['auth.md', 'characters outside'],
    ['-auth', 'starts with'],
    ['', 'empty'],
    ['a'.repeat(101), 'longer than'],
  ])('refuses %j (%s)', (name, why) => {
    expect(isValidPlanName(name)).toBe(false);
    let error: unknown;
    try {
      assertValidPlanName(name);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SddError);
    expect((error as SddError).code).toBe('INVALID_PLAN_NAME');
    expect((error as SddError).message).toContain(why);
  });

  it('slugifies titles and file names', () => {
    expect(slugifyPlanName('Auth Rework: Sessions & Tokens!')).toBe('auth-rework-sessions-tokens');
    expect(slugifyPlanName('Überprüfung der Café-Bar')).toBe('uberprufung-der-cafe-bar');
    expect(slugifyPlanName('../../etc/passwd')).toBe('etc-passwd');
    expect(slugifyPlanName('PLAN')).toBe('plan');
    expect(slugifyPlanName('!!!')).toBe('');
    expect(slugifyPlanName('x'.repeat(80))).toHaveLength(64);
  });
});
