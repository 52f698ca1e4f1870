import { xml, type Element } from '@xmpp/component';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { CapabilityCache } from '../../../src/methods/xmpp-approval/capability-cache.js';
import { ApprovalEngine, type ApprovalInput } from '../../../src/methods/xmpp-approval/engine.js';
import { parseJid } from '../../../src/xmpp/jid.js';
import { FakeLink } from '../../support/xmpp/fake-link.js';

const NS = 'http://jabber.org/protocol/http-auth';
const input = (jid: string, transactionId = 'TX', timeoutMs = 10_000): ApprovalInput => ({
  jid: parseJid(jid)!, transactionId, method: 'GET', url: 'shop.example', timeoutMs,
});
const discoResult = (to: Element, features: string[]) =>
  xml('iq', { type: 'result', id: to.attrs['id'], from: to.attrs['to'] },
    xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }, ...features.map((f) => xml('feature', { var: f }))));
const isIq = (el: Element) => el.name === 'iq';
const isConfirmIq = (el: Element) => el.name === 'iq' && el.getChild('confirm', NS) !== undefined;
const isMessage = (el: Element) => el.name === 'message';

let link: FakeLink;
let engine: ApprovalEngine;
beforeEach(() => {
  link = new FakeLink();
  engine = new ApprovalEngine(link, new CapabilityCache(new ManualClock()));
});
afterEach(() => vi.useRealTimers());

describe('ApprovalEngine', () => {
  it('full JID: disco first, then an iq confirm; a result from that JID approves', async () => {
    const outcome = engine.request(input('alice@localhost/phone'));
    const disco = await link.catchOutgoing(isIq);
    expect(disco.attrs['to']).toBe('alice@localhost/phone');
    link.receive(discoResult(disco, [NS]));
    const confirm = await link.catchOutgoing(isConfirmIq);
    expect(confirm.attrs['id']).not.toBe('TX');
    link.receive(xml('iq', { type: 'result', id: confirm.attrs['id'], from: 'alice@localhost/phone' }));
    expect(await outcome).toBe('approved');
    expect(engine.pendingCount).toBe(0);
  });

  it('remembers disco#info answers: the next request to that resource skips the round trip', async () => {
    const first = engine.request(input('alice@localhost/phone'));
    link.receive(discoResult(await link.catchOutgoing(isIq), [NS]));
    const confirm = await link.catchOutgoing(isConfirmIq);
    link.receive(xml('iq', { type: 'result', id: confirm.attrs['id'], from: 'alice@localhost/phone' }));
    expect(await first).toBe('approved');

    const second = engine.request(input('alice@localhost/phone'));
    const next = await link.catchOutgoing(isIq);
    expect(next.getChild('confirm', NS)).toBeDefined();
    // The client lost the feature: fall back to a message, and ask disco again next time.
    link.receive(xml('iq', { type: 'error', id: next.attrs['id'], from: 'alice@localhost/phone' },
      xml('error', { type: 'cancel' }, xml('feature-not-implemented', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }))));
    const message = await link.catchOutgoing(isMessage);
    link.receive(xml('message', { from: 'alice@localhost/phone' }, xml('thread', {}, message.getChildText('thread')!), xml('confirm', { xmlns: NS, id: 'TX' })));
    expect(await second).toBe('approved');
    void engine.request(input('alice@localhost/phone'));
    expect((await link.catchOutgoing(isIq)).getChild('query', 'http://jabber.org/protocol/disco#info')).toBeDefined();
    engine.finishAll('interrupted');
  });

  it('ignores an iq result with the right id from another JID (forged accept)', async () => {
    vi.useFakeTimers();
    const outcome = engine.request(input('alice@localhost/phone', 'TX', 1000));
    const disco = await link.catchOutgoing(isIq);
    link.receive(discoResult(disco, [NS]));
    const confirm = await link.catchOutgoing(isConfirmIq);
    link.receive(xml('iq', { type: 'result', id: confirm.attrs['id'], from: 'mallory@localhost/evil' }));
    link.receive(xml('iq', { type: 'result', id: confirm.attrs['id'], from: 'alice@localhost/other' }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(await outcome).toBe('expired');
  });

  it('a resource without the feature gets a message to the bare JID; a typed code approves', async () => {
    const outcome = engine.request(input('alice@localhost/desk', '123456'));
    const disco = await link.catchOutgoing(isIq);
    link.receive(discoResult(disco, []));
    const message = await link.catchOutgoing(isMessage);
    expect(message.attrs['to']).toBe('alice@localhost');
    link.receive(xml('message', { type: 'chat', from: 'bob@localhost/x' }, xml('body', {}, '123456')));
    link.receive(xml('message', { type: 'chat', from: 'Alice@Localhost/desk' }, xml('body', {}, ' 123456 ')));
    expect(await outcome).toBe('approved');
  });

  it('iq feature-not-implemented falls back to a message without restarting the timeout', async () => {
    vi.useFakeTimers();
    const outcome = engine.request(input('alice@localhost/phone', 'TX', 1000));
    const disco = await link.catchOutgoing(isIq);
    link.receive(discoResult(disco, [NS]));
    const confirm = await link.catchOutgoing(isConfirmIq);
    await vi.advanceTimersByTimeAsync(600);
    link.receive(xml('iq', { type: 'error', id: confirm.attrs['id'], from: 'alice@localhost/phone' },
      xml('error', { type: 'cancel' }, xml('feature-not-implemented', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }))));
    await link.catchOutgoing(isMessage);
    await vi.advanceTimersByTimeAsync(400);
    expect(await outcome).toBe('expired');
  });

  it('first decisive answer wins; later answers are ignored', async () => {
    const outcome = engine.request(input('henry@localhost'));
    const message = await link.catchOutgoing(isMessage);
    const thread = message.getChildText('thread')!;
    const confirm = xml('confirm', { xmlns: NS, id: 'TX', method: 'GET', url: 'shop.example' });
    link.receive(xml('message', { from: 'henry@localhost/one' }, xml('thread', {}, thread), confirm));
    link.receive(xml('message', { type: 'error', from: 'henry@localhost/two' }, xml('thread', {}, thread), confirm));
    expect(await outcome).toBe('approved');
  });

  it('two requests with the same transaction id to one person are told apart by thread', async () => {
    const first = engine.request(input('alice@localhost'));
    const m1 = await link.catchOutgoing(isMessage);
    const second = engine.request(input('alice@localhost'));
    const m2 = await link.catchOutgoing(isMessage);
    const answer = (m: Element, type?: string) =>
      xml('message', { from: 'alice@localhost/r', ...(type ? { type } : {}) }, xml('thread', {}, m.getChildText('thread')!), xml('confirm', { xmlns: NS, id: 'TX' }));
    link.receive(answer(m2, 'error'));
    link.receive(answer(m1));
    expect(await first).toBe('approved');
    expect(await second).toBe('denied');
  });

  it('a bounce with our message id → unreachable', async () => {
    const outcome = engine.request(input('ivan@localhost'));
    const message = await link.catchOutgoing(isMessage);
    link.receive(xml('message', { type: 'error', id: message.attrs['id'], from: 'ivan@localhost' },
      xml('error', { type: 'cancel' }, xml('service-unavailable', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }))));
    expect(await outcome).toBe('unreachable');
  });

  it('the link going down ends every pending request as unreachable; offline links answer at once', async () => {
    const a = engine.request(input('alice@localhost'));
    const b = engine.request(input('bob@localhost/x'));
    link.setState('disconnected');
    expect(await Promise.all([a, b])).toEqual(['unreachable', 'unreachable']);
    expect(await engine.request(input('carol@localhost'))).toBe('unreachable');
    expect(engine.pendingCount).toBe(0);
  });

  it('a send that fails while the link is online → failed (520); while it is down → unreachable (523)', async () => {
    link.send = () => Promise.reject(new Error('socket write failed'));
    expect(await engine.request(input('alice@localhost/phone'))).toBe('failed');
    link.send = () => {
      link.state = 'disconnected';
      return Promise.reject(new Error('XMPP link is disconnected'));
    };
    expect(await engine.request(input('alice@localhost'))).toBe('unreachable');
    expect(engine.pendingCount).toBe(0);
  });

  it('late answers after a timeout are ignored and leave nothing behind', async () => {
    vi.useFakeTimers();
    const outcome = engine.request(input('alice@localhost', 'TX', 500));
    const message = await link.catchOutgoing(isMessage);
    await vi.advanceTimersByTimeAsync(500);
    expect(await outcome).toBe('expired');
    link.receive(xml('message', { from: 'alice@localhost/r' }, xml('thread', {}, message.getChildText('thread')!), xml('confirm', { xmlns: NS, id: 'TX' })));
    expect(engine.pendingCount).toBe(0);
  });
});
