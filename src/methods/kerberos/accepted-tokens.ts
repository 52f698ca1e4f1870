import type { Clock } from '../../clock.js';

/**
 * Hashes of recently accepted tokens, so that a replay gets its own error code: MIT's
 * SPNEGO reports it only as a bare GSS_S_FAILURE (KRB-2). MIT's replay cache remains
 * what refuses replays; this memory only names them, so it may live in the process.
 */
export class AcceptedTokens {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #max: number;
  /** hash → expiry; insertion order is expiry order (one TTL for all). */
  readonly #expiries = new Map<string, number>();

  constructor(clock: Clock, ttlMs: number, max = 100_000) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#max = max;
  }

  remember(hash: string): void {
    const now = this.#clock.now();
    this.#forgetExpired(now);
    if (this.#expiries.size >= this.#max) this.#expiries.delete(this.#expiries.keys().next().value as string);
    this.#expiries.set(hash, now + this.#ttlMs);
  }

  has(hash: string): boolean {
    const expiry = this.#expiries.get(hash);
    return expiry !== undefined && expiry > this.#clock.now();
  }

  #forgetExpired(now: number): void {
    for (const [hash, expiry] of this.#expiries) {
      if (expiry > now) return;
      this.#expiries.delete(hash);
    }
  }
}
