import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { AppError } from '../../src/errors.js';
import { accountKey, ipKey, Regulation } from '../../src/regulation/regulation.js';
import { Store } from '../../src/store/store.js';

describe('Regulation', () => {
  it('bans after max_retries failures within find_time, for ban_time after the last one; success resets only the account', () => {
    const clock = new ManualClock();
    const store = new Store(':memory:', clock);
    const regulation = new Regulation(store.db, clock, { max_retries: 3, find_time: 60, ban_time: 300 });
    const keys = [ipKey('203.0.113.9'), accountKey('ska', 'alice')];
    for (let i = 0; i < 3; i++) {
      regulation.assertAllowed(keys);
      regulation.recordFailure(keys);
      clock.advance(1000);
    }
    let refused: AppError | undefined;
    try {
      regulation.assertAllowed(keys);
    } catch (err) {
      refused = err as AppError;
    }
    expect(refused).toMatchObject({ status: 429, code: 'ERR_RATE_LIMITED', retryAfter: 299 });
    regulation.recordSuccess(accountKey('ska', 'alice'));
    expect(regulation.banOf(accountKey('ska', 'alice'))).toBeUndefined();
    expect(regulation.banOf(ipKey('203.0.113.9'))).toBeDefined();
    expect(regulation.listBans().map((b) => b.key)).toEqual([ipKey('203.0.113.9')]);
    clock.advance(300_000);
    expect(regulation.banOf(ipKey('203.0.113.9'))).toBeUndefined();
    clock.advance(60_000);
    expect(regulation.purge(clock.now())).toBe(3);
    store.close();
  });
});

describe('Regulation across processes', () => {
  it('a restarted daemon still knows earlier failures; a revoke from the CLI lifts a ban the daemon holds', () => {
    const clock = new ManualClock();
    const store = new Store(':memory:', clock);
    const settings = { max_retries: 2, find_time: 60, ban_time: 300 };
    const key = accountKey('jwt', 'bob');
    new Regulation(store.db, clock, settings).recordFailure([key, key]);

    const daemon = new Regulation(store.db, clock, settings);
    expect(daemon.banOf(key)).toBeDefined();
    const cli = new Regulation(store.db, clock, settings);
    expect(cli.revoke(key)).toBe(true);
    expect(daemon.banOf(key)).toBeUndefined();
    expect(() => daemon.assertAllowed([key])).not.toThrow();
    store.close();
  });
});

describe('Regulation ban notifications', () => {
  it('tell onBan once per key that becomes banned, not again for failures while banned', () => {
    const clock = new ManualClock();
    const store = new Store(':memory:', clock);
    const banned: string[] = [];
    const regulation = new Regulation(store.db, clock, { max_retries: 2, find_time: 60, ban_time: 300 }, (key) => banned.push(key));
    const keys = [ipKey('203.0.113.9'), accountKey('jwt', 'alice')];
    regulation.recordFailure(keys);
    expect(banned).toEqual([]);
    regulation.recordFailure(keys);
    expect(banned).toEqual(keys);
    // A failure that raced past assertAllowed before the ban is not a second ban.
    regulation.recordFailure(keys);
    expect(banned).toEqual(keys);
    store.close();
  });
});
