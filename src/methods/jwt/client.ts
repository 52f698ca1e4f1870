import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { describeKey, type JwtAlgorithm, type PublicKeyInfo } from './keys.js';
import { pythonCompactJson } from './python-json.js';

export interface TokenOptions {
  /** The client's private key: a KeyObject or PEM text (PKCS#8, PKCS#1). */
  privateKey: KeyObject | string;
  username: string;
  /** Whole epoch seconds; default: now, truncated. */
  time?: number;
  /** Default: 8 random bytes as unpadded base64url (11 characters), as the reference. */
  nonce?: string;
  /** Opt-in binding claims (spec/jwt.md §11.4); servers built on PyJWT reject `aud`. */
  audience?: string;
  method?: string;
  url?: string;
  /** Milliseconds since the epoch, for `time` when it is not given. */
  now?: () => number;
}

/** spec/jwt.md §2: the client signs RSA with RS512 (the first allowed), Ed25519 with EdDSA. */
const signingAlgorithm = { rsa: 'RS512', ed25519: 'EdDSA' } as const satisfies Record<string, JwtAlgorithm>;

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** A caller signing many tokens with one KeyObject pays the SPKI export and digest of its kid once. */
const describedKeys = new WeakMap<KeyObject, PublicKeyInfo>();
function describeCached(privateKey: KeyObject): PublicKeyInfo {
  let info = describedKeys.get(privateKey);
  if (!info) {
    info = describeKey(privateKey);
    describedKeys.set(privateKey, info);
  }
  return info;
}

/**
 * The token the reference client sends (spec/jwt.md §1, JWT-2): header with sorted
 * keys, payload in the order username, time, nonce, compact JSON, JWS compact form.
 * EdDSA and RS512 are deterministic, so equal inputs give equal bytes.
 */
export function createToken(options: TokenOptions): string {
  const privateKey = typeof options.privateKey === 'string' ? createPrivateKey(options.privateKey) : options.privateKey;
  const info = describeCached(privateKey);
  const alg = signingAlgorithm[info.type];
  const time = options.time ?? Math.floor((options.now ?? Date.now)() / 1000);
  if (!Number.isSafeInteger(time)) throw new TypeError('time must be whole epoch seconds');
  const nonce = options.nonce ?? randomBytes(8).toString('base64url');
  const header = { alg, kid: info.fingerprint, typ: 'JWT' };
  const payload: Record<string, unknown> = { username: options.username, time, nonce };
  if (options.audience !== undefined) payload['aud'] = options.audience;
  if (options.method !== undefined) payload['htm'] = options.method;
  if (options.url !== undefined) payload['htu'] = options.url;
  const signingInput = `${b64url(pythonCompactJson(header))}.${b64url(pythonCompactJson(payload))}`;
  const signature = sign(alg === 'EdDSA' ? null : 'sha512', Buffer.from(signingInput, 'latin1'), privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** The value of the `Authorization` header for a token. */
export const authorizationHeader = (token: string) => `JWT ${token}`;

