import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { AcceptedTokens } from '../../../src/methods/kerberos/accepted-tokens.js';

describe('AcceptedTokens (naming replays, KRB-2)', () => {
  it('remembers a token for its TTL only', () => {
    const clock = new ManualClock();
    const tokens = new AcceptedTokens(clock, 1000);
    tokens.remember('a');
    expect(tokens.has('a')).toBe(true);
    expect(tokens.has('b')).toBe(false);
    clock.advance(999);
    expect(tokens.has('a')).toBe(true);
    clock.advance(1);
    expect(tokens.has('a')).toBe(false);
  });

  it('stays bounded, dropping the oldest first', () => {
    const tokens = new AcceptedTokens(new ManualClock(), 60_000, 3);
    for (const t of ['a', 'b', 'c', 'd']) tokens.remember(t);
    expect(['a', 'b', 'c', 'd'].map((t) => tokens.has(t))).toEqual([false, true, true, true]);
  });
});
