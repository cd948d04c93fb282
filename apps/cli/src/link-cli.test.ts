import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const prefix = mkdtempSync(join(tmpdir(), 'sase-link-cli-'));
const project = mkdtempSync(join(tmpdir(), 'sase-link-cli-project-'));
afterAll(() => {
  rmSync(prefix, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
});

it('`npm run link-cli` puts sase on PATH from a clone: --version and a bead command run from PATH', () => {
  // (`npm test` has built the CLI already; --no-setup skips installing and building again.)
  const linked = execFileSync(
    process.execPath,
    [join(repo, 'scripts/link-cli.mjs'), '--prefix', prefix, '--no-setup'],
    {
      encoding: 'utf8',
    },
  );
  expect(linked).toContain(`sase is ${join(prefix, 'bin', 'sase')}`);
  const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
  const { version } = JSON.parse(readFileSync(join(repo, 'apps/cli/package.json'), 'utf8')) as {
    version: string;
  };
  expect(execFileSync('sase', ['--version'], { env, encoding: 'utf8' })).toBe(`${version}\n`);
  execFileSync('git', ['init', '-q'], { cwd: project });
  execFileSync('sase', ['init', '--prefix', 'linked'], { cwd: project, env });
  const bead = JSON.parse(
    execFileSync('sase', ['bead', 'create', '-t', 'From PATH', '--json'], {
      cwd: project,
      env,
      encoding: 'utf8',
    }),
  );
  expect(bead).toMatchObject({ id: 'linked-1', title: 'From PATH' });
  // Unlinking removes only what link-cli wrote.
  execFileSync(process.execPath, [join(repo, 'scripts/link-cli.mjs'), '--prefix', prefix, '--unlink']);
  expect(() =>
    execFileSync('sase', ['--version'], { env: { ...env, PATH: join(prefix, 'bin') }, stdio: 'ignore' }),
  ).toThrow();
});
