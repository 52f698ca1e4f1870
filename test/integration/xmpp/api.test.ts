import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDaemon } from '../../support/daemon.js';
import { runCli, spawnServe } from '../../support/cli.js';
import { startProsody, type ProsodyServer } from '../../support/prosody.js';
import { startPeers, type Peers } from '../../support/xmpp/peers.js';
import { auth, startLinkedDaemon, xmppSection } from '../../support/xmpp/setup.js';

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

let prosody: ProsodyServer;
let peers: Peers;

beforeAll(async () => {
  prosody = await startProsody({ users: { alice: 'pw', bob: 'pw', carol: 'pw', erin: 'pw' } });
  peers = await startPeers(prosody, [
    { jid: 'alice@localhost/phone', password: 'pw', mode: 'accept', delayMs: 300 },
    { jid: 'bob@localhost/phone', password: 'pw', mode: 'deny' },
    { jid: 'carol@localhost/phone', password: 'pw', mode: 'silent' },
    { jid: 'erin@localhost/desk', password: 'pw', mode: 'typer' },
  ]);
});
afterAll(async () => {
  await peers?.stop();
  await prosody?.dispose();
});

describe('asynchronous requests: POST /v1/xmpp/requests and long-poll', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startLinkedDaemon(prosody, '[limits]\npending_per_jid = 2\nrequests_per_jid_per_minute = 4\n');
  });
  afterAll(async () => t?.stop());

  it('answers 202 pending with a generated code, then the long-poll returns approved', async () => {
    const res = await fetch(`${t.url}/v1/xmpp/requests`, json({ jid: 'alice@localhost/phone', domain: 'shop.example', method: 'GET', timeout: 10 }));
    expect(res.status).toBe(202);
    const created = (await res.json()) as { id: string; status: string; code: string };
    expect(created.status).toBe('pending');
    expect(created.code).toMatch(/^\d{6}$/);
    expect(res.headers.get('location')).toBe(`/v1/xmpp/requests/${created.id}`);
    const polled = await (await fetch(`${t.url}/v1/xmpp/requests/${created.id}?wait=10`)).json();
    expect(polled).toMatchObject({ id: created.id, status: 'approved', code: created.code });
    expect(await peers.waitFor((e) => e.event === 'confirm' && e.id === created.code)).toBeTruthy();
  });

  it('reports denied and expired, and a short wait returns pending', async () => {
    const denied = (await (await fetch(`${t.url}/v1/xmpp/requests`, json({ jid: 'bob@localhost/phone', domain: 'd', method: 'GET', transaction_id: 'api-deny' }))).json()) as { id: string };
    expect(await (await fetch(`${t.url}/v1/xmpp/requests/${denied.id}?wait=10`)).json()).toMatchObject({ status: 'denied' });

    const silent = (await (await fetch(`${t.url}/v1/xmpp/requests`, json({ jid: 'carol@localhost/phone', domain: 'd', method: 'GET', timeout: 2 }))).json()) as { id: string };
    expect(await (await fetch(`${t.url}/v1/xmpp/requests/${silent.id}`)).json()).toMatchObject({ status: 'pending' });
    expect(await (await fetch(`${t.url}/v1/xmpp/requests/${silent.id}?wait=10`)).json()).toMatchObject({ status: 'expired' });
  });

  it('a typed code approves an asynchronous request', async () => {
    const created = (await (await fetch(`${t.url}/v1/xmpp/requests`, json({ jid: 'erin@localhost', domain: 'd', method: 'GET' }))).json()) as { id: string };
    expect(await (await fetch(`${t.url}/v1/xmpp/requests/${created.id}?wait=10`)).json()).toMatchObject({ status: 'approved' });
  });

  it('bad bodies and unknown ids get stable error codes', async () => {
    const cases: Array<[RequestInit, number, string]> = [
      [json({ jid: 'alice@', domain: 'd', method: 'GET' }), 400, 'ERR_INVALID_JID'],
      [json({ jid: 42, domain: 'd', method: 'GET' }), 400, 'ERR_INVALID_REQUEST'],
      [json({ jid: 'alice@localhost', domain: 'd', method: 'GET', timeout: 'soon' }), 400, 'ERR_INVALID_REQUEST'],
      [json([1, 2]), 400, 'ERR_INVALID_REQUEST'],
      [{ method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(200_000) }, 413, 'ERR_PAYLOAD_TOO_LARGE'],
    ];
    for (const [init, status, code] of cases) {
      const res = await fetch(`${t.url}/v1/xmpp/requests`, init);
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error: code });
    }
    const missing = await fetch(`${t.url}/v1/xmpp/requests/does-not-exist`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'ERR_NOT_FOUND' });
  });

  it('limits pending requests per JID and the rate per JID with 429 and Retry-After', async () => {
    const start = () => fetch(`${t.url}/v1/xmpp/requests`, json({ jid: 'carol@localhost/phone', domain: 'd', method: 'GET', timeout: 3 }));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await start());
    expect(statuses.map((r) => r.status)).toEqual([202, 202, 429]);
    expect(Number(statuses[2]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await statuses[2]!.json()).toMatchObject({ error: 'ERR_RATE_LIMITED' });
    // /auth is limited too: a flood of the original API cannot reach the person either.
    expect((await auth(t.url, { jid: 'carol@localhost/phone', domain: 'd', method: 'GET', transaction_id: 'x', timeout: '1' })).status).toBe(429);
  });
});

describe('callers outside api.allow_unauthenticated_from', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startLinkedDaemon(prosody, '[api]\nallow_unauthenticated_from = []\n[limits]\npending_per_client = 1\n');
  });
  afterAll(async () => t?.stop());

  it('need a client token; the token is checked; a client sees only its own requests', async () => {
    const anonymous = await fetch(`${t.url}/v1/xmpp/requests`, json({ jid: 'alice@localhost/phone', domain: 'd', method: 'GET' }));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await anonymous.json()).toMatchObject({ error: 'ERR_UNAUTHENTICATED' });
    expect((await fetch(`${t.url}/auth?jid=alice@localhost/phone&domain=d&method=GET&transaction_id=1`)).status).toBe(401);

    const configPath = join(t.dir, 'cli.toml');
    writeFileSync(configPath, `[store]\npath = "${join(t.dir, 'authbridge.sqlite')}"\n[xmpp]\nenabled = false\n`);
    const shop = runCli(['client', 'add', 'shop', '--config', configPath]).stdout.trim().split('\n').at(-1)!;
    const blog = runCli(['client', 'add', 'blog', '--config', configPath]).stdout.trim().split('\n').at(-1)!;
    expect(shop).toMatch(/^abt_/);

    const bad = await fetch(`${t.url}/v1/xmpp/requests`, { ...json({}), headers: { 'content-type': 'application/json', authorization: 'Bearer abt_wrong' } });
    expect(bad.status).toBe(401);

    const asShop = { 'content-type': 'application/json', authorization: `Bearer ${shop}` };
    const created = await fetch(`${t.url}/v1/xmpp/requests`, { method: 'POST', headers: asShop, body: JSON.stringify({ jid: 'alice@localhost/phone', domain: 'd', method: 'GET' }) });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    // pending_per_client = 1: the shop's second concurrent request is refused.
    const second = await fetch(`${t.url}/v1/xmpp/requests`, { method: 'POST', headers: asShop, body: JSON.stringify({ jid: 'bob@localhost/phone', domain: 'd', method: 'GET' }) });
    expect(second.status).toBe(429);
    expect((await fetch(`${t.url}/v1/xmpp/requests/${id}`, { headers: { authorization: `Bearer ${blog}` } })).status).toBe(404);
    expect(await (await fetch(`${t.url}/v1/xmpp/requests/${id}?wait=10`, { headers: asShop })).json()).toMatchObject({ status: 'approved' });

    expect(runCli(['client', 'revoke', 'shop', '--config', configPath]).status).toBe(0);
    expect((await fetch(`${t.url}/v1/xmpp/requests/${id}`, { headers: asShop })).status).toBe(401);
  });
});

describe('outcomes persist across restarts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'authbridge-restart-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a request pending when the daemon dies is interrupted; decided ones keep their outcome', async () => {
    const configPath = join(dir, 'config.toml');
    writeFileSync(configPath, `[http]\nlisten = "127.0.0.1:0"\n[store]\npath = "${join(dir, 'db.sqlite')}"\n${xmppSection(prosody)}`);
    const first = spawnServe(configPath);
    const url = await first.url;
    const waitOnline = async (base: string) => {
      for (let i = 0; i < 100 && (await fetch(`${base}/readyz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    };
    await waitOnline(url);
    const approved = (await (await fetch(`${url}/v1/xmpp/requests`, json({ jid: 'alice@localhost/phone', domain: 'd', method: 'GET' }))).json()) as { id: string };
    expect(await (await fetch(`${url}/v1/xmpp/requests/${approved.id}?wait=10`)).json()).toMatchObject({ status: 'approved' });
    const pending = (await (await fetch(`${url}/v1/xmpp/requests`, json({ jid: 'carol@localhost/phone', domain: 'd', method: 'GET', timeout: 60 }))).json()) as { id: string };
    first.child.kill('SIGKILL');
    await first.exit;

    const second = spawnServe(configPath);
    const url2 = await second.url;
    expect(await (await fetch(`${url2}/v1/xmpp/requests/${pending.id}`)).json()).toMatchObject({ status: 'interrupted' });
    expect(await (await fetch(`${url2}/v1/xmpp/requests/${approved.id}`)).json()).toMatchObject({ status: 'approved' });

    // SIGTERM: a waiting /auth is answered 523, the process exits 0.
    await waitOnline(url2);
    const waiting = auth(url2, { jid: 'carol@localhost/phone', domain: 'd', method: 'GET', transaction_id: 'shutdown', timeout: '60' });
    await peers.waitFor((e) => e.event === 'confirm' && e.id === 'shutdown');
    second.child.kill('SIGTERM');
    expect((await waiting).status).toBe(523);
    expect(await second.exit).toBe(0);
    expect(second.output()).toContain('daemon.stopped');
  }, 60_000);
});
