import type { Clock } from '../clock.js';
import type { Db } from './database.js';

export type StoredKeyType = 'rsa' | 'ed25519';

export interface JwtPublicKey {
  id: number;
  username: string;
  fingerprint: string;
  keyType: StoredKeyType;
  /** Canonical SPKI PEM. */
  publicKey: string;
  comment: string | null;
  createdAt: number;
  lastUsedOn: number | null;
}

export interface JwksTrust {
  id: number;
  username: string;
  url: string;
  createdAt: number;
  lastUsedOn: number | null;
}

interface KeyRow {
  id: number;
  username: string;
  fingerprint: string;
  key_type: StoredKeyType;
  public_key: string;
  comment: string | null;
  created_at: number;
  last_used_on: number | null;
}

interface TrustRow {
  id: number;
  username: string;
  url: string;
  created_at: number;
  last_used_on: number | null;
}

const toKey = (row: KeyRow): JwtPublicKey => ({
  id: row.id,
  username: row.username,
  fingerprint: row.fingerprint,
  keyType: row.key_type,
  publicKey: row.public_key,
  comment: row.comment,
  createdAt: row.created_at,
  lastUsedOn: row.last_used_on,
});

const toTrust = (row: TrustRow): JwksTrust => ({ id: row.id, username: row.username, url: row.url, createdAt: row.created_at, lastUsedOn: row.last_used_on });

export class KeyExistsError extends Error {}
export class TrustExistsError extends Error {}

/** A stored key as token verification needs it (the PEM is read only when not cached). */
export interface TokenKey {
  id: number;
  fingerprint: string;
  keyType: StoredKeyType;
  lastUsedOn: number | null;
}

/** A user as token verification needs it: one query on the hot path. */
export interface TokenCredentials {
  userId: number;
  disabled: boolean;
  keys: TokenKey[];
  hasTrusts: boolean;
}

interface CredentialRow {
  user_id: number;
  disabled: number;
  has_trusts: number;
  id: number | null;
  fingerprint: string;
  key_type: StoredKeyType;
  last_used_on: number | null;
}

/** What verified a token, so its `last_used_on` is stamped (JWT-6). */
export type UsedCredential = { keyId: number } | { trustId: number };

/** The (username, time, nonce) triple of an accepted token (spec/jwt.md §5). */
export interface NonceUse {
  username: string;
  time: number;
  nonce: string;
  /** Milliseconds since the epoch after which the row may be purged. */
  expiresAt: number;
}

const KEY_COLUMNS = 'k.id, u.username, k.fingerprint, k.key_type, k.public_key, k.comment, k.created_at, k.last_used_on';
const TRUST_COLUMNS = 't.id, u.username, t.url, t.created_at, t.last_used_on';

/** JWT public keys and JWKS trusts per user, and the used-nonce table. */
export class JwtRepository {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #trustsOfUser;
  readonly #insertNonce;
  readonly #stampKey;
  readonly #stampTrust;
  readonly #purge;
  readonly #credentials;
  readonly #recordUse;
  readonly #publicKeyText;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#trustsOfUser = db.prepare(`SELECT ${TRUST_COLUMNS} FROM jwt_jwks_trusts t JOIN users u ON u.id = t.user_id WHERE t.user_id = ? ORDER BY t.id`);
    this.#insertNonce = db.prepare('INSERT OR IGNORE INTO jwt_nonces (username, time, nonce, expires_at) VALUES (?, ?, ?, ?)');
    this.#stampKey = db.prepare('UPDATE jwt_public_keys SET last_used_on = ? WHERE id = ?');
    this.#stampTrust = db.prepare('UPDATE jwt_jwks_trusts SET last_used_on = ? WHERE id = ?');
    this.#purge = db.prepare('DELETE FROM jwt_nonces WHERE expires_at < ?');
    this.#credentials = db.prepare(`
      SELECT u.id AS user_id, u.disabled,
             EXISTS (SELECT 1 FROM jwt_jwks_trusts t WHERE t.user_id = u.id) AS has_trusts,
             k.id, k.fingerprint, k.key_type, k.last_used_on
      FROM users u LEFT JOIN jwt_public_keys k ON k.user_id = u.id
      WHERE u.username = ? ORDER BY k.id`);
    this.#publicKeyText = db.prepare('SELECT public_key FROM jwt_public_keys WHERE id = ?').pluck();
    this.#recordUse = db.transaction((use: NonceUse, stamp: UsedCredential): boolean => {
      if (this.#insertNonce.run(use.username, use.time, use.nonce, use.expiresAt).changes !== 1) return false;
      const now = this.#clock.now();
      if ('keyId' in stamp) this.#stampKey.run(now, stamp.keyId);
      else this.#stampTrust.run(now, stamp.trustId);
      return true;
    });
  }

  /** The user named in a token with its keys, or undefined when no user has that name. */
  credentialsOf(username: string): TokenCredentials | undefined {
    const rows = this.#credentials.all(username) as CredentialRow[];
    const first = rows[0];
    if (!first) return undefined;
    return {
      userId: first.user_id,
      disabled: first.disabled === 1,
      hasTrusts: first.has_trusts === 1,
      keys: rows.flatMap((row) => (row.id === null ? [] : [{ id: row.id, fingerprint: row.fingerprint, keyType: row.key_type, lastUsedOn: row.last_used_on }])),
    };
  }

  /** The canonical SPKI PEM of a stored key, if it still exists. */
  publicKeyText(id: number): string | undefined {
    return this.#publicKeyText.get(id) as string | undefined;
  }

  addKey(input: { userId: number; fingerprint: string; keyType: StoredKeyType; publicKey: string; comment: string | null }): JwtPublicKey {
    return this.#db.transaction(() => {
      const existing = this.findKey(input.fingerprint);
      if (existing) throw new KeyExistsError(`key ${input.fingerprint} is already registered (user ${existing.username})`);
      const { lastInsertRowid } = this.#db
        .prepare('INSERT INTO jwt_public_keys (user_id, fingerprint, key_type, public_key, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(input.userId, input.fingerprint, input.keyType, input.publicKey, input.comment, this.#clock.now());
      return toKey(this.#db.prepare(`SELECT ${KEY_COLUMNS} FROM jwt_public_keys k JOIN users u ON u.id = k.user_id WHERE k.id = ?`).get(lastInsertRowid) as KeyRow);
    })();
  }

  findKey(fingerprint: string): JwtPublicKey | undefined {
    const row = this.#db.prepare(`SELECT ${KEY_COLUMNS} FROM jwt_public_keys k JOIN users u ON u.id = k.user_id WHERE k.fingerprint = ?`).get(fingerprint) as KeyRow | undefined;
    return row && toKey(row);
  }

  /** Every key, or one user's, ordered by user then age. */
  listKeys(username?: string): JwtPublicKey[] {
    const where = username === undefined ? '' : 'WHERE u.username = ?';
    const rows = this.#db.prepare(`SELECT ${KEY_COLUMNS} FROM jwt_public_keys k JOIN users u ON u.id = k.user_id ${where} ORDER BY u.username, k.id`).all(...(username === undefined ? [] : [username]));
    return (rows as KeyRow[]).map(toKey);
  }

  /** Deletes the key; false when no key has that fingerprint. */
  revokeKey(fingerprint: string): boolean {
    return this.#db.prepare('DELETE FROM jwt_public_keys WHERE fingerprint = ?').run(fingerprint).changes > 0;
  }

  addTrust(userId: number, url: string): JwksTrust {
    return this.#db.transaction(() => {
      if (this.#db.prepare('SELECT 1 FROM jwt_jwks_trusts WHERE user_id = ? AND url = ?').get(userId, url)) throw new TrustExistsError(`the user already trusts ${url}`);
      const { lastInsertRowid } = this.#db.prepare('INSERT INTO jwt_jwks_trusts (user_id, url, created_at) VALUES (?, ?, ?)').run(userId, url, this.#clock.now());
      return toTrust(this.#db.prepare(`SELECT ${TRUST_COLUMNS} FROM jwt_jwks_trusts t JOIN users u ON u.id = t.user_id WHERE t.id = ?`).get(lastInsertRowid) as TrustRow);
    })();
  }

  trustsOfUser(userId: number): JwksTrust[] {
    return (this.#trustsOfUser.all(userId) as TrustRow[]).map(toTrust);
  }

  listTrusts(username?: string): JwksTrust[] {
    const where = username === undefined ? '' : 'WHERE u.username = ?';
    const rows = this.#db.prepare(`SELECT ${TRUST_COLUMNS} FROM jwt_jwks_trusts t JOIN users u ON u.id = t.user_id ${where} ORDER BY u.username, t.id`).all(...(username === undefined ? [] : [username]));
    return (rows as TrustRow[]).map(toTrust);
  }

  removeTrust(username: string, url: string): boolean {
    return this.#db.prepare('DELETE FROM jwt_jwks_trusts WHERE url = ? AND user_id = (SELECT id FROM users WHERE username = ?)').run(url, username).changes > 0;
  }

  /**
   * JWT-5: records the nonce and stamps `last_used_on` (unless `stamp` is undefined) in
   * one transaction. The insert-if-absent on the primary key is the whole replay
   * check: of any number of concurrent copies (in this or another process), exactly
   * one inserts the row. Returns false for a replay.
   */
  recordUse(use: NonceUse, stamp: UsedCredential | undefined): boolean {
    // A single statement is atomic on its own; the transaction is needed only with the stamp.
    if (stamp === undefined) return this.#insertNonce.run(use.username, use.time, use.nonce, use.expiresAt).changes === 1;
    return this.#recordUse.immediate(use, stamp);
  }

  /** Deletes nonce rows whose token can no longer pass the time window. */
  purgeNonces(now: number): number {
    return this.#purge.run(now).changes;
  }
}
