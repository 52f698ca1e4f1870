import type { Clock } from '../clock.js';
import { rateLimited } from '../errors.js';
import type { Db } from '../store/database.js';

export interface RegulationSettings {
  /** Failures within `find_time` seconds that ban a key. */
  max_retries: number;
  find_time: number;
  /** Seconds a ban lasts after the last failure. */
  ban_time: number;
}

/**
 * A key failures are counted against: `ip:203.0.113.9`, or `account:METHOD:NAME`
 * (a user, a key fingerprint, a principal). Accounts and addresses are counted
 * separately so that a success resets the account, never the address (OPS-15).
 */
export const ipKey = (ip: string) => `ip:${ip}`;
export const accountKey = (method: string, account: string) => `account:${method}:${account}`;

export interface Ban {
  key: string;
  failures: number;
  until: number;
}

/**
 * Brute-force regulation for credentials presented to authbridge (signatures,
 * tokens, keys, tickets), stored in SQLite so bans survive restarts. A person who
 * ignores an XMPP approval is not a failed credential and never counts here.
 */
export class Regulation {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #settings: RegulationSettings;
  readonly #count;
  readonly #insert;
  readonly #forget;

  constructor(db: Db, clock: Clock, settings: RegulationSettings) {
    this.#db = db;
    this.#clock = clock;
    this.#settings = settings;
    this.#count = db.prepare('SELECT COUNT(*) AS failures, MAX(at) AS last FROM regulation_failures WHERE key = ? AND at > ?');
    this.#insert = db.prepare('INSERT INTO regulation_failures (key, at) VALUES (?, ?)');
    this.#forget = db.prepare('DELETE FROM regulation_failures WHERE key = ?');
  }

  /** The ban on `key`, if it is banned now. */
  banOf(key: string): Ban | undefined {
    const now = this.#clock.now();
    const { failures, last } = this.#count.get(key, now - this.#settings.find_time * 1000 - this.#settings.ban_time * 1000) as { failures: number; last: number | null };
    if (last === null || failures < this.#settings.max_retries) return undefined;
    const until = last + this.#settings.ban_time * 1000;
    return until > now ? { key, failures, until } : undefined;
  }

  /**
   * Throws 429 (with Retry-After) when any key is banned. Callers answer a banned
   * key exactly as a wrong credential apart from the status, so a ban reveals nothing.
   */
  assertAllowed(keys: readonly string[]): void {
    for (const key of keys) {
      const ban = this.banOf(key);
      if (ban) throw rateLimited('too many failed attempts; try again later', Math.max(1, Math.ceil((ban.until - this.#clock.now()) / 1000)));
    }
  }

  recordFailure(keys: readonly string[]): void {
    const now = this.#clock.now();
    this.#db.transaction(() => {
      for (const key of keys) this.#insert.run(key, now);
    })();
  }

  /** A success clears the account's failures; the address keeps its count. */
  recordSuccess(account: string): void {
    this.#forget.run(account);
  }

  /** Keys banned now, for `authbridge bans list`. */
  listBans(): Ban[] {
    const keys = this.#db.prepare('SELECT DISTINCT key FROM regulation_failures').pluck().all() as string[];
    return keys.flatMap((key) => this.banOf(key) ?? []);
  }

  /** Lifts a ban (and forgets the failures behind it); false when the key had none. */
  revoke(key: string): boolean {
    return this.#db.prepare('DELETE FROM regulation_failures WHERE key = ?').run(key).changes > 0;
  }

  purge(now: number): number {
    const horizon = (this.#settings.find_time + this.#settings.ban_time) * 1000;
    return this.#db.prepare('DELETE FROM regulation_failures WHERE at < ?').run(now - horizon).changes;
  }
}
