import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from './database.js';

export interface ApiClient {
  id: number;
  name: string;
  createdAt: number;
  revokedAt: number | null;
}

interface ClientRow {
  id: number;
  name: string;
  created_at: number;
  revoked_at: number | null;
}

const toClient = (row: ClientRow): ApiClient => ({ id: row.id, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at });

/** Only a SHA-256 of each token is stored; the token itself is shown once, at creation. */
const hashToken = (token: string) => createHash('sha256').update(token).digest();

export class ClientExistsError extends Error {}

export class ClientRepository {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Creates a client and returns its bearer token, which is not stored anywhere. */
  add(name: string): { client: ApiClient; token: string } {
    if (this.#db.prepare('SELECT 1 FROM api_clients WHERE name = ?').get(name)) throw new ClientExistsError(`client ${name} already exists`);
    const token = `abt_${randomBytes(32).toString('base64url')}`;
    const { lastInsertRowid } = this.#db
      .prepare('INSERT INTO api_clients (name, token_hash, created_at) VALUES (?, ?, ?)')
      .run(name, hashToken(token), this.#clock.now());
    const row = this.#db.prepare('SELECT id, name, created_at, revoked_at FROM api_clients WHERE id = ?').get(lastInsertRowid) as ClientRow;
    return { client: toClient(row), token };
  }

  /** The active client holding this token, if any. */
  authenticate(token: string): ApiClient | undefined {
    const row = this.#db
      .prepare('SELECT id, name, created_at, revoked_at FROM api_clients WHERE token_hash = ? AND revoked_at IS NULL')
      .get(hashToken(token)) as ClientRow | undefined;
    return row && toClient(row);
  }

  list(): ApiClient[] {
    return (this.#db.prepare('SELECT id, name, created_at, revoked_at FROM api_clients ORDER BY name').all() as ClientRow[]).map(toClient);
  }

  /** Returns false when no active client has that name. */
  revoke(name: string): boolean {
    return this.#db.prepare('UPDATE api_clients SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(this.#clock.now(), name).changes > 0;
  }
}
