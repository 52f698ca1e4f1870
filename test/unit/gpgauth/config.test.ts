import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';

const BASE = '[xmpp]\nenabled = false\n';

const problems = (toml: string): readonly string[] => {
  try {
    parseConfig(BASE + toml, 'test');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('[gpgauth] configuration', () => {
  it('has the documented defaults', () => {
    const { config } = parseConfig(BASE, 'test');
    expect(config.gpgauth).toMatchObject({ token_ttl: 300, max_active_tokens: 5, debug: false, unknown_key_message: 'There is no user associated with this key.' });
  });

  it('refuses an unknown-key wording that cannot travel in an HTTP header', () => {
    for (const message of ['Pas de clé → ici', 'two\nlines', '']) {
      expect(problems(`[gpgauth]\nunknown_key_message = ${JSON.stringify(message)}`).join()).toMatch(/gpgauth\.unknown_key_message/);
    }
    expect(problems('[gpgauth]\nunknown_key_message = "No such key."')).toEqual([]);
  });

  it('bounds the token lifetime and the per-user cap', () => {
    expect(problems('[gpgauth]\ntoken_ttl = 0').join()).toMatch(/gpgauth\.token_ttl/);
    expect(problems('[gpgauth]\nmax_active_tokens = 0').join()).toMatch(/gpgauth\.max_active_tokens/);
  });
});
