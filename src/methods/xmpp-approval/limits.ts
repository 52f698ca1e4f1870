import type { Clock } from '../../clock.js';
import { rateLimited } from '../../errors.js';

export interface ApprovalLimitSettings {
  pending_per_jid: number;
  requests_per_jid_per_minute: number;
  pending_per_client: number;
}

const WINDOW_MS = 60_000;

/**
 * Keeps anyone from flooding a person's chat client: a cap on approvals waiting at
 * once per JID and per API client, and a per-JID rate over a sliding minute.
 */
export class ApprovalLimits {
  readonly #settings: ApprovalLimitSettings;
  readonly #clock: Clock;
  readonly #pendingByJid = new Map<string, number>();
  readonly #pendingByClient = new Map<string, number>();
  readonly #recentByJid = new Map<string, number[]>();

  constructor(settings: ApprovalLimitSettings, clock: Clock) {
    this.#settings = settings;
    this.#clock = clock;
  }

  /** Counts a new request in, or throws 429 with Retry-After. Pair every admit with a release. */
  admit(bareJid: string, clientKey: string): void {
    const now = this.#clock.now();
    const recent = (this.#recentByJid.get(bareJid) ?? []).filter((at) => at > now - WINDOW_MS);
    if (recent.length >= this.#settings.requests_per_jid_per_minute) {
      const retryAfter = Math.max(1, Math.ceil(((recent[0] ?? now) + WINDOW_MS - now) / 1000));
      throw rateLimited(`more than ${this.#settings.requests_per_jid_per_minute} requests for this JID in a minute`, retryAfter);
    }
    if ((this.#pendingByJid.get(bareJid) ?? 0) >= this.#settings.pending_per_jid) {
      throw rateLimited(`${this.#settings.pending_per_jid} requests are already waiting for this JID`, 5);
    }
    if ((this.#pendingByClient.get(clientKey) ?? 0) >= this.#settings.pending_per_client) {
      throw rateLimited(`this client already has ${this.#settings.pending_per_client} requests waiting`, 5);
    }
    recent.push(now);
    this.#recentByJid.set(bareJid, recent);
    increment(this.#pendingByJid, bareJid, 1);
    increment(this.#pendingByClient, clientKey, 1);
  }

  release(bareJid: string, clientKey: string): void {
    increment(this.#pendingByJid, bareJid, -1);
    increment(this.#pendingByClient, clientKey, -1);
  }

  /** Forgets rate windows that have passed, so memory stays bounded. */
  sweep(): void {
    const cutoff = this.#clock.now() - WINDOW_MS;
    for (const [jid, times] of this.#recentByJid) {
      if ((times.at(-1) ?? 0) <= cutoff) this.#recentByJid.delete(jid);
    }
  }
}

function increment(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}
