import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

it('the README demo runs a real multi-agent epic to the end', () => {
  const result = spawnSync(process.execPath, ['scripts/demo.mjs', '--no-setup'], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(result.stderr + result.stdout).not.toContain('demo failed');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/demo-1\s+closed\s+epic/);
  expect(result.stdout).toContain('demo-1.5: Documentation');
  expect(result.stdout).toContain('0 error(s)');
}, 300_000);
