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

export class AuditLog {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #insert;
  readonly #observers: Array<(event: AuditEvent) => void> = [];

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    // Prepared once: record() runs on every authentication attempt.
    this.#insert = db.prepare('INSERT INTO audit_log (at, method, subject, result, client, ip, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  record(event: AuditEvent): void {
    this.#insert.run(this.#clock.now(), event.method, event.subject, event.result, event.client ?? null, event.ip ?? null, event.detail ?? null);
    for (const observer of this.#observers) observer(event);
  }

  /** Calls `observer` after every recorded event (the metrics count attempts here). */
  observe(observer: (event: AuditEvent) => void): void {
    this.#observers.push(observer);
  }

  recent(limit = 100): AuditRow[] {
    return this.#db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as AuditRow[];
  }

  purgeBefore(at: number): number {
    return this.#db.prepare('DELETE FROM audit_log WHERE at < ?').run(at).changes;
  }
}
