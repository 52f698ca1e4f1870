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
  readonly #onBan: ((key: string) => void) | undefined;
  readonly #count;
  readonly #insert;
  readonly #forget;
  /**
   * Failure times per key recorded by this process (and loaded at start), so the
   * check on every request needs no query. Only the daemon records failures, so
   * this holds at least what the table holds; a ban it finds is confirmed in
   * SQLite, where `authbridge bans revoke` may have lifted it from another process.
   */
  readonly #failures = new Map<string, number[]>();

  /** `onBan` is called once for each key that a recorded failure bans. */
  constructor(db: Db, clock: Clock, settings: RegulationSettings, onBan?: (key: string) => void) {
    this.#db = db;
    this.#clock = clock;
    this.#settings = settings;
    this.#onBan = onBan;
    this.#count = db.prepare('SELECT COUNT(*) AS failures, MAX(at) AS last FROM regulation_failures WHERE key = ? AND at > ?');
    this.#insert = db.prepare('INSERT INTO regulation_failures (key, at) VALUES (?, ?)');
    this.#forget = db.prepare('DELETE FROM regulation_failures WHERE key = ?');
    const rows = db.prepare('SELECT key, at FROM regulation_failures WHERE at > ? ORDER BY at').all(this.#horizonStart()) as Array<{ key: string; at: number }>;
    for (const { key, at } of rows) this.#remember(key, at);
  }

  /** The ban on `key`, if it is banned now. */
  banOf(key: string): Ban | undefined {
    const known = this.#failures.get(key);
    if (!known || this.#banFrom(key, known.filter((at) => at > this.#horizonStart()).length, known.at(-1) ?? null) === undefined) return undefined;
    const { failures, last } = this.#count.get(key, this.#horizonStart()) as { failures: number; last: number | null };
    return this.#banFrom(key, failures, last);
  }

  #banFrom(key: string, failures: number, last: number | null): Ban | undefined {
    if (last === null || failures < this.#settings.max_retries) return undefined;
    const until = last + this.#settings.ban_time * 1000;
    return until > this.#clock.now() ? { key, failures, until } : undefined;
  }

  /** Failures older than this can no longer contribute to a ban. */
  #horizonStart(): number {
    return this.#clock.now() - (this.#settings.find_time + this.#settings.ban_time) * 1000;
  }

  #remember(key: string, at: number): void {
    const known = this.#failures.get(key);
    if (known) known.push(at);
    else this.#failures.set(key, [at]);
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
    const onBan = this.#onBan;
    // Two failures racing past assertAllowed must not count one ban twice.
    const wasBanned = onBan && keys.map((key) => this.banOf(key) !== undefined);
    this.#db.transaction(() => {
      for (const key of keys) this.#insert.run(key, now);
    })();
    for (const key of keys) this.#remember(key, now);
    if (onBan && wasBanned) {
      keys.forEach((key, i) => {
        if (!wasBanned[i] && this.banOf(key)) onBan(key);
      });
    }
  }

  /** A success clears the account's failures; the address keeps its count. */
  recordSuccess(account: string): void {
    if (!this.#failures.delete(account)) return;
    this.#forget.run(account);
  }

  /** Keys banned now, for `authbridge bans list`. */
  listBans(): Ban[] {
    const keys = this.#db.prepare('SELECT DISTINCT key FROM regulation_failures').pluck().all() as string[];
    return keys.flatMap((key) => this.banOf(key) ?? []);
  }

  /** Lifts a ban (and forgets the failures behind it); false when the key had none. */
  revoke(key: string): boolean {
    this.#failures.delete(key);
    return this.#forget.run(key).changes > 0;
  }

  purge(now: number): number {
    const cutoff = now - (this.#settings.find_time + this.#settings.ban_time) * 1000;
    for (const [key, times] of this.#failures) {
      const kept = times.filter((at) => at >= cutoff);
      if (kept.length === 0) this.#failures.delete(key);
      else this.#failures.set(key, kept);
    }
    return this.#db.prepare('DELETE FROM regulation_failures WHERE at < ?').run(cutoff).changes;
  }
}
