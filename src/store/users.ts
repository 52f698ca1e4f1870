import type { Clock } from '../clock.js';
import type { Db } from './database.js';

export type IdentityKind = 'jid' | 'kerberos' | 'pgp';

export interface User {
  id: number;
  username: string;
  displayName: string | null;
  email: string | null;
  disabled: boolean;
  createdAt: number;
}

export interface UserWithIdentities extends User {
  identities: Array<{ kind: IdentityKind; value: string }>;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string | null;
  email: string | null;
  disabled: number;
  created_at: number;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  email: row.email,
  disabled: row.disabled === 1,
  createdAt: row.created_at,
});

export class UserExistsError extends Error {}
export class IdentityTakenError extends Error {}

export class UserRepository {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #findByUsername;
  readonly #findByIdentity;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    // Prepared once: methods look the user up on every login.
    this.#findByUsername = db.prepare('SELECT * FROM users WHERE username = ?');
    this.#findByIdentity = db.prepare('SELECT users.* FROM users JOIN identities ON identities.user_id = users.id WHERE identities.kind = ? AND identities.value = ?');
  }

  /** Creates a user with its identities in one transaction. */
  add(input: { username: string; displayName?: string; email?: string; identities?: Array<{ kind: IdentityKind; value: string }> }): User {
    const now = this.#clock.now();
    return this.#db.transaction(() => {
      if (this.findByUsername(input.username)) throw new UserExistsError(`user ${input.username} already exists`);
      const { lastInsertRowid } = this.#db
        .prepare('INSERT INTO users (username, display_name, email, created_at) VALUES (?, ?, ?, ?)')
        .run(input.username, input.displayName ?? null, input.email ?? null, now);
      const userId = Number(lastInsertRowid);
      for (const identity of input.identities ?? []) this.#attach(userId, identity.kind, identity.value, now);
      return this.findByUsername(input.username) as User;
    })();
  }

  attachIdentity(userId: number, kind: IdentityKind, value: string): void {
    this.#attach(userId, kind, value, this.#clock.now());
  }

  #attach(userId: number, kind: IdentityKind, value: string, now: number): void {
    const taken = this.#db.prepare('SELECT user_id FROM identities WHERE kind = ? AND value = ?').get(kind, value);
    if (taken) throw new IdentityTakenError(`${kind} ${value} already belongs to a user`);
    this.#db.prepare('INSERT INTO identities (user_id, kind, value, created_at) VALUES (?, ?, ?, ?)').run(userId, kind, value, now);
  }

  findByUsername(username: string): User | undefined {
    const row = this.#findByUsername.get(username) as UserRow | undefined;
    return row && toUser(row);
  }

  findByIdentity(kind: IdentityKind, value: string): User | undefined {
    const row = this.#findByIdentity.get(kind, value) as UserRow | undefined;
    return row && toUser(row);
  }

  list(): UserWithIdentities[] {
    const users = (this.#db.prepare('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
    const identities = this.#db.prepare('SELECT user_id, kind, value FROM identities ORDER BY kind, value').all() as Array<{ user_id: number; kind: IdentityKind; value: string }>;
    return users.map((user) => ({
      ...user,
      identities: identities.filter((i) => i.user_id === user.id).map(({ kind, value }) => ({ kind, value })),
    }));
  }

  /** Returns false when no such user exists. */
  setDisabled(username: string, disabled: boolean): boolean {
    return this.#db.prepare('UPDATE users SET disabled = ? WHERE username = ?').run(disabled ? 1 : 0, username).changes > 0;
  }
}
