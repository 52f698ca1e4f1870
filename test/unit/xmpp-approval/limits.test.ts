import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { AppError } from '../../../src/errors.js';
import { ApprovalLimits } from '../../../src/methods/xmpp-approval/limits.js';
import { backoffDelay } from '../../../src/xmpp/backoff.js';

const refusal = (fn: () => void): AppError | undefined => {
  try {
    fn();
  } catch (err) {
    return err as AppError;
  }
  return undefined;
};

describe('ApprovalLimits', () => {
  it('caps pending requests per JID and per client, freeing slots on release', () => {
    const limits = new ApprovalLimits({ pending_per_jid: 2, requests_per_jid_per_minute: 100, pending_per_client: 3 }, new ManualClock());
    limits.admit('a@x', 'c1');
    limits.admit('a@x', 'c1');
    expect(refusal(() => limits.admit('a@x', 'c1'))).toMatchObject({ status: 429, code: 'ERR_RATE_LIMITED' });
    limits.admit('b@x', 'c1');
    expect(refusal(() => limits.admit('c@x', 'c1'))?.code).toBe('ERR_RATE_LIMITED');
    limits.admit('c@x', 'c2');
    limits.release('a@x', 'c1');
    expect(refusal(() => limits.admit('a@x', 'c1'))).toBeUndefined();
  });

  it('limits the rate per JID over a sliding minute, with a truthful Retry-After', () => {
    const clock = new ManualClock();
    const limits = new ApprovalLimits({ pending_per_jid: 100, requests_per_jid_per_minute: 2, pending_per_client: 100 }, clock);
    limits.admit('a@x', 'c');
    clock.advance(20_000);
    limits.admit('a@x', 'c');
    expect(refusal(() => limits.admit('a@x', 'c'))?.retryAfter).toBe(40);
    clock.advance(40_001);
    expect(refusal(() => limits.admit('a@x', 'c'))).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, jittered within [ceiling/2, ceiling]', () => {
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(20, 500, 30_000, () => 0)).toBe(15_000);
  });
});
