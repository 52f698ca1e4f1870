import type { Clock } from '../clock.js';
import { AuditLog } from './audit.js';
import { ClientRepository } from './clients.js';
import { migrate, openDatabase, type Db } from './database.js';
import { JwtRepository } from './jwt.js';
import { KerberosRepository } from './kerberos.js';
import { GpgKeyRepository } from './gpg-keys.js';
import { GpgTokenRepository } from './gpg-tokens.js';
import { SessionRepository } from './sessions.js';
import { SkaRepository } from './ska.js';
import { UserRepository } from './users.js';
import { XmppRequestRepository } from './xmpp-requests.js';

/** A table whose expired rows are deleted on the purge schedule. */
export interface Purgeable {
  /** Deletes what has expired by `now`; returns the number of rows removed. */
  purge(now: number): number;
}

/** The one SQLite file and its repositories. Only src/store touches better-sqlite3. */
export class Store {
  readonly db: Db;
  readonly users: UserRepository;
  readonly clients: ClientRepository;
  readonly xmppRequests: XmppRequestRepository;
  readonly audit: AuditLog;
  readonly jwt: JwtRepository;
  readonly kerberos: KerberosRepository;
  readonly sessions: SessionRepository;
  readonly ska: SkaRepository;
  readonly gpgKeys: GpgKeyRepository;
  readonly gpgTokens: GpgTokenRepository;
  readonly #purgeables: Purgeable[] = [];

  constructor(path: string, clock: Clock, retentionDays = 90) {
    this.db = openDatabase(path);
    migrate(this.db);
    this.users = new UserRepository(this.db, clock);
    this.clients = new ClientRepository(this.db, clock);
    this.xmppRequests = new XmppRequestRepository(this.db, clock);
    this.audit = new AuditLog(this.db, clock);
    this.jwt = new JwtRepository(this.db, clock);
    this.kerberos = new KerberosRepository(this.db, clock);
    this.sessions = new SessionRepository(this.db);
    this.ska = new SkaRepository(this.db, clock);
    this.gpgKeys = new GpgKeyRepository(this.db, clock);
    this.gpgTokens = new GpgTokenRepository(this.db);
    const retentionMs = retentionDays * 86_400_000;
    this.#purgeables.push(
      { purge: (now) => this.xmppRequests.purgeDecidedBefore(now - retentionMs) },
      { purge: (now) => this.audit.purgeBefore(now - retentionMs) },
    );
  }

  /** Methods register their own expiring tables here. */
  addPurgeable(purgeable: Purgeable): void {
    this.#purgeables.push(purgeable);
  }

  purge(now: number): number {
    return this.#purgeables.reduce((total, p) => total + p.purge(now), 0);
  }

  /** Runs `fn` in one SQLite transaction (one commit for several writes). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** True when SQLite answers a query (for /readyz). */
  ping(): boolean {
    try {
      return (this.db.prepare('SELECT 1 AS ok').get() as { ok: number }).ok === 1;
    } catch {
      return false;
    }
  }

  close(): void {
    if (!this.db.open) return;
    this.audit.flush();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}
