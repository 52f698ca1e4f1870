import type { Clock } from '../clock.js';
import type { Db } from './database.js';

export interface AuditEvent {
  method: string;
  /** Who tried to log in (a JID, username or principal); never a secret. */
  subject: string | null;
  result: string;
  client?: string | null;
  ip?: string | null;
  detail?: string | null;
}

export interface AuditRow extends Required<AuditEvent> {
  id: number;
  at: number;
}

/** Rows queued by `recordSoon` are committed together after at most this long... */
const BATCH_MS = 20;
/** ...or as soon as this many are waiting. */
const BATCH_ROWS = 256;

export class AuditLog {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #insert;
  #pending: Array<readonly [number, AuditEvent]> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    // Prepared once: record() runs on every authentication attempt.
    this.#insert = db.prepare('INSERT INTO audit_log (at, method, subject, result, client, ip, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  record(event: AuditEvent): void {
    this.#write(this.#clock.now(), event);
  }

  /**
   * Like `record`, but the row shares one SQLite commit with the others queued
   * within BATCH_MS: on a busy verification endpoint the commit, not the insert,
   * is most of the cost. Reads through this class, and `close`, flush first.
   */
  recordSoon(event: AuditEvent): void {
    this.#pending.push([this.#clock.now(), event]);
    if (this.#pending.length >= BATCH_ROWS) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), BATCH_MS).unref();
  }

  /** Commits the rows queued by `recordSoon`. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#pending;
    this.#pending = [];
    if (rows.length === 0 || !this.#db.open) return;
    this.#db.transaction(() => {
      for (const [at, event] of rows) this.#write(at, event);
    })();
  }

  #write(at: number, event: AuditEvent): void {
    this.#insert.run(at, event.method, event.subject, event.result, event.client ?? null, event.ip ?? null, event.detail ?? null);
  }

  recent(limit = 100): AuditRow[] {
    this.flush();
    return this.#db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as AuditRow[];
  }

  purgeBefore(at: number): number {
    this.flush();
    return this.#db.prepare('DELETE FROM audit_log WHERE at < ?').run(at).changes;
  }
}
