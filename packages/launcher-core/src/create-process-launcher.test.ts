import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertSettingKeys,
  createProcessLauncher,
  PROCESS_LAUNCHER_SETTING_KEYS,
} from './create-process-launcher.js';
import { isLauncherV1 } from './is-launcher.js';
import type { LaunchRequest } from './spec.js';
import { collectRun, readFakeRecord } from './testing.js';

describe('assertSettingKeys', () => {
  const valid = [...PROCESS_LAUNCHER_SETTING_KEYS, 'permissionMode'];

  it('accepts the valid keys', () => {
    expect(() =>
      assertSettingKeys(
        'tool',
        { executable: 'x', args: [], env: {}, killGraceMs: 1, permissionMode: 'p' },
        valid,
      ),
    ).not.toThrow();
    expect(() => assertSettingKeys('tool', {}, valid)).not.toThrow();
  });

  it('refuses an unknown key with INVALID_SETTINGS, the closest key and every valid one', () => {
    expect(() => assertSettingKeys('tool', { executabel: 'x' }, valid)).toThrow(
      expect.objectContaining({
        code: 'INVALID_SETTINGS',
        launcherId: 'tool',
        message:
          'launcher.tool: unknown setting "executabel" (did you mean "executable"?); the valid settings are ' +
          'executable, args, env, killGraceMs (kill_grace_ms in sase.yml), permissionMode (permission_mode in sase.yml)',
      }),
    );
    expect(() => assertSettingKeys('tool', { kill_grace_ms: 5 }, valid)).toThrow(
      /did you mean "killGraceMs"/,
    );
    expect(() => assertSettingKeys('tool', { package: '@acme/tool' }, valid)).toThrow(
      /^launcher.tool: unknown setting "package"; the valid settings are executable, /,
    );
  });

  it('refuses settings that are not an object', () => {
    expect(() => assertSettingKeys('tool', [] as object, valid)).toThrow(/settings must be an object/);
  });
});

describe('createProcessLauncher: resume and modelAliases', () => {
  const directory = mkdtempSync(join(tmpdir(), 'sase-process-launcher-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const fakeExecutable = fileURLToPath(new URL('./__fixtures__/fake-agent.mjs', import.meta.url));
  chmodSync(fakeExecutable, 0o755);
  const definition = {
    launcherId: 'tool',
    executable: fakeExecutable,
    invocation: (request: LaunchRequest) => ({ args: ['run'], input: request.prompt }),
  };
  const request = (name: string, recordPath: string): LaunchRequest => ({
    agentName: name,
    prompt: 'Continue.',
    cwd: directory,
    artifactsDir: join(directory, 'agents', name),
    env: { SASE_FAKE_RECORD: recordPath },
  });

  it('has resume exactly when the definition has resumeInvocation, which it runs with the session id', async () => {
    expect('resume' in createProcessLauncher(definition)).toBe(false);
    const launcher = createProcessLauncher({
      ...definition,
      resumeInvocation: (resumed, sessionId) => ({ args: ['resume', sessionId], input: resumed.prompt }),
    });
    expect('resume' in launcher).toBe(true);
    const recordPath = join(directory, 'record-resume.json');
    const { events, outcome } = await collectRun(launcher.resume!(request('r1', recordPath), 'sess-1'));
    expect(outcome).toMatchObject({ outcome: 'completed', exitCode: 0 });
    expect(events[0]).toMatchObject({ type: 'start', command: [fakeExecutable, 'resume', 'sess-1'] });
    expect(readFakeRecord(recordPath)).toMatchObject({ argv: ['resume', 'sess-1'], stdin: 'Continue.' });
  });

  it('resume refuses a session id that could be read as a flag, and a bad request, before anything starts', () => {
    let calls = 0;
    const launcher = createProcessLauncher({
      ...definition,
      resumeInvocation: (resumed, sessionId) => {
        calls += 1;
        return { args: ['resume', sessionId], input: resumed.prompt };
      },
    });
    const recordPath = join(directory, 'record-refused.json');
    for (const sessionId of ['', '--help', '-r', 'a b', 'a\tb', 'a\nb', 'a\u0000b']) {
      expect(() => launcher.resume!(request('r2', recordPath), sessionId), JSON.stringify(sessionId)).toThrow(
        expect.objectContaining({ code: 'INVALID_REQUEST', launcherId: 'tool' }),
      );
    }
    expect(() => launcher.resume!({ ...request('r2', recordPath), model: '--help' }, 'sess-1')).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('model') }),
    );
    expect(calls).toBe(0);
    expect(existsSync(recordPath)).toBe(false);
  });

  it('has modelAliases exactly when the definition has them: a frozen copy', () => {
    expect('modelAliases' in createProcessLauncher(definition)).toBe(false);
    const aliases = { smart: 'large', fast: 'medium', cheap: 'small' };
    const launcher = createProcessLauncher({ ...definition, modelAliases: aliases });
    expect(launcher.modelAliases).toEqual(aliases);
    expect(launcher.modelAliases).not.toBe(aliases);
    expect(Object.isFrozen(launcher.modelAliases)).toBe(true);
    aliases.smart = 'changed';
    expect(launcher.modelAliases?.smart).toBe('large');
  });

  it('refuses an alias table whose alias or model is not a word (INVALID_SETTINGS)', () => {
    expect(() => createProcessLauncher({ ...definition, modelAliases: { '@smart': 'large' } })).toThrow(
      expect.objectContaining({
        code: 'INVALID_SETTINGS',
        message: 'launcher.tool: the model alias "@smart" must be a word such as "smart" (without the @)',
      }),
    );
    expect(() => createProcessLauncher({ ...definition, modelAliases: { smart: '--help' } })).toThrow(
      /the model of alias "smart" must be a model name .*, not "--help"/,
    );
    expect(() => createProcessLauncher({ ...definition, modelAliases: { smart: '' } })).toThrow(
      expect.objectContaining({ code: 'INVALID_SETTINGS' }),
    );
  });
});

describe('isLauncherV1', () => {
  const base = { specificationVersion: 'launcher-v1', launcherId: 'x', launch: () => undefined };
  it('accepts the optional resume() and modelAliases', () => {
    expect(isLauncherV1(base)).toBe(true);
    expect(isLauncherV1({ ...base, resume: () => undefined, modelAliases: { smart: 'large' } })).toBe(true);
  });
  it('refuses a resume that is not a function and an alias table that is not a map of strings', () => {
    expect(isLauncherV1({ ...base, resume: 'yes' })).toBe(false);
    expect(isLauncherV1({ ...base, modelAliases: ['large'] })).toBe(false);
    expect(isLauncherV1({ ...base, modelAliases: { smart: 1 } })).toBe(false);
    expect(isLauncherV1({ ...base, modelAliases: null })).toBe(false);
  });
});
