import { renameSync, rmSync, writeFileSync } from 'node:fs';

/** Writes via a temporary file and a rename, so no reader ever sees a partial file. */
export function writeFileAtomic(path: string, data: string): void {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}
