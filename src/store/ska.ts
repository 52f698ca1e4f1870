import type { Clock } from '../clock.js';
import type { SkaAlgorithm } from '../methods/ska/algorithms.js';
import type { SkaQuoter } from '../methods/ska/quote.js';
import type { Db } from './database.js';

export interface SkaProvider {
  name: string;
  /** The shared HMAC key; SQLite holds it in clear because verification needs it. */
  secret: string;
  algorithm: SkaAlgorithm;
  quoter: SkaQuoter;
  /** Where the application sends the user after a login (ska's REDIRECT_AFTER_LOGIN). */
  redirect: string | null;
  /** A regular expression the whole `auth_user` must match; null allows everyone. */
  allowedUsers: string | null;
  createdAt: number;
}

interface ProviderRow {
  name: string;
  secret: string;
  algorithm: SkaAlgorithm;
  quoter: SkaQuoter;
  redirect: string | null;
  allowed_users: string | null;
  created_at: number;
}

const toProvider = (row: ProviderRow): SkaProvider => ({
  name: row.name,
  secret: row.secret,
  algorithm: row.algorithm,
  quoter: row.quoter,
  redirect: row.redirect,
  allowedUsers: row.allowed_users,
  createdAt: row.created_at,
});

export class SkaProviderExistsError extends Error {}

/** ska providers and the one-time signature records (spec/ska.md §7, §9). */
export class SkaRepository {
  readonly #clock: Clock;
  readonly #insertProvider;
  readonly #findProvider;
  readonly #listProviders;
  readonly #removeProvider;
  readonly #claim;
  readonly #purge;

  constructor(db: Db, clock: Clock) {
    this.#clock = clock;
    this.#insertProvider = db.prepare(
      `INSERT INTO ska_providers (name, secret, algorithm, quoter, redirect, allowed_users, created_at)
       VALUES (@name, @secret, @algorithm, @quoter, @redirect, @allowedUsers, @createdAt)`,
    );
    this.#findProvider = db.prepare('SELECT * FROM ska_providers WHERE name = ?');
    this.#listProviders = db.prepare('SELECT * FROM ska_providers ORDER BY name');
    this.#removeProvider = db.prepare('DELETE FROM ska_providers WHERE name = ?');
    this.#claim = db.prepare(
      'INSERT INTO ska_signatures (signature, auth_user, valid_until, expires_at, used_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.#purge = db.prepare('DELETE FROM ska_signatures WHERE expires_at < ?');
  }

  addProvider(input: Omit<SkaProvider, 'createdAt'>): SkaProvider {
    const provider = { ...input, createdAt: this.#clock.now() };
    try {
      this.#insertProvider.run(provider);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new SkaProviderExistsError(`provider ${input.name} already exists`);
      throw err;
    }
    return provider;
  }

  findProvider(name: string): SkaProvider | undefined {
    const row = this.#findProvider.get(name) as ProviderRow | undefined;
    return row && toProvider(row);
  }

  listProviders(): SkaProvider[] {
    return (this.#listProviders.all() as ProviderRow[]).map(toProvider);
  }

  removeProvider(name: string): boolean {
    return this.#removeProvider.run(name).changes > 0;
  }

  /**
   * Records a used signature; false when (signature, auth_user, valid_until) was
   * already recorded. One INSERT under a unique key: of racing copies exactly one
   * wins, across processes too (spec/ska.md §9).
   */
  claimSignature(signature: string, authUser: string, validUntil: string, expiresAt: number): boolean {
    return this.#claim.run(signature, authUser, validUntil, expiresAt, this.#clock.now()).changes === 1;
  }

  /** Deletes records whose valid_until has passed (they can no longer validate anyway). */
  purgeExpired(now: number): number {
    return this.#purge.run(now).changes;
  }
}
