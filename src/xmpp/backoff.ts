/**
 * Capped exponential back-off with full jitter: attempt 0 waits up to `baseMs`,
 * each further attempt doubles the ceiling up to `capMs`. `random` is injectable for tests.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
