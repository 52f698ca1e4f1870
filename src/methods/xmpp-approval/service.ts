import { randomBytes, randomInt } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { AppError, badRequest } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ApiClient } from '../../store/clients.js';
import type { Store } from '../../store/store.js';
import type { XmppRequestRecord, XmppRequestStatus } from '../../store/xmpp-requests.js';
import { parseJid, type Jid } from '../../xmpp/jid.js';
import type { ApprovalEngine } from './engine.js';
import type { ApprovalLimits } from './limits.js';

export interface ApprovalParams {
  jid: string;
  domain: string;
  method: string;
  /** The validation code; generated when absent (JSON API only). */
  transactionId: string | undefined;
  timeoutSeconds: number;
}

/** Who asked: an API client, or an unauthenticated caller from an allowed address. */
export interface Caller {
  client: ApiClient | null;
  ip: string;
}

export interface StartedApproval {
  record: XmppRequestRecord;
  outcome: Promise<XmppRequestStatus>;
}

const MAX_PARAM_LENGTH = 1024;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/u;

function assertText(name: string, value: string): void {
  if (value.length > MAX_PARAM_LENGTH) throw badRequest(`${name} is longer than ${MAX_PARAM_LENGTH} characters`);
  if (CONTROL.test(value)) throw badRequest(`${name} contains control characters`);
}

/** XMPP-2, XMPP-5: every parameter present and sane, the JID strictly valid; nothing is sent otherwise. */
export function checkApprovalParams(params: ApprovalParams): Jid {
  for (const [name, value] of [['jid', params.jid], ['domain', params.domain], ['method', params.method]] as const) {
    if (value === '') throw badRequest(`${name} is required`);
    assertText(name, value);
  }
  if (params.transactionId !== undefined) {
    if (params.transactionId === '') throw badRequest('transaction_id is required');
    assertText('transaction_id', params.transactionId);
  }
  const jid = parseJid(params.jid);
  if (!jid) throw badRequest('jid is not a valid JID (user@domain or user@domain/resource)', 'ERR_INVALID_JID');
  return jid;
}

/** Six digits: easy to compare on a screen and to type back on a phone. */
const generateCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

/**
 * XEP-0070 approvals as the HTTP layer sees them: validation, abuse limits,
 * persistence of every outcome and the audit trail around the engine.
 */
export class XmppApprovalService {
  readonly #engine: ApprovalEngine;
  readonly #limits: ApprovalLimits;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #inFlight = new Map<string, Promise<XmppRequestStatus>>();

  constructor(deps: { engine: ApprovalEngine; limits: ApprovalLimits; store: Store; clock: Clock; logger: Logger }) {
    this.#engine = deps.engine;
    this.#limits = deps.limits;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
  }

  get pendingCount(): number {
    return this.#inFlight.size;
  }

  /**
   * Validates, admits and sends a request. Throws AppError 400/429 before anything is
   * sent. `persistPending` stores the request before it is decided, for callers that
   * may ask for it later (the asynchronous API); /auth holds its HTTP request open
   * and only its outcome is stored, in one commit with the audit record.
   */
  start(params: ApprovalParams, caller: Caller, persistPending: boolean): StartedApproval {
    const jid = checkApprovalParams(params);
    const clientKey = caller.client ? `client:${caller.client.id}` : 'unauthenticated';
    this.#limits.admit(jid.bare, clientKey);

    const now = this.#clock.now();
    const record: XmppRequestRecord = {
      id: randomBytes(16).toString('base64url'),
      jid: jid.full,
      domain: params.domain,
      method: params.method,
      transactionId: params.transactionId ?? generateCode(),
      clientId: caller.client?.id ?? null,
      status: 'pending',
      createdAt: now,
      expiresAt: now + params.timeoutSeconds * 1000,
      decidedAt: null,
    };
    if (persistPending) {
      try {
        this.#store.xmppRequests.create(record);
      } catch (err) {
        this.#limits.release(jid.bare, clientKey);
        throw new AppError(500, 'ERR_INTERNAL', 'cannot store the request', { cause: err });
      }
    }

    const outcome = this.#engine
      .request({ jid, transactionId: record.transactionId, method: record.method, url: record.domain, timeoutMs: params.timeoutSeconds * 1000 })
      .then((status) => this.#settle(record, status, caller, persistPending))
      .finally(() => {
        this.#limits.release(jid.bare, clientKey);
        this.#inFlight.delete(record.id);
      });
    this.#inFlight.set(record.id, outcome);
    return { record, outcome };
  }

  /** A request as its owner sees it; other clients' requests do not exist for them. */
  find(id: string, caller: Caller): XmppRequestRecord {
    const record = this.#store.xmppRequests.find(id);
    if (!record || record.clientId !== (caller.client?.id ?? null)) throw new AppError(404, 'ERR_NOT_FOUND', 'no such request');
    return record;
  }

  /** Long-poll: waits up to `waitMs` for a pending request to be decided, then returns its state. */
  async waitFor(id: string, caller: Caller, waitMs: number): Promise<XmppRequestRecord> {
    const record = this.find(id, caller);
    const outcome = this.#inFlight.get(id);
    if (record.status !== 'pending' || !outcome || waitMs <= 0) return record;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([outcome, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    return this.find(id, caller);
  }

  /** Shutdown: every approval still waiting is answered now. */
  interruptAll(): void {
    this.#engine.finishAll('interrupted');
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  #settle(record: XmppRequestRecord, status: XmppRequestStatus, caller: Caller, persisted: boolean): XmppRequestStatus {
    const final = status === 'pending' ? 'failed' : status;
    const decidedAt = this.#clock.now();
    const write = () => {
      try {
        if (persisted) this.#store.xmppRequests.decide(record.id, final);
        else this.#store.xmppRequests.create({ ...record, status: final, decidedAt });
        this.#store.audit.record({ method: 'xmpp', subject: record.jid, result: final, client: caller.client?.name ?? null, ip: caller.ip });
      } catch (err) {
        this.#logger.error('store.write_failed', { requestId: record.id, err: String(err) });
      }
    };
    // A long-poll reads the decision right after this: write it now. Nobody reads an
    // /auth outcome back, so it may share a deferred commit (Store.close flushes it).
    if (persisted) this.#store.transaction(write);
    else this.#store.writeSoon(write);
    this.#logger.info('auth.xmpp', { request: record.id, jid: record.jid, result: final, client: caller.client?.name ?? null });
    return final;
  }
}
