import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';

const base = '[xmpp]\nenabled = false\n';

describe('[jwt] configuration', () => {
  it('has defaults that work on a fresh machine', () => {
    expect(parseConfig(base, 'test').config.jwt).toEqual({
      enabled: true,
      tolerance: 20,
      require_request_binding: false,
      publish_keys: [],
      jwks_cache_ttl: 300,
      jwks_refresh_interval: 60,
      jwks_timeout: 5,
      jwks_max_bytes: 65536,
    });
  });

  it('reports bad values and unknown keys with their dotted paths', () => {
    try {
      parseConfig(`${base}[jwt]\ntolerance = 2.5\njwks_timeout = 0\nauth_method = "JWT"\n`, 'test');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/jwt\.tolerance/);
      expect(problems).toMatch(/jwt\.jwks_timeout/);
      expect(problems).toMatch(/jwt\.auth_method: unknown key/);
    }
  });

  it('accepts the bundled example file', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../../config.example.toml', import.meta.url), 'utf8');
    expect(parseConfig(text, 'example').config.jwt.tolerance).toBe(20);
  });
});
