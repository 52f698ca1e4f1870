import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';

const base = '[xmpp]\nenabled = false\n';

describe('[ska] configuration', () => {
  it('HMAC-MD5 is refused for the global key (providers only), the others accepted', () => {
    expect(() => parseConfig(`${base}[ska]\nalgorithm = "HMAC-MD5"\n`, 'test')).toThrow(/ska\.algorithm/);
    for (const algorithm of ['HMAC-SHA1', 'HMAC-SHA224', 'HMAC-SHA256', 'HMAC-SHA384', 'HMAC-SHA512']) {
      expect(parseConfig(`${base}[ska]\nalgorithm = "${algorithm}"\n`, 'test').config.ska.algorithm).toBe(algorithm);
    }
  });

  it('defaults: SHA-1 (compatibility), no lifetime cap, no one-time use on the API, one-time login', () => {
    expect(parseConfig(base, 'test').config.ska).toMatchObject({ algorithm: 'HMAC-SHA1', max_lifetime: 0, one_time: false, create_users: false, login_signatures: 'check' });
  });

  it('refuses a negative max_lifetime', () => {
    expect(() => parseConfig(`${base}[ska]\nmax_lifetime = -1\n`, 'test')).toThrow(/ska\.max_lifetime/);
  });

  it('hook_url: empty by default (no hooks), hook_timeout 2 s', () => {
    expect(parseConfig(base, 'test').config.ska).toMatchObject({ hook_url: '', hook_timeout: 2 });
    const { ska } = parseConfig(`${base}[ska]\nhook_url = "https://app.example/hooks/ska"\nhook_timeout = 30\n`, 'test').config;
    expect(ska).toMatchObject({ hook_url: 'https://app.example/hooks/ska', hook_timeout: 30 });
  });

  it('refuses a hook_url that is not an http(s) URL, or carries user:password@', () => {
    for (const url of ['app.example/hooks', 'ftp://app.example/hooks', 'file:///tmp/hook', 'https://user:pw@app.example/hooks', 'https://user@app.example/hooks', ' ']) {
      expect(() => parseConfig(`${base}[ska]\nhook_url = "${url}"\n`, 'test'), url).toThrow(/ska\.hook_url: must be an http\(s\) URL without user:password@, or empty/);
    }
  });

  it('refuses a hook_timeout outside 1..30 seconds or not whole', () => {
    for (const timeout of ['0', '31', '1.5']) expect(() => parseConfig(`${base}[ska]\nhook_timeout = ${timeout}\n`, 'test'), timeout).toThrow(/ska\.hook_timeout/);
  });

  it('hook_secret: none by default, from the file when given as hook_secret_file, at least 16 characters', () => {
    expect(parseConfig(base, 'test').config.ska.hook_secret).toBeUndefined();
    expect(() => parseConfig(`${base}[ska]\nhook_secret = "short"\n`, 'test')).toThrow(/ska\.hook_secret: must be at least 16 characters/);
    expect(() => parseConfig(`${base}[ska]\nhook_secret = "a-secret-long-enough"\nhook_secret_file = "/x"\n`, 'test')).toThrow(/ska\.hook_secret/);
  });
});
