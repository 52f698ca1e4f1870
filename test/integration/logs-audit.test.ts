import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/clock.js';
import { Store } from '../../src/store/store.js';
import { runCli, spawnServe } from '../support/cli.js';
import { startTestDaemon } from '../support/daemon.js';

/** Logs (OPS-14), the audit trail and the purge schedule of the store (issue 2). */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'authbridge-logs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'component-secret-that-must-not-leak';

describe('logs of a real `authbridge serve`', () => {
  it('one JSON line per request with requestId, route, status and duration; one warning for an absent XMPP server; no secret, no token', async () => {
    const config = join(dir, 'json.toml');
    writeFileSync(config, `[http]\nlisten = "127.0.0.1:0"\n[store]\npath = "${join(dir, 'db.sqlite')}"\n[xmpp]\nservice = "xmpp://127.0.0.1:1"\nsecret = "${SECRET}"\n`);
    const token = runCli(['client', 'add', 'shop', '--config', config]).stdout.trim().split('\n').at(-1)!;
    const serve = spawnServe(config);
    const url = await serve.url;
    const res = await fetch(`${url}/v1/xmpp/requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ jid: 'alice@localhost', domain: 'd', method: 'GET' }),
    });
    const requestId = res.headers.get('x-request-id');
    expect(res.status).toBe(202);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'DOWN', checks: expect.arrayContaining([expect.objectContaining({ name: 'xmpp', status: 'DOWN' })]) });
    // Several reconnect attempts happen meanwhile.
    await new Promise((r) => setTimeout(r, 2500));
    serve.child.kill('SIGTERM');
    expect(await serve.exit).toBe(0);

    const lines = serve.output().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const request = lines.find((l) => l['message'] === 'http.request' && l['requestId'] === requestId);
    expect(request).toMatchObject({ level: 'info', method: 'POST', route: '/v1/xmpp/requests', status: 202 });
    expect(typeof request!['durationMs']).toBe('number');
    expect(typeof request!['timestamp']).toBe('string');
    expect(lines.find((l) => l['message'] === 'auth.xmpp')).toMatchObject({ jid: 'alice@localhost', result: 'unreachable', client: 'shop' });
    expect(lines.filter((l) => l['level'] === 'warn' && l['message'] === 'xmpp.error')).toHaveLength(1);
    // The back-off's retries stay out of the info log: the first attempt (its failure is the warning), then the stop.
    expect(lines.filter((l) => l['message'] === 'xmpp.state').map((l) => l['state'])).toEqual(['connecting', 'stopped']);
    expect(serve.output()).not.toContain(SECRET);
    expect(serve.output()).not.toContain(token);

    // The attempt is in the audit trail, with the client that asked.
    const store = new Store(join(dir, 'db.sqlite'), systemClock);
    try {
      expect(store.audit.recent(10).find((r) => r.method === 'xmpp')).toMatchObject({ subject: 'alice@localhost', result: 'unreachable', client: 'shop', ip: '127.0.0.1' });
    } finally {
      store.close();
    }
  });

  it('format = "text" writes readable lines for development', async () => {
    const config = join(dir, 'text.toml');
    writeFileSync(config, `[http]\nlisten = "127.0.0.1:0"\n[store]\npath = "${join(dir, 'text.sqlite')}"\n[log]\nformat = "text"\nlevel = "warn"\n[xmpp]\nenabled = false\n`);
    const serve = spawnServe(config);
    serve.url.catch(() => {}); // level = warn: the listening line is not printed
    await new Promise((r) => setTimeout(r, 1500));
    serve.child.kill('SIGTERM');
    await serve.exit;
    // level = warn: only the warning that XMPP is disabled, as text.
    expect(serve.output()).toMatch(/^\S+Z \S*warn\S* xmpp\.disabled \{/m);
    expect(serve.output()).not.toContain('http.listening');
  });
});

describe('audit trail and purge schedule', () => {
  it('audit events keep who, method, result, client and time; decided requests and audit events are purged after retention_days', async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 1));
    const t = await startTestDaemon('[store]\npath = "$DIR/a.sqlite"\nretention_days = 1\npurge_interval = 1\n', { clock });
    try {
      const store = t.daemon.store;
      store.audit.record({ method: 'xmpp', subject: 'bob@localhost', result: 'approved', client: 'shop', ip: '127.0.0.1' });
      store.xmppRequests.create({
        id: 'old', jid: 'bob@localhost', domain: 'd', method: 'GET', transactionId: '1', clientId: null,
        status: 'approved', createdAt: clock.now(), expiresAt: clock.now() + 60_000, decidedAt: clock.now(),
      });
      store.xmppRequests.create({
        id: 'waiting', jid: 'carol@localhost', domain: 'd', method: 'GET', transactionId: '2', clientId: null,
        status: 'pending', createdAt: clock.now(), expiresAt: clock.now() + 60_000, decidedAt: null,
      });
      expect(store.audit.recent(1)[0]).toMatchObject({ method: 'xmpp', subject: 'bob@localhost', result: 'approved', client: 'shop', ip: '127.0.0.1', at: clock.now() });

      clock.advance(86_400_000 + 1000);
      await new Promise((r) => setTimeout(r, 1600));
      expect(store.audit.recent(10)).toEqual([]);
      expect(store.xmppRequests.find('old')).toBeUndefined();
      expect(store.xmppRequests.find('waiting')).toMatchObject({ status: 'pending' });
    } finally {
      await t.stop();
    }
  });
});
