import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyFromJwk, KeyParseError, parsePublicKey, publicJwk } from '../../../src/methods/jwt/keys.js';
import { vectorKey } from '../../support/ajwt-vectors.js';

const rsa = vectorKey('rsa2048');
const ed = vectorKey('ed25519');

describe('parsePublicKey (spec/jwt.md §7)', () => {
  it('gives the same fingerprint for PKCS#1 input as for SPKI (JWT-7)', () => {
    const pkcs1 = createPublicKey(rsa.public_pem_spki).export({ type: 'pkcs1', format: 'pem' }) as string;
    expect(pkcs1).toMatch(/^-----BEGIN RSA PUBLIC KEY-----/);
    expect(parsePublicKey(pkcs1).fingerprint).toBe(rsa.fingerprint_kid);
  });

  it('tolerates surrounding whitespace, which makes the reference fail', () => {
    expect(parsePublicKey(`  \n${ed.public_openssh_with_comment}\n`).fingerprint).toBe(ed.fingerprint_kid);
    expect(parsePublicKey(`\n${ed.public_pem_spki}`).fingerprint).toBe(ed.fingerprint_kid);
  });

  it('has no comment for an OpenSSH line of two fields, and keeps a comment with spaces', () => {
    const [type, body] = ed.public_openssh_with_comment.split(' ');
    expect(parsePublicKey(`${type} ${body}`).comment).toBeUndefined();
    expect(parsePublicKey(`${type} ${body} guido at work`).comment).toBe('guido at work');
  });

  it('refuses private keys, certificates-like blocks, weak RSA, EC and junk', () => {
    const refused = [
      rsa.private_pem_pkcs8,
      ed.private_pem_pkcs8,
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string,
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string,
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      'ssh-ed25519 AAAA',
      'ssh-ed25519 not*base64',
      'ssh-dss AAAAB3NzaC1kc3MAAACBAP== x',
      `ssh-rsa ${ed.public_openssh_with_comment.split(' ')[1]}`,
      `ssh-ed25519 ${Buffer.concat([Buffer.from(ed.public_openssh_with_comment.split(' ')[1] as string, 'base64'), Buffer.from([0, 0, 0, 0])]).toString('base64')}`,
      'hello',
      '',
    ];
    for (const text of refused) expect(() => parsePublicKey(text), text.slice(0, 40)).toThrow(KeyParseError);
  });
});

describe('JWKs', () => {
  it('publishes RSA in the reference format and Ed25519 as OKP (spec/jwt.md §9)', () => {
    const rsaJwk = publicJwk(parsePublicKey(rsa.public_pem_spki));
    expect(Object.keys(rsaJwk)).toEqual(['kty', 'use', 'alg', 'kid', 'n', 'e']);
    expect(rsaJwk).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS512', kid: rsa.fingerprint_kid, e: 'AQAB' });
    expect(publicJwk(parsePublicKey(ed.public_pem_spki))).toMatchObject({ kty: 'OKP', crv: 'Ed25519', use: 'sig', alg: 'EdDSA', kid: ed.fingerprint_kid });
  });

  it('reads back what it publishes, with the same fingerprint', () => {
    for (const key of [rsa, ed]) {
      const found = keyFromJwk(publicJwk(parsePublicKey(key.public_pem_spki)));
      expect(found?.kid).toBe(key.fingerprint_kid);
      expect(found?.info.fingerprint).toBe(key.fingerprint_kid);
    }
  });

  it('ignores keys without kid, not for signing, EC, oct, weak RSA and junk (spec/jwt.md §8)', () => {
    const okp = publicJwk(parsePublicKey(ed.public_pem_spki));
    const ec = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), kid: 'ec', use: 'sig' };
    const weak = { ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: 'weak' };
    const ignored = [{ ...okp, kid: undefined }, { ...okp, kid: '' }, { ...okp, use: 'enc' }, ec, weak, { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }, { ...okp, x: 'short' }, null, 'x', [okp]];
    for (const jwk of ignored) expect(keyFromJwk(jwk)).toBeUndefined();
  });
});
