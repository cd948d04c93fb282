import { describe, expect, it } from 'vitest';
import { resolveModelText } from './models.js';

const tables = new Map<string, Record<string, string>>([
  ['claude', { smart: 'opus', fast: 'sonnet', cheap: 'haiku' }],
  ['codex', { smart: 'gpt-5.1-codex-max' }],
]);
const resolve = (text: string, defaultLauncher: string | undefined = 'claude') =>
  resolveModelText(text, {
    aliases: { review: 'codex/@smart', quick: 'claude/haiku' },
    defaultLauncher,
    aliasTables: tables,
  });

describe('model names', () => {
  it('maps @aliases per launcher, through models.aliases and launcher/ prefixes', () => {
    expect(resolve('@smart')).toEqual({ model: 'opus' });
    expect(resolve('@cheap')).toEqual({ model: 'haiku' });
    expect(resolve('codex/@smart')).toEqual({ launcher: 'codex', model: 'gpt-5.1-codex-max' });
    expect(resolve('review')).toEqual({ launcher: 'codex', model: 'gpt-5.1-codex-max' });
    expect(resolve('quick')).toEqual({ launcher: 'claude', model: 'haiku' });
    expect(resolve('claude-opus-4-5')).toEqual({ model: 'claude-opus-4-5' });
  });

  it('refuses an unknown alias before launch, naming the known ones', () => {
    expect(() => resolve('@smartest')).toThrow(
      expect.objectContaining({
        code: 'MODEL_ALIAS_UNKNOWN',
        message:
          'model "@smartest": launcher claude has no alias @smartest; its aliases are @smart, @fast, @cheap (set them in sase.yml launcher.claude.models)',
      }),
    );
    expect(() => resolve('codex/@fast')).toThrow(/launcher codex has no alias @fast; its aliases are @smart/);
    expect(() => resolve('@smart', 'shell')).toThrow(/launcher shell has no alias @smart; it has no aliases/);
  });

  it('refuses a model that could read as a flag', () => {
    for (const bad of ['--yolo', '-m', 'a b', 'x\u0007y', '']) {
      if (bad === '') continue;
      expect(() => resolve(bad), bad).toThrow(expect.objectContaining({ code: 'MODEL_INVALID' }));
    }
  });
});
