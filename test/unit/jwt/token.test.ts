import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createToken } from '../../../src/methods/jwt/client.js';
import { parsePublicKey } from '../../../src/methods/jwt/keys.js';
import { checkClaims, decodeToken, signatureMatches, tokenFromAuthorization, TokenError, type ClaimSettings, type TokenFailure } from '../../../src/methods/jwt/token.js';
import { pythonCompactJson } from '../../../src/methods/jwt/python-json.js';
import { vectorKey } from '../../support/ajwt-vectors.js';

const rsa = vectorKey('rsa2048');
const ed = vectorKey('ed25519');
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const claims = { username: 'guido', time: 1_700_000_000, nonce: 'yVJ0MVWhqPQ' };

/** A token signed by hand with an arbitrary algorithm name, as an attacker would make it. */
function handmade(alg: string, payload: unknown, signer: (input: string) => Buffer, kid = rsa.fingerprint_kid): string {
  const input = `${b64({ alg, kid, typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${signer(input).toString('base64url')}`;
}
const rsaSigner = (digest: string) => (input: string) => sign(digest, Buffer.from(input), rsa.private_pem_pkcs8);

function failureOf(fn: () => unknown): TokenFailure | 'none' {
  try {
    fn();
    return 'none';
  } catch (err) {
    if (err instanceof TokenError) return err.failure;
    throw err;
  }
}

describe('Authorization header (JWT-1)', () => {
  it('splits on the first space and compares the method upper-cased', () => {
    expect(tokenFromAuthorization('JWT a.b.c')).toBe('a.b.c');
    expect(tokenFromAuthorization('jwt a.b.c')).toBe('a.b.c');
    expect(tokenFromAuthorization('Jwt  a.b.c')).toBe(' a.b.c');
    for (const header of ['JWT', 'Bearer a.b.c', 'JWTa.b.c', '', ' JWT a.b.c']) expect(failureOf(() => tokenFromAuthorization(header))).toBe('malformed');
  });
});

describe('algorithms (JWT-3)', () => {
  const rsaKey = parsePublicKey(rsa.public_pem_spki);
  const edKey = parsePublicKey(ed.public_pem_spki);

  it('accepts RS512, RS384 and RS256 with an RSA key', () => {
    for (const [alg, digest] of [['RS512', 'sha512'], ['RS384', 'sha384'], ['RS256', 'sha256']] as const) {
      const token = decodeToken(handmade(alg, claims, rsaSigner(digest)));
      expect(signatureMatches(token, rsaKey.key, rsaKey.type), alg).toBe(true);
    }
  });

  it('refuses none, HS256 keyed with the public PEM, PS256 and ES256 before any key is used', () => {
    const hs256 = handmade('HS256', claims, (input) => createHmac('sha256', rsa.public_pem_spki).update(input).digest());
    const ps256 = handmade('PS256', claims, rsaSigner('sha256'));
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const es256 = handmade('ES256', claims, (input) => sign('sha256', Buffer.from(input), { key: ec, dsaEncoding: 'ieee-p1363' }));
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    for (const token of [hs256, ps256, es256, none, handmade('EdDSA ', claims, rsaSigner('sha256')), handmade('rs512', claims, rsaSigner('sha512'))]) {
      expect(failureOf(() => decodeToken(token))).toBe('algorithm');
    }
  });

  it('refuses cross-type tokens: EdDSA against an RSA key, RS512 against an Ed25519 key', () => {
    const edToken = decodeToken(createToken({ privateKey: ed.private_pem_pkcs8, ...claims }));
    const rsaToken = decodeToken(createToken({ privateKey: rsa.private_pem_pkcs8, ...claims }));
    expect(signatureMatches(edToken, rsaKey.key, rsaKey.type)).toBe(false);
    expect(signatureMatches(rsaToken, edKey.key, edKey.type)).toBe(false);
    // Even when the caller lies about the key's type, the key itself refuses.
    expect(signatureMatches(rsaToken, edKey.key, 'rsa')).toBe(false);
    expect(signatureMatches(edToken, edKey.key, edKey.type)).toBe(true);
  });

  it('refuses a token whose signature does not match', () => {
    const token = createToken({ privateKey: ed.private_pem_pkcs8, ...claims });
    const other = createToken({ privateKey: ed.private_pem_pkcs8, ...claims, nonce: 'other' });
    const spliced = `${token.split('.').slice(0, 2).join('.')}.${other.split('.')[2]}`;
    expect(signatureMatches(decodeToken(spliced), edKey.key, edKey.type)).toBe(false);
  });
});

describe('token structure and claim types (JWT-9, JWT-10)', () => {
  const signed = (payload: unknown) => handmade('RS512', payload, rsaSigner('sha512'));
  const header = b64({ alg: 'EdDSA', typ: 'JWT' });

  it.each([
    ['two parts', 'a.b'],
    ['four parts', 'a.b.c.d'],
    ['garbage', 'garbage'],
    ['empty', ''],
    ['padding in base64url', `${header}=.${b64(claims)}.AAAA`],
    ['standard base64 characters', `${header}.${b64(claims)}.AA+/`],
    ['impossible base64 length', `${header}.${b64(claims)}.AAAAA`],
    ['header not JSON', `${b64('{nope')}.${b64(claims)}.AAAA`],
    ['header an array', `${b64([1])}.${b64(claims)}.AAAA`],
    ['no alg', `${b64({ typ: 'JWT' })}.${b64(claims)}.AAAA`],
    ['kid a number', `${b64({ alg: 'EdDSA', kid: 5 })}.${b64(claims)}.AAAA`],
    ['crit header', `${b64({ alg: 'EdDSA', crit: ['exp'] })}.${b64(claims)}.AAAA`],
    ['payload not JSON', `${header}.${b64('nope')}.AAAA`],
    ['empty signature', `${header}.${b64(claims)}.`],
    ['huge token', `${header}.${b64({ ...claims, pad: 'x'.repeat(9000) })}.AAAA`],
    ['float time', signed({ ...claims, time: 1_700_000_000.5 })],
    ['string time', signed({ ...claims, time: '1700000000' })],
    ['zero time', signed({ ...claims, time: 0 })],
    ['empty nonce', signed({ ...claims, nonce: '' })],
    ['integer nonce', signed({ ...claims, nonce: 12345 })],
    ['list nonce', signed({ ...claims, nonce: ['a'] })],
    ['nonce of 256 characters', signed({ ...claims, nonce: 'n'.repeat(256) })],
    ['no username', signed({ time: claims.time, nonce: claims.nonce })],
    ['username a number', signed({ ...claims, username: 7 })],
    ['exp a string', signed({ ...claims, exp: 'soon' })],
    ['aud a number', signed({ ...claims, aud: 5 })],
  ])('%s → malformed', (_name, token) => {
    expect(failureOf(() => decodeToken(token))).toBe('malformed');
  });

  it('accepts a nonce of 255 characters', () => {
    expect(decodeToken(signed({ ...claims, nonce: 'n'.repeat(255) })).claims.nonce).toHaveLength(255);
  });
});

describe('claims (JWT-3, JWT-4)', () => {
  const settings: ClaimSettings = { tolerance: 20, audience: undefined, requireBinding: false };
  const at = (seconds: number) => claims.time * 1000 + seconds;
  const check = (extra: object, nowMs: number, s: ClaimSettings = settings, request = {}) =>
    failureOf(() => checkClaims({ ...claims, ...extra }, nowMs, s, request));

  it('accepts time within ±20.000 s inclusive and refuses 20.001 s and ±25 s', () => {
    expect(check({}, at(0))).toBe('none');
    expect(check({}, at(20_000))).toBe('none');
    expect(check({}, at(-20_000))).toBe('none');
    expect(check({}, at(20_001))).toBe('stale');
    expect(check({}, at(-20_001))).toBe('stale');
    expect(check({}, at(25_000))).toBe('stale');
    expect(check({}, at(-25_000))).toBe('stale');
  });

  it('follows the configured tolerance', () => {
    expect(check({}, at(60_000), { ...settings, tolerance: 60 })).toBe('none');
    expect(check({}, at(60_001), { ...settings, tolerance: 60 })).toBe('stale');
  });

  it('refuses an expired exp, a future nbf and any aud when no audience is configured', () => {
    expect(check({ exp: claims.time }, at(0))).toBe('expired');
    expect(check({ exp: claims.time + 1 }, at(0))).toBe('none');
    expect(check({ nbf: claims.time + 1 }, at(0))).toBe('expired');
    expect(check({ nbf: claims.time }, at(0))).toBe('none');
    expect(check({ aud: 'https://app.example' }, at(0))).toBe('binding');
  });

  it('binds to a configured audience and to the request when asked (spec/jwt.md §11.4)', () => {
    const withAudience = { ...settings, audience: 'https://app.example' };
    expect(check({}, at(0), withAudience)).toBe('binding');
    expect(check({ aud: 'https://other.example' }, at(0), withAudience)).toBe('binding');
    expect(check({ aud: 'https://app.example' }, at(0), withAudience)).toBe('none');
    expect(check({ aud: ['x', 'https://app.example'] }, at(0), withAudience)).toBe('none');
    const bound = { ...settings, requireBinding: true };
    const request = { method: 'POST', url: 'https://app.example/api' };
    expect(check({}, at(0), bound, request)).toBe('binding');
    expect(check({ htm: 'post', htu: 'https://app.example/api' }, at(0), bound, request)).toBe('none');
    expect(check({ htm: 'GET', htu: 'https://app.example/api' }, at(0), bound, request)).toBe('binding');
    expect(check({ htm: 'POST', htu: 'https://app.example/other' }, at(0), bound, request)).toBe('binding');
    // A bound token is checked even when binding is not required, and needs the request.
    expect(check({ htm: 'POST' }, at(0), settings, {})).toBe('binding');
  });
});

describe('JSON as PyJWT writes it', () => {
  it('escapes everything outside space..~ as Python ensure_ascii does', () => {
    expect(pythonCompactJson({ username: 'José', e: '😀', c: '\u007f\n"\\' })).toBe('{"username":"Jos\\u00e9","e":"\\ud83d\\ude00","c":"\\u007f\\n\\"\\\\"}');
  });

  it('a client token with a non-ASCII username decodes back to it', () => {
    const token = createToken({ privateKey: ed.private_pem_pkcs8, ...claims, username: 'josé' });
    expect(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).toContain('jos\\u00e9');
    expect(decodeToken(token).claims.username).toBe('josé');
  });
});
