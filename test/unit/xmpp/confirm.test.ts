import { xml } from '@xmpp/component';
import { describe, expect, it } from 'vitest';
import {
  classifyDiscoReply,
  classifyIqReply,
  confirmIq,
  confirmMessage,
  errorCondition,
  matchMessage,
} from '../../../src/xmpp/confirm.js';

const request = { transactionId: 'TX-1', method: 'POST', url: 'shop.example' };
const NS = 'http://jabber.org/protocol/http-auth';
const error = (type: string, condition: string, ns = 'urn:ietf:params:xml:ns:xmpp-stanzas') => xml('error', { type }, xml(condition, { xmlns: ns }));

describe('building XEP-0070 requests', () => {
  it('iq confirm: type get, our id, the confirm attributes verbatim (XMPP-10)', () => {
    expect(confirmIq('alice@localhost/phone', 'ID1', request).toString()).toBe(
      '<iq type="get" to="alice@localhost/phone" id="ID1"><confirm xmlns="http://jabber.org/protocol/http-auth" id="TX-1" method="POST" url="shop.example"/></iq>',
    );
  });

  it('message confirm: normal, thread, a body naming domain, method and the code, and the confirm (XMPP-12)', () => {
    const message = confirmMessage('alice@localhost', 'ID2', 'THR', request);
    expect(message.attrs).toMatchObject({ type: 'normal', to: 'alice@localhost', id: 'ID2' });
    expect(message.getChildText('thread')).toBe('THR');
    const body = message.getChildText('body') ?? '';
    expect(body).toContain('shop.example');
    expect(body).toContain('POST');
    expect(body).toContain('Validation code: TX-1');
    expect(body).toMatch(/send the validation code back/);
    expect(message.getChild('confirm', NS)?.attrs).toMatchObject({ id: 'TX-1', method: 'POST', url: 'shop.example' });
  });

  it('escapes markup in parameters', () => {
    const iq = confirmIq('a@b', 'x', { transactionId: '"><evil/>', method: 'GET', url: '<u>' });
    expect(iq.toString()).not.toContain('<evil/>');
  });
});

describe('reading replies', () => {
  it('disco#info: the http-auth feature selects the iq path (XMPP-8)', () => {
    const result = (features: string[]) =>
      xml('iq', { type: 'result' }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }, ...features.map((f) => xml('feature', { var: f }))));
    expect(classifyDiscoReply(result([NS, 'urn:xmpp:ping']))).toBe('iq');
    expect(classifyDiscoReply(result(['urn:xmpp:ping']))).toBe('message');
    expect(classifyDiscoReply(xml('iq', { type: 'error' }, error('cancel', 'service-unavailable')))).toBe('message');
    expect(classifyDiscoReply(xml('iq', { type: 'error' }, error('cancel', 'item-not-found')))).toBe('message');
    expect(classifyDiscoReply(xml('iq', { type: 'error' }, error('cancel', 'remote-server-not-found')))).toBe('unreachable');
    expect(classifyDiscoReply(xml('iq', { type: 'error' }, error('cancel', 'not-allowed')))).toBe('unreachable');
  });

  it('iq answers (XMPP-11), matching the XEP typo namespace too', () => {
    expect(classifyIqReply(xml('iq', { type: 'result' }))).toBe('approved');
    expect(classifyIqReply(xml('iq', { type: 'error' }, error('auth', 'not-authorized')))).toBe('denied');
    expect(classifyIqReply(xml('iq', { type: 'error' }, error('auth', 'not-authorized', 'urn:ietf:params:xml:xmpp-stanzas')))).toBe('denied');
    expect(classifyIqReply(xml('iq', { type: 'error' }, error('cancel', 'feature-not-implemented')))).toBe('fallback');
    expect(classifyIqReply(xml('iq', { type: 'error' }, error('cancel', 'service-unavailable')))).toBe('fallback');
    expect(classifyIqReply(xml('iq', { type: 'error' }, error('cancel', 'remote-server-timeout')))).toBe('unreachable');
    expect(classifyIqReply(xml('iq', { type: 'error' }, error('cancel', 'bad-request')))).toBe('denied');
  });

  it('errorCondition skips <text/>', () => {
    const el = xml('iq', { type: 'error' }, xml('error', {}, xml('text', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }, 'x'), xml('gone', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' })));
    expect(errorCondition(el)).toBe('gone');
  });
});

describe('matchMessage (XMPP-13)', () => {
  const expected = { messageId: 'M1', thread: 'T1', transactionId: 'TX-1' };
  const confirm = (id = 'TX-1') => xml('confirm', { xmlns: NS, id, method: 'POST', url: 'shop.example' });

  it('a confirm with any non-error type approves, even beside a Gajim-style body', () => {
    expect(matchMessage(xml('message', {}, xml('thread', {}, 'T1'), confirm()), expected)?.decision).toBe('approved');
    expect(matchMessage(xml('message', { type: 'normal' }, confirm()), expected)?.decision).toBe('approved');
    expect(matchMessage(xml('message', { type: 'chat' }, xml('body', {}, 'result'), confirm()), expected)?.decision).toBe('approved');
  });

  it('a confirm with type=error denies', () => {
    expect(matchMessage(xml('message', { type: 'error' }, confirm(), error('auth', 'not-authorized')), expected)?.decision).toBe('denied');
  });

  it('ignores another transaction or another thread', () => {
    expect(matchMessage(xml('message', {}, confirm('TX-2')), expected)).toBeUndefined();
    expect(matchMessage(xml('message', {}, xml('thread', {}, 'OTHER'), confirm()), expected)).toBeUndefined();
  });

  it('typed code (trimmed, any case) approves; "no" denies; other text is ignored', () => {
    expect(matchMessage(xml('message', { type: 'chat' }, xml('body', {}, '  tx-1 \n')), expected)?.decision).toBe('approved');
    expect(matchMessage(xml('message', { type: 'chat' }, xml('body', {}, 'No')), expected)?.decision).toBe('denied');
    expect(matchMessage(xml('message', { type: 'chat' }, xml('body', {}, 'TX-1x')), expected)).toBeUndefined();
    expect(matchMessage(xml('message', { type: 'chat' }), expected)).toBeUndefined();
  });

  it('a server bounce with our id: unreachable for service-unavailable, denied otherwise', () => {
    expect(matchMessage(xml('message', { type: 'error', id: 'M1' }, error('cancel', 'service-unavailable')), expected)?.decision).toBe('unreachable');
    expect(matchMessage(xml('message', { type: 'error', id: 'M1' }, error('cancel', 'remote-server-not-found')), expected)?.decision).toBe('unreachable');
    expect(matchMessage(xml('message', { type: 'error', id: 'M1' }, error('cancel', 'not-allowed')), expected)?.decision).toBe('unreachable');
    expect(matchMessage(xml('message', { type: 'error', id: 'M1' }, error('cancel', 'forbidden')), expected)?.decision).toBe('denied');
    expect(matchMessage(xml('message', { type: 'error', id: 'OTHER' }, error('cancel', 'service-unavailable')), expected)).toBeUndefined();
  });
});
