import {
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  ftruncateSync,
  linkSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/** `.<name>.<pid>.<time>.<n>.tmp`: the writer's pid is in the name, so a leftover can be traced to it. */
function tempPathOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
}

const TEMP_NAME = /^\.(.+)\.(\d+)\.\d+\.\d+\.tmp$/;

/** True when a process with this pid exists (EPERM: it exists, and belongs to another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files of `names` in `dir` that no live writer owns: a writer killed between writing
 * its temporary copy and renaming it leaves `.<name>.<pid>.<time>.<n>.tmp` behind (a full copy of the file).
 * One whose pid is a running process is left alone (a writer that does not take the store's lock, such as
 * initBeadStore, may be in the middle of it); one of this process is stale, since its writes are synchronous
 * and clean up after themselves. Returns the names removed.
 */
export function removeStaleTempFiles(dir: string, names: readonly string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const match = TEMP_NAME.exec(entry);
    if (!match || !names.includes(match[1]!)) continue;
    const pid = Number(match[2]);
    if (pid !== process.pid && isAlive(pid)) continue;
    rmSync(join(dir, entry), { force: true });
    removed.push(entry);
  }
  return removed;
}

function writeTemp(path: string, data: string | Uint8Array | readonly Uint8Array[]): string {
  const temp = tempPathOf(path);
  const fd = openSync(temp, 'wx', 0o644);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) writeSync(fd, data as string);
    else writeAll(fd, data, 0);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  return temp;
}

export interface AtomicWriteOptions {
  /**
   * Keep the first `keep` bytes of the current file: they are copied by the kernel (copy_file_range, or a
   * reflink where the file system has them) instead of being read and written again, and `data` follows
   * them. Adding a line near the end of a large file then writes little more than that line.
   */
  keep?: number;
  /** Asked right before the rename; false abandons the write (nothing changes) and returns false. */
  unchanged?: () => boolean;
}

/**
 * Replaces `path` with `data` so that a reader sees either the old or the new file, never a partial one:
 * write a temporary file in the same directory, fsync it, rename it over the target. Returns false (having
 * changed nothing) when `options.unchanged` says the file moved on meanwhile.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array | readonly Uint8Array[],
  options: AtomicWriteOptions = {},
): boolean {
  const keep = options.keep ?? 0;
  const temp =
    keep > 0
      ? patchTemp(
          path,
          keep,
          typeof data === 'string' || data instanceof Uint8Array ? [Buffer.from(data)] : data,
        )
      : writeTemp(path, data);
  try {
    if (options.unchanged && !options.unchanged()) {
      rmSync(temp, { force: true });
      return false;
    }
    renameSync(temp, path);
    return true;
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** A temporary copy of `path` whose bytes from `keep` on are replaced by `parts`. */
function patchTemp(path: string, keep: number, parts: readonly Uint8Array[]): string {
  const temp = tempPathOf(path);
  copyFileSync(path, temp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'r+');
    const end = writeAll(fd, parts, keep);
    ftruncateSync(fd, end);
    fsyncSync(fd);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return temp;
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

/**
 * writev at `position` until every piece is written (the kernel may write less than asked, and takes at most
 * 1024 pieces). Returns the position after the last byte.
 */
function writeAll(fd: number, pieces: readonly Uint8Array[], position: number): number {
  let pending = pieces.filter((piece) => piece.length > 0);
  while (pending.length > 0) {
    let written = writevSync(fd, pending.slice(0, 1024) as NodeJS.ArrayBufferView[], position);
    position += written;
    let index = 0;
    while (index < pending.length && written >= pending[index]!.length) written -= pending[index++]!.length;
    pending = pending.slice(index);
    if (written > 0) pending[0] = pending[0]!.subarray(written);
  }
  return position;
}
