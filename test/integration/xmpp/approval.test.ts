import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDaemon } from '../../support/daemon.js';
import { startProsody, type ProsodyServer } from '../../support/prosody.js';
import { startPeers, type Peers } from '../../support/xmpp/peers.js';
import { auth, startLinkedDaemon } from '../../support/xmpp/setup.js';

/**
 * Every XEP-0070 path against a real Prosody and scripted slixmpp users
 * (spec/xmpp.md §11, XMPP-8…16).
 */
const users = {
  alice: 'pw', bob: 'pw', carol: 'pw', dave: 'pw', erin: 'pw', frank: 'pw', gina: 'pw', henry: 'pw', ivan: 'pw', mallory: 'pw', nina: 'pw',
};

let prosody: ProsodyServer;
let peers: Peers;
let t: TestDaemon;
let counter = 0;
const txid = (prefix: string) => `${prefix}-${++counter}`;
const ask = (jid: string, transactionId: string, timeout = '10') =>
  auth(t.url, { jid, domain: 'shop.example', method: 'POST', transaction_id: transactionId, timeout });

beforeAll(async () => {
  prosody = await startProsody({ users });
  peers = await startPeers(prosody, [
    { jid: 'alice@localhost/phone', password: 'pw', mode: 'accept' },
    { jid: 'bob@localhost/phone', password: 'pw', mode: 'deny' },
    { jid: 'carol@localhost/phone', password: 'pw', mode: 'silent' },
    { jid: 'dave@localhost/desk', password: 'pw', mode: 'no-0070' },
    { jid: 'erin@localhost/desk', password: 'pw', mode: 'typer' },
    { jid: 'frank@localhost/desk', password: 'pw', mode: 'wrong' },
    { jid: 'gina@localhost/desk', password: 'pw', mode: 'refuse' },
    // Two resources at equal priority: both receive a bare-JID message (XMPP-9, XMPP-14).
    { jid: 'henry@localhost/one', password: 'pw', mode: 'accept' },
    { jid: 'henry@localhost/two', password: 'pw', mode: 'deny', delayMs: 1500 },
    { jid: 'mallory@localhost/evil', password: 'pw', mode: 'accept' },
    { jid: 'nina@localhost/desk', password: 'pw', mode: 'no-0070' },
  ]);
  t = await startLinkedDaemon(prosody, 'default_timeout = 3\n[limits]\nrequests_per_jid_per_minute = 100\npending_per_jid = 10\n');
});

afterAll(async () => {
  await t?.stop();
  await peers?.stop();
  await prosody?.dispose();
});

describe('full JID with XEP-0070 (iq path)', () => {
  it('accept → 200, the confirm carries transaction_id, method and domain', async () => {
    const id = txid('iq-accept');
    expect((await ask('alice@localhost/phone', id)).status).toBe(200);
    const seen = await peers.waitFor((e) => e.event === 'confirm' && e.id === id);
    expect(seen).toMatchObject({ via: 'iq', jid: 'alice@localhost/phone' });
    expect(seen).toMatchObject({ method: 'POST', url: 'shop.example' });
  });

  it('deny → 401', async () => {
    const id = txid('iq-deny');
    expect((await ask('bob@localhost/phone', id)).status).toBe(401);
    expect(await peers.waitFor((e) => e.event === 'confirm' && e.id === id)).toMatchObject({ via: 'iq' });
  });

  it('silent → 401 when the timeout passes', async () => {
    const result = await ask('carol@localhost/phone', txid('silent'), '1');
    expect(result.status).toBe(401);
    expect(result.seconds).toBeGreaterThanOrEqual(0.9);
  });

  it('JID case is normalized: ALICE@LOCALHOST/phone reaches alice and her answer counts', async () => {
    expect((await ask('ALICE@LOCALHOST/phone', txid('case'))).status).toBe(200);
  });
});

describe('message path (bare JID, or a resource without XEP-0070)', () => {
  it('accept by message → 200', async () => {
    const id = txid('msg-accept');
    expect((await ask('alice@localhost', id)).status).toBe(200);
    expect(await peers.waitFor((e) => e.event === 'confirm' && e.id === id)).toMatchObject({ via: 'message' });
  });

  it('deny by message → 401', async () => {
    const id = txid('msg-deny');
    expect((await ask('bob@localhost', id)).status).toBe(401);
    expect(await peers.waitFor((e) => e.event === 'confirm' && e.id === id)).toMatchObject({ via: 'message' });
  });

  it('a full JID whose client lacks XEP-0070 gets a message to the bare JID; typing the code back → 200', async () => {
    const id = txid('typed');
    expect((await ask('erin@localhost/desk', id)).status).toBe(200);
    expect(await peers.waitFor((e) => e.event === 'confirm' && e.id === id)).toMatchObject({ via: 'body' });
  });

  it('a wrong typed code is ignored → 401 at the timeout', async () => {
    const id = txid('wrong');
    const result = await ask('frank@localhost', id, '2');
    expect(result.status).toBe(401);
    expect(result.seconds).toBeGreaterThanOrEqual(1.9);
    expect(await peers.waitFor((e) => e.event === 'answered' && e.jid === 'frank@localhost/desk')).toBeTruthy();
  });

  it('typing "no" back → 401 at once', async () => {
    const result = await ask('gina@localhost', txid('refuse'), '20');
    expect(result.status).toBe(401);
    expect(result.seconds).toBeLessThan(15);
  });

  it('a resource that does not exist: the message goes to the bare JID', async () => {
    const id = txid('gone');
    expect((await ask('alice@localhost/laptop', id)).status).toBe(200);
    expect(await peers.waitFor((e) => e.event === 'confirm' && e.id === id)).toMatchObject({ via: 'message', jid: 'alice@localhost/phone' });
  });

  it('two resources: both are asked, the first answer (accept) wins over a later deny', async () => {
    const id = txid('two');
    expect((await ask('henry@localhost', id)).status).toBe(200);
    await peers.waitFor((e) => e.event === 'confirm' && e.id === id && e.jid === 'henry@localhost/one');
    await peers.waitFor((e) => e.event === 'confirm' && e.id === id && e.jid === 'henry@localhost/two');
    // The late deny arrives after the decision and is ignored without harm.
    await peers.waitFor((e) => e.event === 'answered' && e.jid === 'henry@localhost/two');
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});

describe('who may answer', () => {
  it('a forged accept from another account is ignored → 401 at the timeout', async () => {
    const id = txid('forged');
    const pending = ask('nina@localhost', id, '3');
    await peers.waitFor((e) => e.event === 'confirm' && e.id === id && e.jid === 'nina@localhost/desk');
    peers.forge('mallory@localhost/evil', id);
    await peers.waitFor((e) => e.event === 'forged' && e.id === id);
    expect((await pending).status).toBe(401);
  });

  it('two concurrent requests with the same transaction_id both resolve by their own answer', async () => {
    const id = txid('same');
    const [a, b] = await Promise.all([ask('alice@localhost/phone', id), ask('bob@localhost/phone', id)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(401);
  });

  it('two concurrent requests with the same transaction_id to the same person both resolve', async () => {
    const id = txid('same-person');
    const results = await Promise.all([ask('alice@localhost', id), ask('alice@localhost', id)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
  });
});

describe('unreachable people', () => {
  it('a registered user who is offline (mod_offline off) → 523', async () => {
    const result = await ask('ivan@localhost', txid('offline'), '20');
    expect(result.status).toBe(523);
    expect(result.seconds).toBeLessThan(10);
  });

  it('an unknown user → 523', async () => {
    expect((await ask('nobody@localhost', txid('unknown'), '20')).status).toBe(523);
  });

  it('a person on a domain the server does not federate with (s2s off: not-allowed) → 523, bare or full JID', async () => {
    for (const jid of ['alice@remote.example', 'alice@remote.example/phone']) {
      const result = await ask(jid, txid('remote'), '20');
      expect(result.status).toBe(523);
      expect(result.seconds).toBeLessThan(10);
    }
  });

  it('an unknown full JID of an unknown user → 523', async () => {
    expect((await ask('nobody@localhost/res', txid('unknown-full'), '20')).status).toBe(523);
  });
});

describe('parameters', () => {
  it.each([
    ['missing jid', { domain: 'd', method: 'GET', transaction_id: '1' }],
    ['missing domain', { jid: 'alice@localhost', method: 'GET', transaction_id: '1' }],
    ['missing method', { jid: 'alice@localhost', domain: 'd', transaction_id: '1' }],
    ['missing transaction_id', { jid: 'alice@localhost', domain: 'd', method: 'GET' }],
    ['empty jid', { jid: '', domain: 'd', method: 'GET', transaction_id: '1' }],
    ['empty domain part', { jid: 'alice@', domain: 'd', method: 'GET', transaction_id: '1' }],
    ['two @', { jid: 'a@@localhost', domain: 'd', method: 'GET', transaction_id: '1' }],
    ['empty local part', { jid: '@localhost', domain: 'd', method: 'GET', transaction_id: '1' }],
    ['trailing slash', { jid: 'alice@localhost/', domain: 'd', method: 'GET', transaction_id: '1' }],
    ['space in local part', { jid: 'al ice@localhost', domain: 'd', method: 'GET', transaction_id: '1' }],
    ['no @ at all', { jid: 'localhost', domain: 'd', method: 'GET', transaction_id: '1' }],
    ['overlong local part', { jid: `${'a'.repeat(1024)}@localhost`, domain: 'd', method: 'GET', transaction_id: '1' }],
  ])('%s → 400 and nothing is sent', async (_name, params) => {
    expect((await auth(t.url, params)).status).toBe(400);
  });

  it('after a 400 the person received nothing: the next confirm she sees is the valid one', async () => {
    const before = peers.events.filter((e) => e.jid === 'alice@localhost/phone' && e.event === 'confirm').length;
    expect((await auth(t.url, { jid: 'alice@localhost/phone', domain: 'd', method: 'GET' })).status).toBe(400);
    const id = txid('after-400');
    expect((await ask('alice@localhost/phone', id)).status).toBe(200);
    const confirms = peers.events.filter((e) => e.jid === 'alice@localhost/phone' && e.event === 'confirm');
    expect(confirms.slice(before).map((e) => e.id)).toEqual([id]);
  });

  it('POST with a form body gives the same answer as GET', async () => {
    const body = new URLSearchParams({ jid: 'alice@localhost/phone', domain: 'shop.example', method: 'POST', transaction_id: txid('form'), timeout: '10' });
    const res = await fetch(`${t.url}/auth`, { method: 'POST', body });
    expect(res.status).toBe(200);
    const denied = await fetch(`${t.url}/auth`, { method: 'POST', body: new URLSearchParams({ jid: 'bob@localhost/phone', domain: 'd', method: 'GET', transaction_id: txid('form-deny') }) });
    expect(denied.status).toBe(401);
  });

  it('timeout=abc falls back to the configured default', async () => {
    const result = await ask('carol@localhost/phone', txid('abc'), 'abc');
    expect(result.status).toBe(401);
    expect(result.seconds).toBeGreaterThanOrEqual(2.9);
  }, 20_000);
});
