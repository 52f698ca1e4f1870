import { createPublicKey, generateKeyPairSync, verify, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { globalKey, globalSecret, signedQuery } from '../support/ska.js';

const start = Date.UTC(2026, 0, 1);
const inAnHour = String(start / 1000 + 3600) + '.0';
const skaConfig = `[ska]\nsecret = "${globalSecret}"\nalgorithm = "HMAC-SHA256"\n[regulation]\nmax_retries = 1000\n`;

async function obtain(t: TestDaemon, query: string, path = '/ska/obtain-jwt-token/') {
  const res = await fetch(`${t.url}${path}?${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const part = (token: string, i: number) => JSON.parse(Buffer.from(token.split('.')[i] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/** Verifies a JWT with node:crypto against the daemon's published JWKS, as a relying party would. */
async function verifyWithJwks(t: TestDaemon, token: string): Promise<boolean> {
  const { keys } = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: Array<JsonWebKey & { kid: string; alg: string }> };
  const header = part(token, 0);
  const jwk = keys.find((k) => k.kid === header['kid']);
  if (!jwk || jwk.alg !== header['alg']) return false;
  const [head, payload, signature] = token.split('.') as [string, string, string];
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  return verify(header['alg'] === 'EdDSA' ? null : 'sha512', Buffer.from(`${head}.${payload}`), key, Buffer.from(signature, 'base64url'));
}

describe('GET /ska/obtain-jwt-token/ (SKA-8)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-ska-token-'));
  const clock = new ManualClock(start);
  let rsa: TestDaemon;
  let ed: TestDaemon;
  beforeAll(async () => {
    writeFileSync(join(dir, 'rsa.pem'), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'ed.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    rsa = await startTestDaemon(`${skaConfig}[jwt]\npublish_keys = ["${join(dir, 'rsa.pem')}", "${join(dir, 'ed.pem')}"]\n`, { clock });
    ed = await startTestDaemon(`${skaConfig}[jwt]\npublish_keys = ["${join(dir, 'ed.pem')}"]\n`, { clock });
  });
  afterAll(async () => {
    await rsa.stop();
    await ed.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns an RS512 JWT for the signed user that verifies against /.well-known/jwks.json', async () => {
    const res = await obtain(rsa, signedQuery('alice', inAnHour, [['email', 'alice@example.org']]));
    expect(res.status).toBe(200);
    const token = res.body['token'] as string;
    expect(Object.keys(res.body)).toEqual(['token']);
    expect(part(token, 0)).toMatchObject({ alg: 'RS512', typ: 'JWT' });
    expect(part(token, 1)).toEqual({ username: 'alice', email: 'alice@example.org', iat: start / 1000, exp: start / 1000 + 300 });
    expect(await verifyWithJwks(rsa, token)).toBe(true);
    const tampered = `${token.split('.')[0]}.${Buffer.from(JSON.stringify({ username: 'root', iat: 0, exp: 9e9 })).toString('base64url')}.${token.split('.')[2]}`;
    expect(await verifyWithJwks(rsa, tampered)).toBe(false);
  });

  it('signs with EdDSA when the first published key is Ed25519; also served under ska-rest/', async () => {
    const res = await obtain(ed, signedQuery('bob', inAnHour), '/ska-rest/obtain-jwt-token/');
    expect(res.status).toBe(200);
    const token = res.body['token'] as string;
    expect(part(token, 0)).toMatchObject({ alg: 'EdDSA' });
    expect(part(token, 1)).toMatchObject({ username: 'bob' });
    expect(await verifyWithJwks(ed, token)).toBe(true);
  });

  it('401 "Unauthorised request. <reasons>" for a bad or expired signature', async () => {
    const wrong = await obtain(rsa, signedQuery('alice', inAnHour, [], { ...globalKey, secret: 'another-secret' }));
    expect(wrong).toMatchObject({ status: 401, body: { error: 'ERR_SIGNATURE_INVALID', error_description: 'Unauthorised request. Invalid signature!' } });
    const both = await obtain(rsa, signedQuery('alice', String(start / 1000 - 1) + '.0', [], { ...globalKey, secret: 'another-secret' }));
    expect(both).toMatchObject({ status: 401, body: { error_description: 'Unauthorised request. Invalid signature!; Signature timestamp expired!' } });
    expect(both.body['token']).toBeUndefined();
  });

  it('refuses a replayed signature (one-time, as the login)', async () => {
    const query = signedQuery('carol', inAnHour);
    expect((await obtain(rsa, query)).status).toBe(200);
    expect(await obtain(rsa, query)).toMatchObject({ status: 401, body: { error: 'ERR_SIGNATURE_REPLAYED' } });
  });
});

describe('GET /ska/obtain-jwt-token/ without a private signing key', () => {
  it('answers 503 ERR_TOKEN_KEY_UNAVAILABLE, with no key or with only a public key published', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authbridge-ska-token-'));
    writeFileSync(join(dir, 'ed.pub'), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    for (const jwt of ['', `[jwt]\npublish_keys = ["${join(dir, 'ed.pub')}"]\n`]) {
      const t = await startTestDaemon(`${skaConfig}${jwt}`);
      try {
        const res = await obtain(t, signedQuery('alice', `${Math.floor(Date.now() / 1000) + 600}.0`));
        expect(res).toMatchObject({ status: 503, body: { error: 'ERR_TOKEN_KEY_UNAVAILABLE' } });
      } finally {
        await t.stop();
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
