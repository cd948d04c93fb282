import { SddError } from './errors.js';

/** What a plan name must look like: lowercase letters, digits, `_` and `-`, starting with a letter or digit. */
export const planNamePattern = /^[a-z0-9][a-z0-9_-]*$/;
const maximumNameLength = 100;

/** True when `name` can be used as a plan name (and so as a file name in every SDD directory). */
export function isValidPlanName(name: string): boolean {
  return planNamePattern.test(name) && name.length <= maximumNameLength;
}

/** Throws INVALID_PLAN_NAME unless `name` is a slug; says why (path separator, `..`, absolute path, characters). */
export function assertValidPlanName(name: string): string {
  if (isValidPlanName(name)) return name;
  let why: string;
  if (name === '') why = 'it is empty';
  else if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) why = 'it is an absolute path';
  else if (name.includes('..')) why = 'it contains ".."';
  else if (name.includes('/') || name.includes('\\')) why = 'it contains a path separator';
  else if (name.length > maximumNameLength) why = `it is longer than ${maximumNameLength} characters`;
  else if (/^[_-]/.test(name)) why = 'it starts with "_" or "-"';
  else why = 'it has characters outside a-z, 0-9, "_" and "-"';
  throw new SddError(
    'INVALID_PLAN_NAME',
    `Invalid plan name "${name}": ${why}; a name is a slug such as "auth-rework" (pattern ${planNamePattern.source})`,
    { plan: name },
  );
}

/**
 * Turns a title or file name into a plan name: accents dropped, lowercase, every run of other characters
 * replaced by one `-`, trimmed of `-`, at most 64 characters. Returns '' when nothing usable is left.
 */
export function slugifyPlanName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 64)
    .replace(/[-_]+$/g, '');
}

/**
 * What an agent name, and so a ChangeSpec name, looks like: letters, digits, `.`, `_`, `+` and `-`, starting
 * with a letter or digit, at most 100 characters (`demo-1.2`). `..` is refused separately.
 */
export const changeNamePattern = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;

/** True when `name` can be a ChangeSpec name (an agent name): `changeNamePattern` and no `..`. */
export function isValidChangeName(name: string): boolean {
  return changeNamePattern.test(name) && !name.includes('..');
}

/** Throws CHANGE_NAME_INVALID unless `name` is a valid agent name; says what a valid name looks like. */
export function assertValidChangeName(name: string): string {
  if (isValidChangeName(name)) return name;
  const why = name.includes('..')
    ? 'it contains ".."'
    : name.includes('/') || name.includes('\\')
      ? 'it contains a path separator'
      : name === ''
        ? 'it is empty'
        : name.length > 100
          ? 'it is longer than 100 characters'
          : 'it has characters outside A-Z, a-z, 0-9, ".", "_", "+" and "-", or does not start with a letter or digit';
  throw new SddError(
    'CHANGE_NAME_INVALID',
    `Invalid change name "${name}": ${why}; a change is named after its agent, such as "demo-1.2" (pattern ${changeNamePattern.source})`,
    { change: name },
  );
}
