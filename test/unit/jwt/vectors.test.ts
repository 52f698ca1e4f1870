import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authorizationHeader, createToken } from '../../../src/methods/jwt/client.js';
import { allowedAlgorithms, parsePublicKey } from '../../../src/methods/jwt/keys.js';
import { decodeToken, signatureMatches } from '../../../src/methods/jwt/token.js';
import { ajwt, vectorKey } from '../../support/ajwt-vectors.js';

const mainJs = new URL('../../../dist/main.js', import.meta.url).pathname;

describe('ajwt.json vectors (asymmetric_jwt_auth 1.2.1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-jwt-vectors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, key] of Object.entries(ajwt.keys)) {
    it(`${name}: the fingerprint of every input form is the vector kid (JWT-7)`, () => {
      const spki = parsePublicKey(key.public_pem_spki);
      const ssh = parsePublicKey(key.public_openssh_with_comment);
      expect(spki.fingerprint).toBe(key.fingerprint_kid);
      expect(ssh.fingerprint).toBe(key.fingerprint_kid);
      expect(spki.pem).toBe(key.public_pem_spki);
      expect(ssh.comment).toBe(key.public_openssh_with_comment.split(' ')[2]);
      expect(allowedAlgorithms[spki.type]).toEqual(key.allowed_algorithms);
    });
  }

  for (const vector of ajwt.client_tokens) {
    const key = vectorKey(vector.key);
    const inputs = { privateKey: key.private_pem_pkcs8, username: vector.username, time: vector.time, nonce: vector.nonce };

    it(`${vector.key}: createToken reproduces the token byte for byte (JWT-2)`, () => {
      expect(createToken(inputs)).toBe(vector.token);
      expect(authorizationHeader(createToken(inputs))).toBe(vector.authorization_header);
    });

    it(`${vector.key}: \`authbridge jwt token\` prints the same token`, () => {
      const file = join(dir, `${vector.key}.pem`);
      writeFileSync(file, key.private_pem_pkcs8);
      const out = execFileSync(process.execPath, [mainJs, 'jwt', 'token', '--key', file, '--user', vector.username, '--time', String(vector.time), '--nonce', vector.nonce], { encoding: 'utf8' });
      expect(out).toBe(`${vector.token}\n`);
    });

    it(`${vector.key}: the vector token verifies against the public key in both forms`, () => {
      const token = decodeToken(vector.token);
      expect(token.kid).toBe(key.fingerprint_kid);
      expect(token.claims).toEqual({ username: vector.username, time: vector.time, nonce: vector.nonce });
      for (const text of [key.public_pem_spki, key.public_openssh_with_comment]) {
        const parsed = parsePublicKey(text);
        expect(signatureMatches(token, parsed.key, parsed.type)).toBe(true);
      }
    });
  }
});
