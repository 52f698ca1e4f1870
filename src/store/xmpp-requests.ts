import type { Clock } from '../clock.js';
import type { Db } from './database.js';

/** Lifecycle of an XEP-0070 request; everything but `pending` is final. */
export type XmppRequestStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'unreachable' | 'interrupted' | 'failed';

export interface XmppRequestRecord {
  id: string;
  jid: string;
  domain: string;
  method: string;
  transactionId: string;
  clientId: number | null;
  status: XmppRequestStatus;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
}

interface Row {
  id: string;
  jid: string;
  domain: string;
  method: string;
  transaction_id: string;
  client_id: number | null;
  status: XmppRequestStatus;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
}

const toRecord = (row: Row): XmppRequestRecord => ({
  id: row.id,
  jid: row.jid,
  domain: row.domain,
  method: row.method,
  transactionId: row.transaction_id,
  clientId: row.client_id,
  status: row.status,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  decidedAt: row.decided_at,
});

export class XmppRequestRepository {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #insert;
  readonly #decide;
  readonly #find;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#insert = db.prepare(
      `INSERT INTO xmpp_requests (id, jid, domain, method, transaction_id, client_id, status, created_at, expires_at, decided_at)
       VALUES (@id, @jid, @domain, @method, @transactionId, @clientId, @status, @createdAt, @expiresAt, @decidedAt)`,
    );
    this.#decide = db.prepare("UPDATE xmpp_requests SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending'");
    this.#find = db.prepare('SELECT * FROM xmpp_requests WHERE id = ?');
  }

  /** Stores a request: pending (asynchronous API) or already decided (the /auth API keeps only outcomes). */
  create(record: XmppRequestRecord): void {
    this.#insert.run(record);
  }

  /** Records the outcome once; a request already decided keeps its first outcome. */
  decide(id: string, status: Exclude<XmppRequestStatus, 'pending'>): boolean {
    return this.#decide.run(status, this.#clock.now(), id).changes > 0;
  }

  find(id: string): XmppRequestRecord | undefined {
    const row = this.#find.get(id) as Row | undefined;
    return row && toRecord(row);
  }

  /** At start-up: requests a previous process left pending can never be answered now. */
  interruptPending(): number {
    return this.#db.prepare("UPDATE xmpp_requests SET status = 'interrupted', decided_at = ? WHERE status = 'pending'").run(this.#clock.now()).changes;
  }

  purgeDecidedBefore(at: number): number {
    return this.#db.prepare("DELETE FROM xmpp_requests WHERE status != 'pending' AND decided_at < ?").run(at).changes;
  }
}
