import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { hashGpgToken } from '../../../src/store/gpg-tokens.js';
import { Store } from '../../../src/store/store.js';

const TTL = 300_000;

describe('gpgAuth token store (GPG-8)', () => {
  let store: Store;
  let clock: ManualClock;
  let alice: number;
  let bob: number;
  beforeEach(() => {
    clock = new ManualClock();
    store = new Store(':memory:', clock);
    alice = store.users.add({ username: 'alice' }).id;
    bob = store.users.add({ username: 'bob' }).id;
  });
  afterEach(() => store.close());

  const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  it('stores only sha256(token) with user, type, created_at, consumed_at', () => {
    store.gpgTokens.create(uuid(1), alice, clock.now(), TTL, 5);
    const rows = store.db.prepare('SELECT * FROM gpg_tokens').all();
    expect(rows).toEqual([{ token_hash: hashGpgToken(uuid(1)), user_id: alice, type: 'login', created_at: clock.now(), consumed_at: null }]);
    expect(JSON.stringify(rows)).not.toContain(uuid(1));
  });

  it('consumes once, only for its user, only before the TTL', () => {
    const now = clock.now();
    store.gpgTokens.create(uuid(1), alice, now, TTL, 5);
    store.gpgTokens.create(uuid(2), alice, now, TTL, 5);
    expect(store.gpgTokens.consume(uuid(1), bob, now, TTL)).toBe(false);
    expect(store.gpgTokens.consume(uuid(1).toUpperCase(), alice, now, TTL)).toBe(true);
    expect(store.gpgTokens.consume(uuid(1), alice, now, TTL)).toBe(false);
    expect(store.gpgTokens.consume(uuid(2), alice, now + TTL, TTL)).toBe(false);
    expect(store.gpgTokens.consume(uuid(2), alice, now + TTL - 1, TTL)).toBe(true);
  });

  it('keeps at most the cap of live tokens per user, retiring the oldest', () => {
    for (let i = 1; i <= 4; i++) {
      store.gpgTokens.create(uuid(i), alice, clock.now(), TTL, 2);
      clock.advance(1000);
    }
    store.gpgTokens.create(uuid(9), bob, clock.now(), TTL, 2);
    expect(store.gpgTokens.activeCount(alice, clock.now(), TTL)).toBe(2);
    expect(store.gpgTokens.consume(uuid(1), alice, clock.now(), TTL)).toBe(false);
    expect(store.gpgTokens.consume(uuid(2), alice, clock.now(), TTL)).toBe(false);
    expect(store.gpgTokens.consume(uuid(3), alice, clock.now(), TTL)).toBe(true);
    expect(store.gpgTokens.consume(uuid(9), bob, clock.now(), TTL)).toBe(true);
  });

  it('a flood of new tokens for one user leaves only the cap of rows', () => {
    for (let i = 1; i <= 200; i++) store.gpgTokens.create(uuid(i), alice, clock.now(), TTL, 5);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM gpg_tokens WHERE user_id = ?').get(alice)).toEqual({ n: 5 });
    expect(store.gpgTokens.consume(uuid(195), alice, clock.now(), TTL)).toBe(false);
    expect(store.gpgTokens.consume(uuid(196), alice, clock.now(), TTL)).toBe(true);
  });

  it('purges rows older than the TTL', () => {
    store.gpgTokens.create(uuid(1), alice, clock.now(), TTL, 5);
    clock.advance(TTL);
    store.gpgTokens.create(uuid(2), alice, clock.now(), TTL, 5);
    expect(store.gpgTokens.purgeCreatedBefore(clock.now() - TTL)).toBe(1);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM gpg_tokens').get()).toEqual({ n: 1 });
  });
});
