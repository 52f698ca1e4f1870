import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createMessage, decrypt, encrypt, readKey, readMessage, readPrivateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpgCommand } from '../../src/cli/gpg.js';
import { login } from '../../src/methods/gpgauth/client.js';
import { decodeUserAuthToken } from '../../src/methods/gpgauth/encoding.js';
import { GnupgHome } from '../support/gpg.js';
import { postStage, startGpgAuthDaemon, type GpgAuthDaemon } from '../support/gpgauth.js';

const run = promisify(execFile);

/** Runs `authbridge gpg …` in-process against the daemon's store; returns exit code and output. */
async function cli(t: GpgAuthDaemon, args: string[]): Promise<{ code: number; out: string }> {
  const config = join(t.dir, 'cli.toml');
  writeFileSync(config, `[store]\npath = "${join(t.dir, 'authbridge.sqlite')}"\n[xmpp]\nenabled = false\n`);
  const lines: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    return { code: await gpgCommand.run([...args, '--config', config]), out: lines.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('gpgAuth interop with GnuPG 2.2 (GPG-11)', () => {
  const home = new GnupgHome();
  let t: GpgAuthDaemon;
  const users: Record<'ed25519' | 'rsa3072', string> = { ed25519: '', rsa3072: '' };

  beforeAll(async () => {
    users.ed25519 = home.makeKey('Ed User <ed@example.test>', 'ed25519');
    users.rsa3072 = home.makeKey('Rsa User <rsa@example.test>', 'rsa3072');
    t = await startGpgAuthDaemon('[session]\nsecure = false');
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    home.remove();
  });

  it.each(['ed25519', 'rsa3072'] as const)('imports a gpg-made %s key with the CLI and logs in with the TypeScript client', async (kind) => {
    const fpr = users[kind];
    const file = join(t.dir, `${kind}.pub.asc`);
    writeFileSync(file, home.exportPublic(fpr));
    const imported = await cli(t, ['import', kind, file]);
    expect(imported).toMatchObject({ code: 0 });
    expect(imported.out).toContain(`imported ${fpr}`);
    expect((await cli(t, ['list'])).out).toMatch(new RegExp(`${fpr}\\s+${kind}`));
    const userKey = await readPrivateKey({ armoredKey: home.exportSecret(fpr) });
    const result = await login({ server: t.url, userKey, serverFingerprint: t.server.fingerprint });
    expect(result).toMatchObject({ user: kind, fingerprint: fpr });
  });

  it('refuses an RSA key made without an encryption subkey, with a clear message', async () => {
    const fpr = home.makeKey('Sign Only <sign@example.test>', 'rsa3072', false);
    const file = join(t.dir, 'signonly.asc');
    writeFileSync(file, home.exportPublic(fpr));
    const res = await cli(t, ['import', 'signonly', file]);
    expect(res.code).toBe(1);
    expect(res.out).toContain('no usable encryption subkey');
  });

  it('refuses gpg-made expired and revoked keys, with clear messages', async () => {
    const expired = home.makeExpiredKey('Old User <old@example.test>');
    const revoked = home.makeKey('Gone User <gone@example.test>', 'ed25519');
    home.revoke(revoked);
    for (const [fpr, reason] of [[expired, `key ${expired} expired on 2020-01-02`], [revoked, `key ${revoked} is revoked`]] as const) {
      const file = join(t.dir, `${fpr}.asc`);
      writeFileSync(file, home.exportPublic(fpr));
      const res = await cli(t, ['import', 'refused', file]);
      expect(res.code).toBe(1);
      expect(res.out).toContain(`error: key refused: ${reason}`);
      expect(t.daemon.store.gpgKeys.find(fpr)).toBeUndefined();
    }
  });

  it.each(['ed25519', 'rsa3072'] as const)('%s: gpg --decrypt of a stage-1 token shows GOODSIG, VALIDSIG and the exact plaintext', async (kind) => {
    const fpr = users[kind];
    const res = await postStage(t.url, { keyid: fpr });
    expect(res.status).toBe(200);
    const armored = decodeUserAuthToken(res.headers.get('X-GPGAuth-User-Auth-Token') ?? '');
    home.gpg(['--import'], t.server.privateKey.toPublic().armor());
    const file = join(t.dir, `token-${kind}.asc`);
    writeFileSync(file, armored);
    const { stdout, stderr } = await run('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--status-fd', '2', '--decrypt', file], { env: { ...process.env, GNUPGHOME: home.dir } });
    expect(stdout).toMatch(/^gpgauthv1\.3\.0\|36\|[0-9a-f-]{36}\|gpgauthv1\.3\.0$/);
    expect(stderr).toMatch(/\[GNUPG:\] GOODSIG /);
    expect(stderr).toContain(`[GNUPG:] VALIDSIG ${t.server.fingerprint} `);
    // and that very plaintext completes the login
    expect((await postStage(t.url, { keyid: fpr, user_token_result: stdout })).status).toBe(200);
  });

  it.each(['ed25519', 'rsa3072'] as const)('%s: gpg --encrypt --sign output decrypts and verifies in OpenPGP.js', async (kind) => {
    const fpr = users[kind];
    const serverKey = t.daemon.gpgauth.service?.serverKey.privateKey;
    if (!serverKey) throw new Error('gpgAuth is not ready');
    home.gpg(['--import'], serverKey.toPublic().armor());
    const text = 'gpgauthv1.3.0|36|3f2504e0-4f89-41d3-9a0c-0305e82c3301|gpgauthv1.3.0';
    const armored = home.gpg(['--armor', '--trust-model', 'always', '--encrypt', '--recipient', t.server.fingerprint, '--sign', '--local-user', fpr], text);
    const { data, signatures } = await decrypt({
      message: await readMessage({ armoredMessage: armored }),
      decryptionKeys: serverKey,
      verificationKeys: await readKey({ armoredKey: home.exportPublic(fpr) }),
      expectSigned: true,
      format: 'utf8',
    });
    expect(data).toBe(text);
    expect(await signatures[0]?.verified).toBe(true);
  });

  it('a gpg-made server key (ed25519/cv25519) serves the handshake', async () => {
    const serverFpr = home.makeKey('Server <server@example.test>', 'ed25519');
    const other = await startGpgAuthDaemon('', {}, { armored: home.exportSecret(serverFpr) });
    try {
      await other.addUser('ed', home.exportPublic(users.ed25519));
      const userKey = await readPrivateKey({ armoredKey: home.exportSecret(users.ed25519) });
      expect(await login({ server: other.url, userKey, serverFingerprint: serverFpr })).toMatchObject({ user: 'ed' });
      const token = await encrypt({ message: await createMessage({ text: 'x' }), encryptionKeys: await readKey({ armoredKey: home.exportPublic(serverFpr) }) });
      expect((await postStage(other.url, { keyid: users.ed25519, server_verify_token: token })).headers.get('X-GPGAuth-Error')).toBe('true');
    } finally {
      await other.stop();
    }
  });

  it('the shell client (gpg + curl only) completes the three-stage handshake', async () => {
    const script = join(import.meta.dirname, 'gpgauth-client.sh');
    const { stdout } = await run('bash', [script, t.url, users.ed25519], { env: { ...process.env, GNUPGHOME: home.dir } }).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`shell client failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    expect(stdout).toContain(`server-key: ${t.server.fingerprint}`);
    expect(stdout).toContain('stage0: server verified');
    expect(stdout).toContain(`stage1: token decrypted, GOODSIG from ${t.server.fingerprint}`);
    expect(stdout).toMatch(/complete: authbridge_session=[A-Za-z0-9_-]{43}/);
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ user: 'ed25519', method: 'gpgauth' });
  });

  it('`authbridge gpg login` runs the handshake with a gpg-exported key, printing each stage', async () => {
    const file = join(t.dir, 'ed.sec.asc');
    writeFileSync(file, home.exportSecret(users.ed25519));
    const res = await cli(t, ['login', '--server', t.url, '--key', file, '--server-fingerprint', t.server.fingerprint]);
    expect(res.code).toBe(0);
    expect(res.out.split('\n').map((l) => l.split(':')[0])).toEqual(['server-key', 'stage0', 'stage1', 'complete', 'session cookie']);
    const pinnedWrong = await cli(t, ['login', '--server', t.url, '--key', file, '--server-fingerprint', 'A'.repeat(40)]);
    expect(pinnedWrong.code).toBe(1);
    expect(pinnedWrong.out).toContain('is not the expected');
  });

  it('`authbridge gpg import USER -` reads the key from stdin (built CLI)', () => {
    const fpr = home.makeKey('Stdin User <stdin@example.test>', 'ed25519');
    const config = join(t.dir, 'stdin.toml');
    writeFileSync(config, `[store]\npath = "${join(t.dir, 'authbridge.sqlite')}"\n[xmpp]\nenabled = false\n`);
    const main = join(import.meta.dirname, '..', '..', 'dist', 'main.js');
    const res = spawnSync(process.execPath, [main, 'gpg', 'import', 'stdin-user', '-', '--config', config], { input: home.exportPublic(fpr), encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(`imported ${fpr}`);
    expect(t.daemon.store.gpgKeys.findActive(fpr)?.username).toBe('stdin-user');
  });

  it('a passphrase-protected gpg-made RSA-3072 server key is unlocked at start-up; a wrong passphrase is a configuration error', async () => {
    const serverFpr = home.makeKey('Rsa Server <rsa-server@example.test>', 'rsa3072', true, 'server secret');
    const armored = home.exportSecret(serverFpr, 'server secret');
    expect((await readPrivateKey({ armoredKey: armored })).isDecrypted()).toBe(false);
    await expect(startGpgAuthDaemon('', {}, { armored, passphrase: 'wrong' })).rejects.toThrow(/gpgauth\.passphrase: does not unlock/);
    const other = await startGpgAuthDaemon('', {}, { armored, passphrase: 'server secret' });
    try {
      await other.addUser('ed', home.exportPublic(users.ed25519));
      const userKey = await readPrivateKey({ armoredKey: home.exportSecret(users.ed25519) });
      expect(await login({ server: other.url, userKey, serverFingerprint: serverFpr })).toMatchObject({ user: 'ed' });
    } finally {
      await other.stop();
    }
  }, 90_000);

  it('`authbridge serve` (built) exits 78 before binding for a wrong server key passphrase; `config validate` finds it first', async () => {
    const serverFpr = home.makeKey('Locked Server <locked@example.test>', 'ed25519', true, 'right');
    const keyFile = join(t.dir, 'locked.sec.asc');
    const passFile = join(t.dir, 'locked.pass');
    writeFileSync(keyFile, home.exportSecret(serverFpr, 'right'));
    writeFileSync(passFile, 'wrong\n');
    const config = join(t.dir, 'locked.toml');
    writeFileSync(
      config,
      `[http]\nlisten = "127.0.0.1:0"\n[store]\npath = "${join(t.dir, 'locked.sqlite')}"\n[xmpp]\nenabled = false\n[gpgauth]\nserver_key_file = "${keyFile}"\npassphrase_file = "${passFile}"\n`,
    );
    const main = join(import.meta.dirname, '..', '..', 'dist', 'main.js');
    const validate = spawnSync(process.execPath, [main, 'config', 'validate', '--config', config], { encoding: 'utf8', timeout: 60_000 });
    expect(validate.status).toBe(1);
    expect(validate.stderr).toContain(`gpgauth.passphrase: does not unlock ${serverFpr}`);
    const res = spawnSync(process.execPath, [main, 'serve', '--config', config], { encoding: 'utf8', timeout: 60_000 });
    expect(res.signal).toBeNull();
    expect(res.status).toBe(78);
    expect(res.stderr).toContain('invalid configuration');
    expect(res.stderr).toContain(`gpgauth.passphrase: does not unlock ${serverFpr}`);
    expect(res.stdout).not.toContain('http.listening');
    for (const output of [res.stderr, res.stdout, validate.stderr, validate.stdout]) expect(output).not.toContain('wrong');
  }, 90_000);

  it('`authbridge gpg login --passphrase-file` unlocks a protected gpg-exported user key', async () => {
    const fpr = home.makeKey('Locked User <locked-user@example.test>', 'ed25519', true, 'user secret');
    const pub = join(t.dir, 'locked-user.pub.asc');
    writeFileSync(pub, home.exportPublic(fpr));
    expect((await cli(t, ['import', 'locked-user', pub])).code).toBe(0);
    const key = join(t.dir, 'locked-user.sec.asc');
    writeFileSync(key, home.exportSecret(fpr, 'user secret'));
    const pass = join(t.dir, 'locked-user.pass');
    writeFileSync(pass, 'user secret\n');
    await expect(cli(t, ['login', '--server', t.url, '--key', key])).rejects.toThrow(/--passphrase-file/);
    const wrong = join(t.dir, 'locked-user.wrong');
    writeFileSync(wrong, 'not it\n');
    expect(await cli(t, ['login', '--server', t.url, '--key', key, '--passphrase-file', wrong])).toMatchObject({ code: 1, out: expect.stringContaining(`error: the passphrase does not unlock ${fpr}`) });
    expect(await cli(t, ['login', '--server', t.url, '--key', pub])).toMatchObject({ code: 1, out: expect.stringContaining('is not an armored OpenPGP private key') });
    await expect(cli(t, ['login', '--server', t.url, '--key', join(t.dir, 'missing.asc')])).rejects.toThrow(/cannot read .*missing\.asc \(ENOENT\)/);
    const res = await cli(t, ['login', '--server', t.url, '--key', key, '--passphrase-file', pass]);
    expect(res.code).toBe(0);
    expect(res.out).toContain('complete: logged in as locked-user');
  });

  it('the CLI revokes a key, which then cannot log in', async () => {
    const res = await cli(t, ['revoke', users.rsa3072.toLowerCase()]);
    expect(res.code).toBe(0);
    expect((await postStage(t.url, { keyid: users.rsa3072 })).status).toBe(400);
    expect((await cli(t, ['revoke', users.rsa3072])).code).toBe(1);
  });
});
