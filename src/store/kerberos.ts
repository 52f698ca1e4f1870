import type { Clock } from '../clock.js';
import type { Db } from './database.js';

export interface StoredCcache {
  id: string;
  /** The cache file, absolute. */
  path: string;
  principal: string;
  userId: number;
  sessionId: string | null;
  createdAt: number;
  expiresAt: number;
}

interface CcacheRow {
  id: string;
  path: string;
  principal: string;
  user_id: number;
  session_id: string | null;
  created_at: number;
  expires_at: number;
}

const toCcache = (row: CcacheRow): StoredCcache => ({
  id: row.id,
  path: row.path,
  principal: row.principal,
  userId: row.user_id,
  sessionId: row.session_id,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

/** Delegated credential caches (spec/kerberos.md §5, KRB-4). */
export class KerberosRepository {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #insertCcache;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#insertCcache = db.prepare(
      'INSERT INTO kerberos_ccaches (id, path, principal, user_id, session_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Runs `fn` in one transaction (one commit for everything a login records). */
  atomically<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  addCcache(input: Omit<StoredCcache, 'createdAt'>): void {
    this.#insertCcache.run(input.id, input.path, input.principal, input.userId, input.sessionId, this.#clock.now(), input.expiresAt);
  }

  findCcache(id: string): StoredCcache | undefined {
    const row = this.#db.prepare('SELECT * FROM kerberos_ccaches WHERE id = ?').get(id) as CcacheRow | undefined;
    return row && toCcache(row);
  }

  ccachesOfSession(sessionId: string): StoredCcache[] {
    return (this.#db.prepare('SELECT * FROM kerberos_ccaches WHERE session_id = ?').all(sessionId) as CcacheRow[]).map(toCcache);
  }

  /** Caches whose ticket has expired by `now`. */
  expiredCcaches(now: number): StoredCcache[] {
    return (this.#db.prepare('SELECT * FROM kerberos_ccaches WHERE expires_at <= ?').all(now) as CcacheRow[]).map(toCcache);
  }

  allCcachePaths(): Set<string> {
    return new Set(this.#db.prepare('SELECT path FROM kerberos_ccaches').pluck().all() as string[]);
  }

  attachCcacheToSession(id: string, sessionId: string): void {
    this.#db.prepare('UPDATE kerberos_ccaches SET session_id = ? WHERE id = ?').run(sessionId, id);
  }

  deleteCcache(id: string): boolean {
    return this.#db.prepare('DELETE FROM kerberos_ccaches WHERE id = ?').run(id).changes > 0;
  }

}
