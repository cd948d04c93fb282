import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createTempWorkspace, runCli } from '../../testing/run-cli.js';

it('sase agent list --watch follows the agents until they settle', async () => {
  const cwd = createTempWorkspace('watch');
  writeFileSync(
    join(cwd, 'sase.yml'),
    'launcher:\n  default: shell\n  shell:\n    command: ["sh", "-c", "cat > /dev/null; sleep 0.2"]\n',
  );
  try {
    const submitted = await runCli(cwd, 'run', '%name:one\nfirst\n---\n%name:two %wait\nsecond');
    expect(submitted.code).toBe(0);
    const watched = await runCli(cwd, 'agent', 'list', '--watch');
    expect(watched.code).toBe(0);
    const lastTable = watched.stdout.trim().split('\n\n').at(-1)!;
    expect(lastTable).toMatch(/one\s+completed/);
    expect(lastTable).toMatch(/two\s+completed/);
  } finally {
    await runCli(cwd, 'axe', 'stop');
  }
}, 120_000);
