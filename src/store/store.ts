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
import { WriteBatch } from './write-batch.js';
import { XmppRequestRepository } from './xmpp-requests.js';

/** A table whose expired rows are deleted on the purge schedule. */
export interface Purgeable {
  /** Deletes what has expired by `now`; returns the number of rows removed. */
  purge(now: number): number;
}

export interface StoreOptions {
  /** Days decided XMPP requests and audit events are kept. */
  retentionDays?: number;
  /** Hears of a batch of deferred writes whose commit failed; the process goes on. */
  onWriteError?: (err: unknown, writes: number) => void;
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
  readonly #batch: WriteBatch;
  /** Built once: better-sqlite3's transaction wrapper is not free to make per call. */
  readonly #transaction: (fn: () => unknown) => unknown;

  constructor(path: string, clock: Clock, options: StoreOptions = {}) {
    this.db = openDatabase(path);
    migrate(this.db);
    this.#transaction = this.db.transaction((fn: () => unknown) => fn());
    this.#batch = new WriteBatch(this.db, options.onWriteError ?? ((err, writes) => process.emitWarning(`${writes} deferred SQLite writes failed: ${String(err)}`)));
    this.users = new UserRepository(this.db, clock);
    this.clients = new ClientRepository(this.db, clock);
    this.xmppRequests = new XmppRequestRepository(this.db, clock);
    this.audit = new AuditLog(this.db, clock, this.#batch);
    this.jwt = new JwtRepository(this.db, clock);
    this.kerberos = new KerberosRepository(this.db, clock);
    this.sessions = new SessionRepository(this.db);
    this.ska = new SkaRepository(this.db, clock);
    this.gpgKeys = new GpgKeyRepository(this.db, clock);
    this.gpgTokens = new GpgTokenRepository(this.db);
    const retentionMs = (options.retentionDays ?? 90) * 86_400_000;
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
    return this.#transaction(fn) as T;
  }

  /** Runs `write` within 20 ms, in one commit with other deferred writes (see WriteBatch). */
  writeSoon(write: () => void): void {
    this.#batch.defer(write);
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
    this.#batch.flush();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}
