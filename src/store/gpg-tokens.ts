import { createHash } from 'node:crypto';
import type { Db } from './database.js';

/** Tokens are compared by their SHA-256 only; the UUID is lower-cased first (spec/gpgauth.md §9). */
export const hashGpgToken = (uuid: string): Buffer => createHash('sha256').update(uuid.toLowerCase()).digest();

/** Stage-1 login tokens (spec/gpgauth.md §11, GPG-8). */
export class GpgTokenRepository {
  readonly #db: Db;
  readonly #insert;
  readonly #active;
  readonly #retire;
  readonly #consume;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare("INSERT INTO gpg_tokens (token_hash, user_id, type, created_at) VALUES (?, ?, 'login', ?)");
    this.#active = db.prepare("SELECT token_hash FROM gpg_tokens WHERE user_id = ? AND type = 'login' AND consumed_at IS NULL AND created_at > ? ORDER BY created_at DESC, rowid DESC");
    this.#retire = db.prepare('DELETE FROM gpg_tokens WHERE token_hash = ?');
    this.#consume = db.prepare(
      "UPDATE gpg_tokens SET consumed_at = ? WHERE token_hash = ? AND user_id = ? AND type = 'login' AND consumed_at IS NULL AND created_at > ?",
    );
  }

  /**
   * Stores a new token; beyond `cap` live tokens for the user, the oldest are deleted
   * (not merely marked), so a flood of stage-1 requests leaves no rows for the next
   * query to wade through.
   */
  create(uuid: string, userId: number, now: number, ttlMs: number, cap: number): void {
    this.#db.transaction(() => {
      this.#insert.run(hashGpgToken(uuid), userId, now);
      const live = this.#active.pluck().all(userId, now - ttlMs) as Buffer[];
      for (const hash of live.slice(cap)) this.#retire.run(hash);
    })();
  }

  /** One atomic UPDATE: true for exactly one caller, and only for a live token of this user. */
  consume(uuid: string, userId: number, now: number, ttlMs: number): boolean {
    return this.#consume.run(now, hashGpgToken(uuid), userId, now - ttlMs).changes === 1;
  }

  activeCount(userId: number, now: number, ttlMs: number): number {
    return this.#active.all(userId, now - ttlMs).length;
  }

  /** Deletes tokens created before `horizon` (consumed or expired either way). */
  purgeCreatedBefore(horizon: number): number {
    return this.#db.prepare('DELETE FROM gpg_tokens WHERE created_at <= ?').run(horizon).changes;
  }
}
