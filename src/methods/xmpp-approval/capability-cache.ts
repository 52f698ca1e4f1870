import type { Clock } from '../../clock.js';

/**
 * What disco#info said about a full JID's XEP-0070 support, remembered for a few
 * minutes so repeated logins from the same client skip a round trip. A wrong guess
 * is harmless: an iq to a client that lost the feature falls back to a message,
 * and the message path works for every client.
 */
export class CapabilityCache {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, { supports: boolean; at: number }>();

  constructor(clock: Clock, ttlMs = 300_000, maxEntries = 10_000) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  /** true / false when known and fresh, undefined when disco#info must be asked. */
  get(fullJid: string): boolean | undefined {
    const entry = this.#entries.get(fullJid);
    if (!entry) return undefined;
    if (this.#clock.now() - entry.at >= this.#ttlMs) {
      this.#entries.delete(fullJid);
      return undefined;
    }
    return entry.supports;
  }

  set(fullJid: string, supports: boolean): void {
    this.#entries.delete(fullJid);
    this.#entries.set(fullJid, { supports, at: this.#clock.now() });
    // Maps iterate in insertion order: the first key is the oldest entry.
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  forget(fullJid: string): void {
    this.#entries.delete(fullJid);
  }
}
