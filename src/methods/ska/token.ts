import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Clock } from '../../clock.js';
import { describeKey, type PublicKeyInfo } from '../jwt/keys.js';

/** A private key of `[jwt] publish_keys`, so tokens verify against /.well-known/jwks.json. */
export interface TokenKey {
  key: KeyObject;
  info: PublicKeyInfo;
}

/** A usable key, or why there is none (logged at startup). */
export type TokenKeyLoad = { key: TokenKey } | { problem: string };

/**
 * The first `[jwt] publish_keys` file must hold a private key (the JWT module has
 * already checked it is readable and of a usable type).
 */
export function loadTokenKey(publishKeys: readonly string[]): TokenKeyLoad {
  const path = publishKeys[0];
  if (path === undefined) return { problem: '[jwt] publish_keys is empty' };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { problem: `${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  if (!/PRIVATE KEY-----/.test(text)) return { problem: `${path} holds only a public key` };
  try {
    const key = createPrivateKey(text);
    return { key: { key, info: describeKey(key) } };
  } catch (err) {
    return { problem: `${path}: ${(err as Error).message}` };
  }
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * SKA-8: the JWT of ska's DRF token endpoint. drf-jwt's claims depend on its
 * configuration (spec/ska.md §10); ours are drf-jwt's default payload minus the
 * database id: `username`, `email` when known, `iat` and `exp`. Signed RS512
 * (RSA) or EdDSA (Ed25519) with `kid` = the key's JWKS kid.
 */
export class SkaTokenIssuer {
  readonly #key: TokenKey | null;
  readonly #clock: Clock;
  readonly #lifetime: number;

  constructor(key: TokenKey | null, clock: Clock, lifetimeSeconds: number) {
    this.#key = key;
    this.#clock = clock;
    this.#lifetime = lifetimeSeconds;
  }

  /** Checked before any signature is, so a misconfigured daemon uses up no one-time token. */
  get available(): boolean {
    return this.#key !== null;
  }

  issue(username: string, email: string | null): string {
    if (this.#key === null) throw new Error('no token signing key (check `available` first)');
    const { key, info } = this.#key;
    const alg = info.type === 'rsa' ? 'RS512' : 'EdDSA';
    const iat = Math.floor(this.#clock.now() / 1000);
    const payload: Record<string, unknown> = { username, ...(email ? { email } : {}), iat, exp: iat + this.#lifetime };
    const signingInput = `${b64url({ alg, kid: info.fingerprint, typ: 'JWT' })}.${b64url(payload)}`;
    const signature = sign(alg === 'EdDSA' ? null : 'sha512', Buffer.from(signingInput, 'ascii'), key);
    return `${signingInput}.${signature.toString('base64url')}`;
  }
}
