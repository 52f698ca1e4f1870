import type { Clock } from '../clock.js';
import type { Db } from './database.js';

export interface StoredCcache {
  id: string;
  /** The cache file, absolute. */
  path: string;
  principal: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
}

interface CcacheRow {
  id: string;
  path: string;
  principal: string;
  user_id: number;
  created_at: number;
  expires_at: number;
}

const toCcache = (row: CcacheRow): StoredCcache => ({
  id: row.id,
  path: row.path,
  principal: row.principal,
  userId: row.user_id,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

/** Delegated credential caches (spec/kerberos.md §5, KRB-4). */
export class KerberosRepository {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #insertCcache;
  readonly #findCcacheByPath;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#insertCcache = db.prepare(
      'INSERT INTO kerberos_ccaches (id, path, principal, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#findCcacheByPath = db.prepare('SELECT * FROM kerberos_ccaches WHERE path = ?');
  }

  addCcache(input: Omit<StoredCcache, 'createdAt'>): void {
    this.#insertCcache.run(input.id, input.path, input.principal, input.userId, this.#clock.now(), input.expiresAt);
  }

  findCcacheByPath(path: string): StoredCcache | undefined {
    const row = this.#findCcacheByPath.get(path) as CcacheRow | undefined;
    return row && toCcache(row);
  }

  /** Caches whose ticket has expired by `now`. */
  expiredCcaches(now: number): StoredCcache[] {
    return (this.#db.prepare('SELECT * FROM kerberos_ccaches WHERE expires_at <= ?').all(now) as CcacheRow[]).map(toCcache);
  }

  allCcachePaths(): Set<string> {
    return new Set(this.#db.prepare('SELECT path FROM kerberos_ccaches').pluck().all() as string[]);
  }

  deleteCcache(id: string): boolean {
    return this.#db.prepare('DELETE FROM kerberos_ccaches WHERE id = ?').run(id).changes > 0;
  }
}
