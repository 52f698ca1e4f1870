import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationHeader, createToken } from '../../src/methods/jwt/client.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { ajwt, vectorKey } from '../support/ajwt-vectors.js';
import { VECTOR_TIME, vectorClock, verifyJwt } from '../support/jwt.js';

const run = promisify(execFile);
/** Debian's interpreter, so that python3-jwt and python3-cryptography are the ones imported. */
const PYTHON = '/usr/bin/python3';
const script = new URL('../interop/ajwt_client.py', import.meta.url).pathname;
const mainJs = new URL('../../dist/main.js', import.meta.url).pathname;

const python = async (...args: string[]) => (await run(PYTHON, [script, ...args])).stdout.trim();
const cli = async (...args: string[]) => (await run(process.execPath, [mainJs, ...args])).stdout.trim();

describe('interop with PyJWT (python3-jwt 2.6) and python3-cryptography', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-jwt-interop-'));
  const config = join(dir, 'config.toml');
  const clock = vectorClock();
  let t: TestDaemon;

  beforeAll(async () => {
    const store = `[store]\npath = "${join(dir, 'db.sqlite')}"\n`;
    writeFileSync(config, `${store}[xmpp]\nenabled = false\n`);
    for (const [name, key] of Object.entries(ajwt.keys)) writeFileSync(join(dir, `${name}.pem`), key.private_pem_pkcs8);
    writeFileSync(join(dir, 'jwks.pem'), vectorKey('ed25519').public_pem_spki);
    t = await startTestDaemon(`${store}[regulation]\nmax_retries = 100000\n[jwt]\npublish_keys = ["${join(dir, 'jwks.pem')}"]\n`, { clock });
  });
  afterAll(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the Python client reproduces every vector token, and so do we', async () => {
    for (const vector of ajwt.client_tokens) {
      const made = await python('token', join(dir, `${vector.key}.pem`), vector.username, String(vector.time), vector.nonce);
      expect(made).toBe(vector.token);
    }
  });

  it('non-ASCII usernames: our token equals the Python token byte for byte', async () => {
    for (const name of Object.keys(ajwt.keys)) {
      const made = await python('token', join(dir, `${name}.pem`), 'josé 😀', String(VECTOR_TIME), 'AbCdEfGhIjK');
      expect(createToken({ privateKey: readFileSync(join(dir, `${name}.pem`), 'utf8'), username: 'josé 😀', time: VECTOR_TIME, nonce: 'AbCdEfGhIjK' })).toBe(made);
    }
  });

  it('accepts tokens made in Python with keys made in Python and added with `authbridge jwt key add`', async () => {
    await cli('user', 'add', 'pyuser', '--config', config);
    for (const [kind, algorithms] of [['ed25519', ['EdDSA']], ['rsa', ['RS512', 'RS384', 'RS256']]] as const) {
      const keyDir = join(dir, `py-${kind}`);
      mkdirSync(keyDir);
      const fingerprint = await python('keygen', kind, keyDir);
      expect(await cli('jwt', 'key', 'add', 'pyuser', join(keyDir, 'public.ssh'), '--config', config)).toContain(fingerprint);
      for (const alg of algorithms) {
        const token = await python('token', join(keyDir, 'private.pem'), 'pyuser', String(VECTOR_TIME), `py-${alg}`, alg);
        expect(await verifyJwt(t.url, { authorization: `JWT ${token}` }), alg).toEqual({ status: 200, body: { user: 'pyuser', key_fingerprint: fingerprint, source: 'key' } });
      }
    }
    const listed = await cli('jwt', 'key', 'list', 'pyuser', '--config', config);
    expect(listed.match(/made-by-python/g)).toHaveLength(2);
    expect(listed).not.toMatch(/ - *$/m);
  });

  it('our client tokens verify in PyJWT, with a kid PyJWT agrees on', async () => {
    for (const type of ['ed25519', 'rsa'] as const) {
      const pair = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
      const pub = join(dir, `node-${type}.pub.pem`);
      writeFileSync(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
      const token = createToken({ privateKey: pair.privateKey, username: 'guido' });
      expect(JSON.parse(await python('verify', pub, token))).toEqual({ claims: { username: 'guido', time: expect.any(Number), nonce: expect.stringMatching(/^[A-Za-z0-9_-]{11}$/) }, kid_matches: true });
    }
  });

  it('PyJWKClient reads our /.well-known/jwks.json and verifies a token by its kid', async () => {
    const token = createToken({ privateKey: vectorKey('ed25519').private_pem_pkcs8, username: 'guido', time: VECTOR_TIME, nonce: 'jwks-interop' });
    expect(JSON.parse(await python('verify-jwks', `${t.url}/.well-known/jwks.json`, token))).toEqual({ claims: { username: 'guido', time: VECTOR_TIME, nonce: 'jwks-interop' } });
  });

  it('a token PyJWT refuses for a wrong key is refused by us too', async () => {
    const token = await python('token', join(dir, 'ed25519.pem'), 'pyuser', String(VECTOR_TIME), 'wrong-key');
    expect(await verifyJwt(t.url, { authorization: authorizationHeader(token) })).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_SIGNATURE' } });
    await expect(python('verify', join(dir, 'node-ed25519.pub.pem'), token)).rejects.toThrow(/InvalidSignatureError|Signature verification failed/);
  });
});
