import type { Clock } from '../clock.js';
import type { Db } from './database.js';
import type { WriteBatch } from './write-batch.js';

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
  readonly #batch: WriteBatch;
  readonly #insert;
  readonly #observers: Array<(event: AuditEvent) => void> = [];

  constructor(db: Db, clock: Clock, batch: WriteBatch) {
    this.#db = db;
    this.#clock = clock;
    this.#batch = batch;
    // Prepared once: record() runs on every authentication attempt.
    this.#insert = db.prepare('INSERT INTO audit_log (at, method, subject, result, client, ip, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  record(event: AuditEvent): void {
    this.#write(this.#clock.now(), event);
    this.#notify(event);
  }

  /**
   * Like `record`, but the row shares one commit with the other writes of the
   * store's WriteBatch, keeping the time of the event. Reads here flush first.
   */
  recordSoon(event: AuditEvent): void {
    const at = this.#clock.now();
    this.#batch.defer(() => this.#write(at, event));
    this.#notify(event);
  }

  /** Calls `observer` for every recorded event (the metrics count attempts here). */
  observe(observer: (event: AuditEvent) => void): void {
    this.#observers.push(observer);
  }

  #notify(event: AuditEvent): void {
    for (const observer of this.#observers) observer(event);
  }

  #write(at: number, event: AuditEvent): void {
    this.#insert.run(at, event.method, event.subject, event.result, event.client ?? null, event.ip ?? null, event.detail ?? null);
  }

  recent(limit = 100): AuditRow[] {
    this.#batch.flush();
    return this.#db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as AuditRow[];
  }

  purgeBefore(at: number): number {
    this.#batch.flush();
    return this.#db.prepare('DELETE FROM audit_log WHERE at < ?').run(at).changes;
  }
}
