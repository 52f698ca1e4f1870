import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';

const base = '[xmpp]\nenabled = false\n';
const problems = (toml: string): readonly string[] => {
  try {
    parseConfig(base + toml, 'test');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('[kerberos] config', () => {
  it('defaults to off, with private directories under ./data', () => {
    const { config } = parseConfig(base, 'test');
    expect(config.kerberos).toEqual({
      enabled: false,
      keytab_file: '/etc/krb5.keytab',
      service: '',
      realms: [],
      user_mapping: 'strip_realm',
      principal_map: {},
      replay_cache_dir: './data/kerberos/rcache',
      delegation_dir: './data/kerberos/ccaches',
    });
  });

  it('needs a realm allow-list when enabled', () => {
    expect(problems('[kerberos]\nenabled = true\n').join('\n')).toContain('kerberos.realms');
    expect(problems('[kerberos]\nenabled = true\nrealms = ["EXAMPLE.ORG"]\n')).toEqual([]);
  });

  it('rejects bad service names, mapping modes, principals and unknown keys', () => {
    expect(problems('[kerberos]\nservice = "HTTP/host@REALM@X"\n').join()).toContain('kerberos.service');
    expect(problems('[kerberos]\nuser_mapping = "lowercase"\n').join()).toContain('kerberos.user_mapping');
    expect(problems('[kerberos]\nprincipal_map = { "alice" = "a" }\n').join()).toContain('kerberos.principal_map');
    expect(problems('[kerberos]\nkeytab = "/x"\n').join()).toContain('kerberos');
  });
});
