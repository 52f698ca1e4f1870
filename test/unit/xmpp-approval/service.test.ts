import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { AppError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { CapabilityCache } from '../../../src/methods/xmpp-approval/capability-cache.js';
import { ApprovalEngine } from '../../../src/methods/xmpp-approval/engine.js';
import { ApprovalLimits } from '../../../src/methods/xmpp-approval/limits.js';
import { XmppApprovalService, type ApprovalParams } from '../../../src/methods/xmpp-approval/service.js';
import { Store } from '../../../src/store/store.js';
import { FakeLink } from '../../support/xmpp/fake-link.js';

const valid: ApprovalParams = { jid: 'alice@localhost/phone', domain: 'shop.example', method: 'GET', transactionId: 'TX', timeoutSeconds: 5 };

function service() {
  const clock = new ManualClock();
  const link = new FakeLink();
  const store = new Store(':memory:', clock);
  const limits = new ApprovalLimits({ pending_per_jid: 3, requests_per_jid_per_minute: 10, pending_per_client: 10 }, clock);
  const approvals = new XmppApprovalService({ engine: new ApprovalEngine(link, new CapabilityCache(clock)), limits, store, clock, logger: silentLogger() });
  return { link, store, approvals };
}

describe('XmppApprovalService: bad parameters (XMPP-2, XMPP-5)', () => {
  it.each<[string, Partial<ApprovalParams>, string]>([
    ['empty jid', { jid: '' }, 'ERR_INVALID_REQUEST'],
    ['empty domain', { domain: '' }, 'ERR_INVALID_REQUEST'],
    ['empty method', { method: '' }, 'ERR_INVALID_REQUEST'],
    ['empty transaction_id', { transactionId: '' }, 'ERR_INVALID_REQUEST'],
    ['control character in method', { method: 'GET\u0001' }, 'ERR_INVALID_REQUEST'],
    ['overlong domain', { domain: 'd'.repeat(1025) }, 'ERR_INVALID_REQUEST'],
    ['empty JID domain (crashes @xmpp/middleware)', { jid: 'alice@' }, 'ERR_INVALID_JID'],
    ['trailing slash', { jid: 'alice@localhost/' }, 'ERR_INVALID_JID'],
    ['two @', { jid: 'a@@localhost' }, 'ERR_INVALID_JID'],
  ])('%s → 400 %s, nothing sent, nothing stored, no slot taken', (_name, change, code) => {
    const { link, store, approvals } = service();
    let error: unknown;
    try {
      approvals.start({ ...valid, ...change }, { client: null, ip: '127.0.0.1' }, true);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 400, code });
    expect(link.sent).toEqual([]);
    expect(store.audit.recent()).toEqual([]);
    expect(approvals.pendingCount).toBe(0);
    // The refused call held no pending slot: three valid requests still fit the per-JID cap.
    for (let i = 0; i < 3; i++) approvals.start(valid, { client: null, ip: '127.0.0.1' }, true);
    expect(approvals.pendingCount).toBe(3);
  });
});
