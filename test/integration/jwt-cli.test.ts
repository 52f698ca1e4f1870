import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { vectorKey } from '../support/ajwt-vectors.js';

const mainJs = new URL('../../dist/main.js', import.meta.url).pathname;
const run = promisify(execFile);

/** Runs the CLI; resolves with its exit code and output instead of throwing. */
function cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [mainJs, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

describe('authbridge jwt (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-jwt-cli-'));
  const config = join(dir, 'config.toml');
  writeFileSync(config, `[store]\npath = "${join(dir, 'db.sqlite')}"\n[xmpp]\nenabled = false\n`);
  const c = ['--config', config];
  const ed = vectorKey('ed25519');
  const rsa = vectorKey('rsa2048');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds keys from a file and from stdin, lists and revokes them', async () => {
    await run(process.execPath, [mainJs, 'user', 'add', 'guido', ...c]);
    writeFileSync(join(dir, 'ed.pub'), ed.public_openssh_with_comment);
    expect(await cli(['jwt', 'key', 'add', 'guido', join(dir, 'ed.pub'), ...c])).toMatchObject({ code: 0, stdout: `added ed25519 key ${ed.fingerprint_kid} for guido\n` });
    expect(await cli(['jwt', 'key', 'add', 'guido', '-', '--comment', 'laptop', ...c], rsa.public_pem_spki)).toMatchObject({ code: 0 });
    const listed = await cli(['jwt', 'key', 'list', 'guido', ...c]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`guido +${ed.fingerprint_kid} +ed25519 +guido@workstation`));
    expect(listed.stdout).toMatch(new RegExp(`guido +${rsa.fingerprint_kid} +rsa +laptop`));
    expect(await cli(['jwt', 'key', 'revoke', rsa.fingerprint_kid.toUpperCase(), ...c])).toMatchObject({ code: 0 });
    expect((await cli(['jwt', 'key', 'list', ...c])).stdout).not.toContain(rsa.fingerprint_kid);
    expect(await cli(['jwt', 'key', 'revoke', rsa.fingerprint_kid, ...c])).toMatchObject({ code: 1 });
  });

  it('refuses what is not a usable public key, naming the reason', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    for (const [input, reason] of [[ed.private_pem_pkcs8, /PUBLIC KEY/], [weak, /2048/], [ec, /unknown key type/], ['junk', /not a PEM or OpenSSH/], [ed.public_pem_spki, /already registered/]] as const) {
      const res = await cli(['jwt', 'key', 'add', 'guido', '-', ...c], input);
      expect(res.code, input.slice(0, 30)).toBe(1);
      expect(res.stderr).toMatch(reason);
    }
    expect(await cli(['jwt', 'key', 'add', 'nobody', '-', ...c], ed.public_pem_spki)).toMatchObject({ code: 1, stderr: expect.stringContaining('no user nobody') });
    for (const group of ['key', 'trust']) {
      expect(await cli(['jwt', group, 'list', 'nobody', ...c])).toMatchObject({ code: 1, stdout: '', stderr: 'error: no user nobody\n' });
    }
  });

  it('manages JWKS trusts', async () => {
    expect(await cli(['jwt', 'trust', 'add', 'guido', 'https://keys.example/jwks.json', ...c])).toMatchObject({ code: 0 });
    expect((await cli(['jwt', 'trust', 'list', ...c])).stdout).toMatch(/guido +https:\/\/keys\.example\/jwks\.json/);
    expect(await cli(['jwt', 'trust', 'add', 'guido', 'ftp://x/y', ...c])).toMatchObject({ code: 2 });
    expect(await cli(['jwt', 'trust', 'remove', 'guido', 'https://keys.example/jwks.json', ...c])).toMatchObject({ code: 0 });
    expect(await cli(['jwt', 'trust', 'remove', 'guido', 'https://keys.example/jwks.json', ...c])).toMatchObject({ code: 1 });
  });

  it('has true --help texts and usage errors with exit code 2', async () => {
    const help = await cli(['jwt', '--help']);
    expect(help.code).toBe(0);
    for (const words of ['jwt key add USER FILE|-', 'jwt key list [USER]', 'jwt key revoke FINGERPRINT', 'jwt token --key FILE --user USER']) expect(help.stdout).toContain(words);
    expect((await cli(['jwt', 'token', '--user', 'guido'])).code).toBe(2);
    expect((await cli(['jwt', 'token', '--key', 'x', '--user', 'guido', '--time', 'soon'])).code).toBe(2);
    expect((await cli(['jwt', 'frobnicate'])).code).toBe(2);
  });

  it('jwt token refuses a public key or a missing file without a stack trace', async () => {
    writeFileSync(join(dir, 'pub.pem'), ed.public_pem_spki);
    const res = await cli(['jwt', 'token', '--key', join(dir, 'pub.pem'), '--user', 'guido']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/not a usable .* private key/);
    expect((await cli(['jwt', 'token', '--key', join(dir, 'missing.pem'), '--user', 'guido'])).code).toBe(2);
  });
});
