import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

function writeTemp(path: string, data: string | Uint8Array | readonly Uint8Array[]): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
  const fd = openSync(temp, 'wx', 0o644);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) writeSync(fd, data as string);
    else writeAll(fd, data);
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
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
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

/** writev until every piece is written (the kernel may write less than asked, and takes at most 1024 pieces). */
function writeAll(fd: number, pieces: readonly Uint8Array[]): void {
  let pending = pieces.filter((piece) => piece.length > 0);
  while (pending.length > 0) {
    let written = writevSync(fd, pending.slice(0, 1024) as NodeJS.ArrayBufferView[]);
    let index = 0;
    while (index < pending.length && written >= pending[index]!.length) written -= pending[index++]!.length;
    pending = pending.slice(index);
    if (written > 0) pending[0] = pending[0]!.subarray(written);
  }
}
