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

describe('exit codes', () => {
  it('one per kind of error: a bad value typed is a usage error (2), a failure 1, a bug 70', async () => {
    const { EXIT_CODES, exitCodeOf, formatError } = await import('./errors.js');
    expect(EXIT_CODES).toEqual({
      failure: 1,
      usage: 2,
      nothingReady: 3,
      internal: 70,
      timeout: 124,
      interrupted: 130,
    });
    expect(
      ['INVALID_INPUT', 'RUN_USAGE', 'MODEL_INVALID', 'BEAD_NOT_FOUND', 'NOTHING_READY', 'WAIT_TIMEOUT'].map(
        exitCodeOf,
      ),
    ).toEqual([2, 2, 2, 1, 3, 124]);
    expect(formatError(new TypeError('x')).exitCode).toBe(70);

    const cwd = createTempWorkspace();
    expect((await runCli(cwd, 'bead', 'init', '--prefix', 'x')).code).toBe(0);
    // A status that no bead can have, given as a filter or as a new value: both usage errors.
    const filter = await runCli(cwd, 'bead', 'list', '-s', 'done');
    const update = await runCli(cwd, 'bead', 'update', 'x-1', '-s', 'blocked');
    expect([filter.code, update.code]).toEqual([2, 2]);
    expect(filter.stderr).toMatch(/^sase: .*"done".*open, in_progress, closed.* \[INVALID_INPUT\]\n$/);
    // A bead that does not exist: the command failed (1).
    expect((await runCli(cwd, 'bead', 'show', 'nope')).code).toBe(1);
  });
});
