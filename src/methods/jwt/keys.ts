import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { KeyParseError, parseOpenSshPublicKey } from './openssh.js';

export { KeyParseError } from './openssh.js';

export type KeyType = 'rsa' | 'ed25519';
export type JwtAlgorithm = 'RS512' | 'RS384' | 'RS256' | 'EdDSA';

/** spec/jwt.md §2: the algorithms follow the stored key's type, never the token or a JWK's `alg`. */
export const allowedAlgorithms: Record<KeyType, readonly JwtAlgorithm[]> = {
  rsa: ['RS512', 'RS384', 'RS256'],
  ed25519: ['EdDSA'],
};

export const keyTypeOfAlgorithm = (alg: string): KeyType | undefined =>
  alg === 'EdDSA' ? 'ed25519' : alg === 'RS512' || alg === 'RS384' || alg === 'RS256' ? 'rsa' : undefined;

/** spec/jwt.md §11.5 */
export const MIN_RSA_BITS = 2048;

export interface PublicKeyInfo {
  key: KeyObject;
  type: KeyType;
  /** Canonical SPKI PEM text, final newline included (spec/jwt.md §3). */
  pem: string;
  /** JWT-7: lower-case hex SHA-256 of `pem`; also the `kid`. */
  fingerprint: string;
}

/**
 * JWT-7: the fingerprint is taken over the re-serialised SPKI PEM, whatever the input
 * form. A private key is described by its public half.
 */
export function describeKey(input: KeyObject): PublicKeyInfo {
  const key = input.type === 'private' ? createPublicKey(input) : input;
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ed25519') throw new KeyParseError(`unknown key type ${type ?? '?'}: only RSA and Ed25519 are accepted`);
  if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new KeyParseError(`RSA key of ${key.asymmetricKeyDetails?.modulusLength ?? 0} bits: at least ${MIN_RSA_BITS} are required`);
  }
  const pem = key.export({ type: 'spki', format: 'pem' }) as string;
  return { key, type, pem, fingerprint: createHash('sha256').update(pem).digest('hex') };
}

const PUBLIC_PEM = /^-----BEGIN (?:RSA )?PUBLIC KEY-----\r?\n[\s\S]*-----END (?:RSA )?PUBLIC KEY-----\s*$/;

/**
 * A public key as users hand it over (spec/jwt.md §7): PEM (SPKI or PKCS#1) first,
 * then an OpenSSH line. Private keys and certificates are refused, so a pasted
 * private key is never stored.
 */
export function parsePublicKey(text: string): PublicKeyInfo & { comment: string | undefined } {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    if (!PUBLIC_PEM.test(trimmed)) throw new KeyParseError('PEM input must be a PUBLIC KEY or RSA PUBLIC KEY block');
    let key: KeyObject;
    try {
      key = createPublicKey({ key: trimmed, format: 'pem' });
    } catch (err) {
      throw new KeyParseError(`unreadable PEM public key (${(err as Error).message})`);
    }
    return { ...describeKey(key), comment: undefined };
  }
  if (/^ssh-/.test(trimmed)) {
    let parsed: ReturnType<typeof parseOpenSshPublicKey>;
    try {
      parsed = parseOpenSshPublicKey(trimmed);
    } catch (err) {
      if (err instanceof KeyParseError) throw err;
      throw new KeyParseError(`unreadable OpenSSH public key (${(err as Error).message})`);
    }
    return { ...describeKey(parsed.key), comment: parsed.comment };
  }
  throw new KeyParseError('not a PEM or OpenSSH public key');
}

/** spec/jwt.md §9: our JWKS entries; RSA in the reference format, Ed25519 as OKP. */
export function publicJwk(info: PublicKeyInfo): Record<string, string> {
  const jwk = info.key.export({ format: 'jwk' }) as JsonWebKey;
  if (info.type === 'rsa') return { kty: 'RSA', use: 'sig', alg: 'RS512', kid: info.fingerprint, n: String(jwk.n), e: String(jwk.e) };
  return { kty: 'OKP', crv: 'Ed25519', use: 'sig', alg: 'EdDSA', kid: info.fingerprint, x: String(jwk.x) };
}

/**
 * A key from a trusted JWKS (spec/jwt.md §8): keys without a `kid`, not for signing, or
 * of another type than RSA / Ed25519 are ignored (undefined), never an error.
 */
export function keyFromJwk(jwk: unknown): { kid: string; info: PublicKeyInfo } | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  const entry = jwk as Record<string, unknown>;
  const kid = entry['kid'];
  if (typeof kid !== 'string' || kid === '') return undefined;
  if (entry['use'] !== undefined && entry['use'] !== 'sig') return undefined;
  let material: JsonWebKey;
  if (entry['kty'] === 'RSA' && typeof entry['n'] === 'string' && typeof entry['e'] === 'string') {
    material = { kty: 'RSA', n: entry['n'], e: entry['e'] };
  } else if (entry['kty'] === 'OKP' && entry['crv'] === 'Ed25519' && typeof entry['x'] === 'string') {
    material = { kty: 'OKP', crv: 'Ed25519', x: entry['x'] };
  } else {
    return undefined;
  }
  try {
    return { kid, info: describeKey(createPublicKey({ key: material, format: 'jwk' })) };
  } catch {
    return undefined;
  }
}
