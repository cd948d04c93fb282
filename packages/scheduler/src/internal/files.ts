import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SchedulerError } from '../scheduler-error.js';

let counter = 0;

/** A temporary name in the same directory (so rename and link stay atomic), hidden from listings. */
function temporaryPath(path: string): string {
  counter += 1;
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${counter}.${randomBytes(3).toString('hex')}.tmp`,
  );
}

export function isErrorCode(error: unknown, ...codes: string[]): boolean {
  return (
    typeof error === 'object' && error !== null && codes.includes((error as { code?: string }).code ?? '')
  );
}

export function stringifyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes a file so that readers see either the old content or the new one, never a part. */
export function writeFileAtomic(path: string, content: string): void {
  const temporary = temporaryPath(path);
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    removeIfExists(temporary);
    throw error;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, stringifyJson(value));
}

/**
 * Creates `path` with `content` only if it does not exist yet, atomically: the complete content is written
 * to a temporary file which is then hard-linked into place (link fails if the name exists). Returns false
 * when the file already existed. Used for claims, locks and done.json, where exactly one writer must win.
 */
export function createFileExclusive(path: string, content: string): boolean {
  const temporary = temporaryPath(path);
  writeFileSync(temporary, content);
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if (isErrorCode(error, 'EEXIST')) return false;
    throw error;
  } finally {
    removeIfExists(temporary);
  }
}

export function createJsonExclusive(path: string, value: unknown): boolean {
  return createFileExclusive(path, stringifyJson(value));
}

export function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isErrorCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw error;
  }
}

/** Reads a JSON file, or undefined if it does not exist. A malformed file is a REGISTRY_CORRUPT error. */
export function readJsonIfExists(path: string): unknown {
  const text = readTextIfExists(path);
  return text === undefined ? undefined : parseJsonText(text, path);
}

/** Parses the text of a JSON file; malformed JSON is a REGISTRY_CORRUPT error naming the file. */
export function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SchedulerError(
      'REGISTRY_CORRUPT',
      `${path} is not valid JSON (${(error as Error).message}); fix or delete the file`,
      { file: path, cause: error },
    );
  }
}

export function removeIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isErrorCode(error, 'ENOENT')) throw error;
  }
}

export function appendLine(path: string, line: string): void {
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${line}\n`);
  } finally {
    closeSync(fd);
  }
}

export function isoNow(date: Date = new Date()): string {
  return date.toISOString();
}
