import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

describe('daemon without XMPP', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers /healthz and a ready /readyz', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'UP' });
  });

  it('answers unknown routes with a stable error code', async () => {
    const res = await fetch(`${t.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'ERR_NOT_FOUND' });
  });

  it('answers /auth 400 for a missing parameter and 523 when XMPP is disabled', async () => {
    expect((await fetch(`${t.url}/auth?jid=alice@example.org&domain=x&method=GET`)).status).toBe(400);
    expect((await fetch(`${t.url}/auth?jid=alice@example.org&domain=x&method=GET&transaction_id=1`)).status).toBe(523);
  });

  it('answers the JSON XMPP API 503 ERR_XMPP_UNAVAILABLE when XMPP is disabled', async () => {
    const created = await fetch(`${t.url}/v1/xmpp/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jid: 'alice@example.org', domain: 'x', method: 'GET' }),
    });
    expect(created.status).toBe(503);
    expect(await created.json()).toEqual({ error: 'ERR_XMPP_UNAVAILABLE', error_description: 'the XMPP method is disabled in the configuration' });
    const polled = await fetch(`${t.url}/v1/xmpp/requests/abc`);
    expect(polled.status).toBe(503);
    expect(await polled.json()).toMatchObject({ error: 'ERR_XMPP_UNAVAILABLE' });
  });

  it('refuses malformed JSON with 400, never 500', async () => {
    const res = await fetch(`${t.url}/v1/xmpp/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jid":' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'ERR_INVALID_REQUEST' });
  });
});
