import type { Clock } from '../clock.js';
import type { Db } from './database.js';

export interface GpgKey {
  fingerprint: string;
  userId: number;
  username: string;
  armored: string;
  createdAt: number;
  revokedAt: number | null;
  userDisabled: boolean;
}

interface GpgKeyRow {
  fingerprint: string;
  user_id: number;
  username: string;
  armored: string;
  created_at: number;
  revoked_at: number | null;
  disabled: number;
}

const toKey = (r: GpgKeyRow): GpgKey => ({
  fingerprint: r.fingerprint,
  userId: r.user_id,
  username: r.username,
  armored: r.armored,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  userDisabled: r.disabled === 1,
});

export class GpgKeyExistsError extends Error {}

const select = 'SELECT gpg_keys.*, users.username, users.disabled FROM gpg_keys JOIN users ON users.id = gpg_keys.user_id';

/** Users' OpenPGP public keys (migration 006-gpgauth). */
export class GpgKeyRepository {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #find;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#find = db.prepare(`${select} WHERE gpg_keys.fingerprint = ?`);
  }

  add(userId: number, fingerprint: string, armored: string): void {
    if (this.#find.get(fingerprint)) throw new GpgKeyExistsError(`key ${fingerprint} is already imported`);
    this.#db.prepare('INSERT INTO gpg_keys (fingerprint, user_id, armored, created_at) VALUES (?, ?, ?, ?)').run(fingerprint, userId, armored, this.#clock.now());
  }

  find(fingerprint: string): GpgKey | undefined {
    const row = this.#find.get(fingerprint) as GpgKeyRow | undefined;
    return row && toKey(row);
  }

  /** The key a login may use: not revoked, its user not disabled. */
  findActive(fingerprint: string): GpgKey | undefined {
    const key = this.find(fingerprint);
    return key && key.revokedAt === null && !key.userDisabled ? key : undefined;
  }

  list(): GpgKey[] {
    return (this.#db.prepare(`${select} ORDER BY users.username, gpg_keys.created_at`).all() as GpgKeyRow[]).map(toKey);
  }

  /** False when no such unrevoked key exists. */
  revoke(fingerprint: string): boolean {
    return this.#db.prepare('UPDATE gpg_keys SET revoked_at = ? WHERE fingerprint = ? AND revoked_at IS NULL').run(this.#clock.now(), fingerprint).changes > 0;
  }
}
