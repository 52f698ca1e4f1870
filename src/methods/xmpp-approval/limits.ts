import type { Clock } from '../../clock.js';
import { rateLimited } from '../../errors.js';
import { SlidingMinuteLimit } from '../../regulation/rate-limit.js';

export interface ApprovalLimitSettings {
  pending_per_jid: number;
  requests_per_jid_per_minute: number;
  pending_per_client: number;
}

/**
 * Keeps anyone from flooding a person's chat client: a cap on approvals waiting at
 * once per JID and per API client, and a per-JID rate over a sliding minute.
 */
export class ApprovalLimits {
  readonly #settings: ApprovalLimitSettings;
  readonly #pendingByJid = new Map<string, number>();
  readonly #pendingByClient = new Map<string, number>();
  readonly #ratePerJid: SlidingMinuteLimit;

  constructor(settings: ApprovalLimitSettings, clock: Clock) {
    this.#settings = settings;
    this.#ratePerJid = new SlidingMinuteLimit(settings.requests_per_jid_per_minute, clock);
  }

  /** Counts a new request in, or throws 429 with Retry-After. Pair every admit with a release. */
  admit(bareJid: string, clientKey: string): void {
    if ((this.#pendingByJid.get(bareJid) ?? 0) >= this.#settings.pending_per_jid) {
      throw rateLimited(`${this.#settings.pending_per_jid} requests are already waiting for this JID`, 5);
    }
    if ((this.#pendingByClient.get(clientKey) ?? 0) >= this.#settings.pending_per_client) {
      throw rateLimited(`this client already has ${this.#settings.pending_per_client} requests waiting`, 5);
    }
    this.#ratePerJid.take(bareJid, `more than ${this.#settings.requests_per_jid_per_minute} requests for this JID in a minute`);
    increment(this.#pendingByJid, bareJid, 1);
    increment(this.#pendingByClient, clientKey, 1);
  }

  release(bareJid: string, clientKey: string): void {
    increment(this.#pendingByJid, bareJid, -1);
    increment(this.#pendingByClient, clientKey, -1);
  }

  /** Forgets rate windows that have passed, so memory stays bounded. */
  sweep(): void {
    this.#ratePerJid.sweep();
  }
}

function increment(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}
