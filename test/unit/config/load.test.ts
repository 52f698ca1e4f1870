import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledConfigPath, loadConfig, parseConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';

const problemsOf = (toml: string): string[] => {
  try {
    parseConfig(toml, 'test.toml');
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
};

describe('configuration', () => {
  it('the bundled example loads, with a loud warning about its example secret', () => {
    const { config, warnings } = loadConfig(bundledConfigPath);
    expect(config.http.listen).toBe('127.0.0.1:8080');
    expect(config.store.path).toBe('./data/authbridge.sqlite');
    expect(config.xmpp).toMatchObject({ enabled: true, domain: 'auth.localhost', default_timeout: 60, max_timeout: 300 });
    expect(warnings.join('\n')).toContain('change-me');
  });

  it('reports every problem at once, with dotted key paths, unknown keys included', () => {
    const problems = problemsOf(`
[http]
listen = "nowhere"
colour = "blue"
[xmpp]
default_timeout = 300
service = "http://x"
[limits]
pending_per_jid = 0
[surprise]
x = 1
`);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^http\.listen: /),
      'http.colour: unknown key',
      expect.stringMatching(/^xmpp\.default_timeout: /),
      expect.stringMatching(/^xmpp\.service: /),
      expect.stringMatching(/^limits\.pending_per_jid: /),
      'surprise: unknown key',
      'xmpp.secret: required (set secret or secret_file)',
    ]));
  });

  it('reads secrets from files, relative ones from $CREDENTIALS_DIRECTORY', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authbridge-cfg-'));
    writeFileSync(join(dir, 'component-secret'), 's3cret\n');
    expect(parseConfig(`[xmpp]\nsecret_file = "${join(dir, 'component-secret')}"\n`, 't').config.xmpp.secret).toBe('s3cret');
    process.env['CREDENTIALS_DIRECTORY'] = dir;
    try {
      expect(parseConfig('[xmpp]\nsecret_file = "component-secret"\n', 't').config.xmpp.secret).toBe('s3cret');
    } finally {
      delete process.env['CREDENTIALS_DIRECTORY'];
    }
    expect(problemsOf(`[xmpp]\nsecret_file = "${join(dir, 'missing')}"\n`)).toEqual([expect.stringMatching(/^xmpp\.secret_file: cannot read .*ENOENT/)]);
    expect(problemsOf('[xmpp]\nsecret = "a"\nsecret_file = "/x"\n')).toEqual(['xmpp.secret: give either secret or secret_file, not both']);
  });

  it('does not need a secret when XMPP is disabled; refuses bad TOML clearly', () => {
    expect(problemsOf('[xmpp]\nenabled = false\n')).toEqual([]);
    expect(problemsOf('[http\nlisten=')).toEqual([expect.stringMatching(/^test\.toml: not valid TOML/)]);
  });
});
