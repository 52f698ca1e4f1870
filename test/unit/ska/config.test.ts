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
});
