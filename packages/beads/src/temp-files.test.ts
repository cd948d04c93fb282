import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempStore } from './internal/temp-store.js';

/** The temporary files in a store directory. */
function temps(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.tmp'))
    .sort();
}

describe('temporary files left by a writer killed mid-write', () => {
  it('are removed by the next write and reported by doctor; a live writer’s are left alone', () => {
    const { store, dir } = createTempStore('p');
    store.create({ title: 'one' });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const live = spawn('sleep', ['30']);
    try {
      const stale = [`.issues.jsonl.${dead}.1764300000000.0.tmp`, `.config.json.${dead}.1764300000000.1.tmp`];
      const busy = `.issues.jsonl.${live.pid}.1764300000000.0.tmp`;
      const unrelated = '.notes.txt.1.2.3.tmp';
      for (const name of [...stale, busy, unrelated])
        writeFileSync(join(dir, name), 'a full copy of the file');
      store.create({ title: 'two' });
      expect(temps(dir)).toEqual([busy, unrelated].sort());

      writeFileSync(join(dir, stale[0]!), 'another leftover');
      const report = store.doctor();
      expect(report.ok).toBe(true);
      expect(report.problems.map((problem) => [problem.code, problem.fixed])).toEqual([
        ['STALE_TEMP_FILE', true],
      ]);
      expect(report.problems[0]!.message).toContain(`removed ${stale[0]}`);
      expect(temps(dir)).toEqual([busy, unrelated].sort());
    } finally {
      live.kill();
    }
  });
});
