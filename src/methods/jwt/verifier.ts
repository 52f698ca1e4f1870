import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { JwtRepository, TokenKey, UsedCredential } from '../../store/jwt.js';
import type { JwksCache } from './jwks.js';
import type { KeyType } from './keys.js';
import { checkClaims, decodeToken, signatureMatches, tokenFromAuthorization, TokenError, type ClaimSettings, type DecodedToken, type RequestBinding } from './token.js';

export interface VerifiedToken {
  username: string;
  /** Fingerprint (kid) of the key that verified. */
  fingerprint: string;
  source: 'key' | 'jwks';
}

export interface VerifierDeps {
  keys: JwtRepository;
  jwks: JwksCache;
  clock: Clock;
  settings: ClaimSettings;
  /** Keys nobody holds a private half of, verified against when the user is unknown (§11.5). */
  decoys: Promise<Record<KeyType, KeyObject>>;
}

/** Parsed stored keys, so a verification does not re-read PEM. Bounded: cleared when full. */
const KEY_CACHE_SIZE = 10_000;
/**
 * `last_used_on` is rewritten at most once per this many milliseconds per key: a busy
 * client would otherwise add a page write to every verification.
 */
const LAST_USED_RESOLUTION_MS = 1000;

interface Match {
  fingerprint: string;
  credential: UsedCredential;
  lastUsedOn: number | null;
  source: 'key' | 'jwks';
}

/**
 * Verification of one `Authorization: JWT …` value (spec/jwt.md §4–§6): JWKS trusts
 * first, then stored keys, first success wins; then the claims, then the atomic
 * nonce record. Every refusal is a TokenError, never anything else.
 */
export class JwtVerifier {
  readonly #deps: VerifierDeps;
  readonly #parsed = new Map<string, KeyObject | null>();

  constructor(deps: VerifierDeps) {
    this.#deps = deps;
  }

  /** JWT-1, JWT-2: the unverified token; the username in it may be used to count failures. */
  decode(authorization: string): DecodedToken {
    return decodeToken(tokenFromAuthorization(authorization));
  }

  async verify(token: DecodedToken, request: RequestBinding): Promise<VerifiedToken> {
    const { keys, clock, settings, decoys } = this.#deps;
    const { username } = token.claims;
    const user = keys.credentialsOf(username);
    if (!user || user.disabled) {
      // §11.5: the same signature work as for a known user with one key.
      signatureMatches(token, (await decoys)[token.keyType], token.keyType);
      throw new TokenError('unknown_user', 'no active user of that name');
    }
    const match = (user.hasTrusts ? await this.#viaJwks(token, user.userId) : undefined) ?? this.#viaStoredKeys(token, user.keys);
    if (!match) {
      // §11.5: a user without a key of the token's type costs a verification too.
      if (!user.keys.some((key) => key.keyType === token.keyType)) signatureMatches(token, (await decoys)[token.keyType], token.keyType);
      throw new TokenError('signature', 'no key of this user verifies the token');
    }
    const now = clock.now();
    checkClaims(token.claims, now, settings, request);
    // spec/jwt.md §5: kept until the token cannot pass the window any more (≥ 2 × tolerance + 1 s).
    const expiresAt = now + (2 * settings.tolerance + 1) * 1000;
    const stamp = match.lastUsedOn !== null && Math.abs(now - match.lastUsedOn) < LAST_USED_RESOLUTION_MS ? undefined : match.credential;
    if (!keys.recordUse({ username, time: token.claims.time, nonce: token.claims.nonce, expiresAt }, stamp)) {
      throw new TokenError('replayed', 'this token has been used already');
    }
    return { username, fingerprint: match.fingerprint, source: match.source };
  }

  async #viaJwks(token: DecodedToken, userId: number): Promise<Match | undefined> {
    for (const trust of this.#deps.keys.trustsOfUser(userId)) {
      const info = await this.#deps.jwks.keyFor(trust.url, token.kid);
      if (info && signatureMatches(token, info.key, info.type)) {
        return { fingerprint: info.fingerprint, credential: { trustId: trust.id }, lastUsedOn: trust.lastUsedOn, source: 'jwks' };
      }
    }
    return undefined;
  }

  /** JWT-6: every stored key of the user whose type allows the algorithm is tried. */
  #viaStoredKeys(token: DecodedToken, stored: TokenKey[]): Match | undefined {
    for (const row of stored) {
      if (row.keyType !== token.keyType) continue;
      const key = this.#keyObject(row);
      if (key && signatureMatches(token, key, row.keyType)) return { fingerprint: row.fingerprint, credential: { keyId: row.id }, lastUsedOn: row.lastUsedOn, source: 'key' };
    }
    return undefined;
  }

  /**
   * JWT-9: a stored key that no longer parses is skipped, not an error. The cache is
   * keyed by fingerprint (a digest of the key itself), never by row id, which SQLite may reuse.
   */
  #keyObject(row: TokenKey): KeyObject | null {
    let key = this.#parsed.get(row.fingerprint);
    if (key === undefined) {
      const pem = this.#deps.keys.publicKeyText(row.id);
      if (pem === undefined) return null;
      try {
        key = createPublicKey({ key: pem, format: 'pem' });
      } catch {
        key = null;
      }
      if (this.#parsed.size >= KEY_CACHE_SIZE) this.#parsed.clear();
      this.#parsed.set(row.fingerprint, key);
    }
    return key;
  }
}
