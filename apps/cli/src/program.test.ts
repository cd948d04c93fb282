import { describe, expect, it } from 'vitest';
import { createTempWorkspace, runCli } from './testing/run-cli.js';

describe('command-line mistakes', () => {
  it('read like every other error: one line, [USAGE], exit 2', async () => {
    const cwd = createTempWorkspace();
    expect(await runCli(cwd, 'bead', 'list', '--bogus')).toEqual({
      code: 2,
      stdout: '',
      stderr: "sase: unknown option '--bogus' (see --help) [USAGE]\n",
    });
    const missing = await runCli(cwd, 'plan', 'submit');
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(
      /^sase: (missing required argument 'plan'|required option '--tier <tier>' not specified) \(see --help\) \[USAGE\]\n$/,
    );
  });

  it('-C names a directory that must exist', async () => {
    const cwd = createTempWorkspace();
    expect(await runCli(cwd, '-C', '/nonexistent/place', 'agent', 'list')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'sase: -C /nonexistent/place: no such directory (/nonexistent/place) [USAGE]\n',
    });
  });
});
