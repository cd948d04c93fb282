import { describe, expect, it } from 'vitest';
import { assertSettingKeys, PROCESS_LAUNCHER_SETTING_KEYS } from './create-process-launcher.js';

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
