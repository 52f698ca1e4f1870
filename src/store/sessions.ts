import { createHash } from 'node:crypto';
import type { Db } from './database.js';

/** One login session as stored (the id itself is never stored, only its hash). */
export interface SessionRecord {
  idHash: Buffer;
  user: string;
  method: string;
  data: unknown;
  createdAt: number;
  lastSeen: number;
  inactivityMs: number;
  /** Absolute expiry, fixed at creation. */
  expiresAt: number;
}

interface SessionRow {
  id_hash: Buffer;
  user: string;
  method: string;
  data: string;
  created_at: number;
  last_seen: number;
  inactivity_ms: number;
  expires_at: number;
}

const toRecord = (row: SessionRow): SessionRecord => ({
  idHash: row.id_hash,
  user: row.user,
  method: row.method,
  data: JSON.parse(row.data) as unknown,
  createdAt: row.created_at,
  lastSeen: row.last_seen,
  inactivityMs: row.inactivity_ms,
  expiresAt: row.expires_at,
});

export const hashSessionId = (id: string): Buffer => createHash('sha256').update(id).digest();

/** The `sessions` table (migration 005-sessions). */
export class SessionRepository {
  readonly #db: Db;
  readonly #insert;
  readonly #find;
  readonly #touch;
  readonly #delete;
  readonly #expired;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO sessions (id_hash, user, method, data, created_at, last_seen, inactivity_ms, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#find = db.prepare('SELECT * FROM sessions WHERE id_hash = ?');
    this.#touch = db.prepare('UPDATE sessions SET last_seen = ? WHERE id_hash = ?');
    this.#delete = db.prepare('DELETE FROM sessions WHERE id_hash = ? RETURNING *');
    this.#expired = db.prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_seen + inactivity_ms <= ? RETURNING *');
  }

  insert(record: SessionRecord): void {
    this.#insert.run(record.idHash, record.user, record.method, JSON.stringify(record.data ?? {}), record.createdAt, record.lastSeen, record.inactivityMs, record.expiresAt);
  }

  find(idHash: Buffer): SessionRecord | undefined {
    const row = this.#find.get(idHash) as SessionRow | undefined;
    return row && toRecord(row);
  }

  touch(idHash: Buffer, now: number): void {
    this.#touch.run(now, idHash);
  }

  /** Deletes one session; returns it when it existed (so its end can be announced once). */
  delete(idHash: Buffer): SessionRecord | undefined {
    const row = this.#delete.get(idHash) as SessionRow | undefined;
    return row && toRecord(row);
  }

  /** Deletes every session expired by `now` (absolute or inactivity) and returns them. */
  takeExpired(now: number): SessionRecord[] {
    return this.#db.transaction(() => (this.#expired.all(now, now) as SessionRow[]).map(toRecord))();
  }
}
