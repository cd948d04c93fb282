import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

function writeTemp(path: string, data: string | Uint8Array): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
  const fd = openSync(temp, 'wx', 0o644);
  try {
    writeSync(fd, data as string);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

/**
 * Replaces `path` with `data` so that a reader sees either the old or the new file, never a partial one:
 * write a temporary file in the same directory, fsync it, rename it over the target.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temp = writeTemp(path, data);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Creates `path` with `data` only if it does not exist yet (atomic; false when it already existed). */
export function createFileIfAbsent(path: string, data: string): boolean {
  const temp = writeTemp(path, data);
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}
