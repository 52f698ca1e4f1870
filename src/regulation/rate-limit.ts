import type { Clock } from '../clock.js';
import { rateLimited } from '../errors.js';

const MINUTE_MS = 60_000;

/**
 * At most `perMinute` events per key over a sliding minute, in memory (it guards work,
 * not credentials: those are Regulation's). `sweep` keeps memory bounded.
 */
export class SlidingMinuteLimit {
  readonly #perMinute: number;
  readonly #clock: Clock;
  readonly #recent = new Map<string, number[]>();

  constructor(perMinute: number, clock: Clock) {
    this.#perMinute = perMinute;
    this.#clock = clock;
  }

  /** Counts one event for `key`, or throws 429 with a truthful Retry-After and counts nothing. */
  take(key: string, description: string): void {
    const now = this.#clock.now();
    const recent = (this.#recent.get(key) ?? []).filter((at) => at > now - MINUTE_MS);
    if (recent.length >= this.#perMinute) {
      throw rateLimited(description, Math.max(1, Math.ceil(((recent[0] ?? now) + MINUTE_MS - now) / 1000)));
    }
    recent.push(now);
    this.#recent.set(key, recent);
  }

  /** Forgets keys whose minute has passed. */
  sweep(): void {
    const cutoff = this.#clock.now() - MINUTE_MS;
    for (const [key, times] of this.#recent) {
      if ((times.at(-1) ?? 0) <= cutoff) this.#recent.delete(key);
    }
  }
}
