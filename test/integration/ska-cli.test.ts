import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const { sign_vectors: vectors } = JSON.parse(readFileSync(new URL('../vectors/ska-sign.json', import.meta.url), 'utf8')) as {
  sign_vectors: Array<{ id: string; algorithm: string; secret_key: string; auth_user: string; valid_until_str: string; extra: Record<string, string>; extra_insertion_order: string[]; signed_url: string }>;
};

// Each command is a fresh Node process: allow for slow, loaded CI machines.
describe('authbridge ska (CLI, built dist/main.js)', { timeout: 180_000 }, () => {
  let dir: string;
  let config: string;
  const cli = (...args: string[]) => {
    const result = spawnSync(process.execPath, [main, ...args, '--config', config], { encoding: 'utf8' });
    return { code: result.status, out: result.stdout, err: result.stderr };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'authbridge-ska-cli-'));
    config = join(dir, 'config.toml');
    writeFileSync(join(dir, 'global.key'), 'global-secret-of-at-least-32-bytes!!\n');
    writeFileSync(config, `[store]\npath = "${join(dir, 'db.sqlite')}"\n[xmpp]\nenabled = false\n[ska]\nsecret_file = "${join(dir, 'global.key')}"\nalgorithm = "HMAC-SHA256"\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sign prints exactly the signed URL of every shared vector', () => {
    for (const v of vectors) {
      const secretFile = join(dir, 'vector.key');
      writeFileSync(secretFile, v.secret_key);
      const extras = v.extra_insertion_order.flatMap((k) => ['--extra', `${k}=${v.extra[k]}`]);
      const res = cli('ska', 'sign', '--user', v.auth_user, '--secret-file', secretFile, '--algorithm', v.algorithm, '--valid-until', v.valid_until_str, ...extras, '--url', 'http://e.com/api/');
      expect(res, v.id).toMatchObject({ code: 0, out: `${v.signed_url}\n` });
    }
  });

  it('sign --dict prints the signed fields as Python json.dumps would', () => {
    const v = vectors.find((x) => x.id === 'HMAC-SHA1/ascii_profile/past_float');
    if (!v) throw new Error('vector missing');
    writeFileSync(join(dir, 'v.key'), v.secret_key);
    const res = cli('ska', 'sign', '--user', 'user', '--secret-file', join(dir, 'v.key'), '--valid-until', '1378045287.0', '--extra', 'email=john.doe@mail.example.com', '--extra', 'first_name=John', '--extra', 'last_name=Doe', '--dict');
    expect(res.out).toBe(
      '{"signature": "NIrE8s7dkkgx15eydhfEQ1AWO68=", "auth_user": "user", "valid_until": "1378045287.0", "extra": "email,first_name,last_name", "email": "john.doe@mail.example.com", "first_name": "John", "last_name": "Doe"}\n',
    );
  });

  it('sign refuses forgery-prone input and MD5 without a provider', () => {
    writeFileSync(join(dir, 'k'), 'k');
    expect(cli('ska', 'sign', '--user', 'a%b', '--secret-file', join(dir, 'k')).code).toBe(2);
    expect(cli('ska', 'sign', '--user', 'a', '--secret-file', join(dir, 'k'), '--extra', 'a=1&b=2').code).toBe(2);
    expect(cli('ska', 'sign', '--user', 'a', '--secret-file', join(dir, 'k'), '--valid-until', '4102444800.0_1').code).toBe(2);
    expect(cli('ska', 'sign', '--user', 'a', '--secret-file', join(dir, 'k'), '--algorithm', 'HMAC-MD5').code).toBe(2);
    writeFileSync(join(dir, 'empty'), '\n');
    expect(cli('ska', 'sign', '--user', 'a', '--secret-file', join(dir, 'empty'))).toMatchObject({ code: 2, err: expect.stringContaining('is empty') });
    expect(cli('ska', 'provider', 'add', 'blank', '--secret-file', join(dir, 'empty')).code).toBe(2);
  });

  it('provider add|list|remove, sign --provider and verify', () => {
    writeFileSync(join(dir, 'old.key'), 'legacy-provider-secret-32-bytes-long');
    expect(cli('ska', 'provider', 'add', 'legacy', '--secret-file', join(dir, 'old.key'), '--algorithm', 'HMAC-MD5', '--redirect', 'https://legacy.example/')).toMatchObject({ code: 0 });
    const added = cli('ska', 'provider', 'add', 'shop');
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/HMAC-SHA256[\s\S]*shown only now/);
    expect(cli('ska', 'provider', 'add', 'shop').code).toBe(1);
    const list = cli('ska', 'provider', 'list').out;
    expect(list).toMatch(/legacy\s+HMAC-MD5\s+default\s+https:\/\/legacy\.example\//);
    expect(list).not.toContain('legacy-provider-secret');

    const url = cli('ska', 'sign', '--user', 'bob', '--provider', 'legacy', '--extra', 'provider=legacy', '--url', 'https://app.example/login/').out.trim();
    expect(url).toMatch(/^https:\/\/app\.example\/login\/\?signature=/);
    expect(cli('ska', 'verify', url)).toMatchObject({ code: 0, out: expect.stringMatching(/^valid: user bob, provider legacy/) });
    const tampered = url.replace('auth_user=bob', 'auth_user=eve');
    expect(cli('ska', 'verify', tampered)).toMatchObject({ code: 1, out: expect.stringMatching(/^invalid: Invalid signature!/) });

    const globalUrl = cli('ska', 'sign', '--user', 'carol', '--secret-file', join(dir, 'global.key'), '--algorithm', 'HMAC-SHA256', '--lifetime', '60').out.trim();
    expect(cli('ska', 'verify', globalUrl)).toMatchObject({ code: 0, out: expect.stringMatching(/^valid: user carol, provider -/) });
    const expired = cli('ska', 'sign', '--user', 'carol', '--secret-file', join(dir, 'global.key'), '--algorithm', 'HMAC-SHA256', '--valid-until', '1378045287.0').out.trim();
    expect(cli('ska', 'verify', expired)).toMatchObject({ code: 1, out: expect.stringMatching(/^invalid: Signature timestamp expired!/) });

    // The provider's allowed-users pattern applies as in the daemon.
    expect(cli('ska', 'provider', 'add', 'staff', '--secret-file', join(dir, 'old.key'), '--allowed-users', 'staff-[a-z]+').code).toBe(0);
    const staff = (user: string) => cli('ska', 'sign', '--user', user, '--provider', 'staff', '--extra', 'provider=staff').out.trim();
    expect(cli('ska', 'verify', staff('staff-ann'))).toMatchObject({ code: 0, out: expect.stringMatching(/^valid: user staff-ann, provider staff/) });
    expect(cli('ska', 'verify', staff('root'))).toMatchObject({ code: 1, out: expect.stringMatching(/^invalid: provider staff may not sign for user root/) });

    expect(cli('ska', 'provider', 'remove', 'legacy').code).toBe(0);
    expect(cli('ska', 'provider', 'remove', 'legacy').code).toBe(1);
    expect(cli('ska', 'verify', url)).toMatchObject({ code: 1, out: expect.stringMatching(/unknown provider/) });
  });

  it('every command has --help', () => {
    expect(cli('ska', '--help')).toMatchObject({ code: 0, out: expect.stringContaining('authbridge ska sign --user U') });
  });
});
