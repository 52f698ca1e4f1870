import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDaemon } from '../../support/daemon.js';
import { startProsody, type ProsodyServer } from '../../support/prosody.js';
import { startPeers, type Peers } from '../../support/xmpp/peers.js';
import { auth, startLinkedDaemon, xmppSection } from '../../support/xmpp/setup.js';

/** The component link's life: server gone, server back, wrong secret (XMPP-6, 18, 19). */
describe('the component link', () => {
  let prosody: ProsodyServer;
  let peers: Peers;
  let t: TestDaemon;

  beforeAll(async () => {
    prosody = await startProsody({ users: { alice: 'pw', carol: 'pw' } });
    t = await startLinkedDaemon(prosody);
    peers = await startPeers(prosody, [{ jid: 'carol@localhost/phone', password: 'pw', mode: 'silent' }]);
  });
  afterAll(async () => {
    await t?.stop();
    await peers?.stop();
    await prosody?.dispose();
  });

  it('answers disco#info on its own domain and accepts presence subscriptions', async () => {
    peers.command('disco carol@localhost/phone');
    const disco = await peers.waitFor((e) => e.event === 'disco');
    expect(disco.identities).toEqual([['component', 'generic', 'authbridge']]);
    expect(disco.features).toEqual(expect.arrayContaining(['http://jabber.org/protocol/disco#info', 'jabber:iq:version']));
    peers.command('subscribe carol@localhost/phone');
    expect(await peers.waitFor((e) => e.event === 'subscribed')).toMatchObject({ by: 'auth.localhost' });
  });

  it('is ready while online', async () => {
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: expect.arrayContaining([{ name: 'xmpp', status: 'UP', detail: 'online' }]) });
  });

  it('an exception while sending answers 520 (empty body), and the daemon carries on', async () => {
    const entity = t.daemon.xmpp.link!.entity;
    const send = entity.send.bind(entity);
    entity.send = () => Promise.reject(new Error('socket write failed'));
    try {
      const failed = await auth(t.url, { jid: 'carol@localhost/phone', domain: 'd', method: 'GET', transaction_id: 'fail-1', timeout: '5' });
      expect(failed).toMatchObject({ status: 520, body: '' });
    } finally {
      entity.send = send;
    }
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });

  it('a request waiting when the server goes away is answered 523; then /auth answers 523 at once; after a restart it works again', async () => {
    const waiting = auth(t.url, { jid: 'carol@localhost/phone', domain: 'd', method: 'GET', transaction_id: 'drop-1', timeout: '30' });
    await peers.waitFor((e) => e.event === 'confirm' && e.id === 'drop-1');
    await peers.stop();
    await prosody.stop();
    const dropped = await waiting;
    expect(dropped.status).toBe(523);
    expect(dropped.seconds).toBeLessThan(10);

    const down = await auth(t.url, { jid: 'alice@localhost/phone', domain: 'd', method: 'GET', transaction_id: 'down-1', timeout: '30' });
    expect(down.status).toBe(523);
    expect(down.seconds).toBeLessThan(1);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(503);

    const restarted = performance.now();
    await prosody.start();
    await t.daemon.xmpp.link!.waitOnline(5000);
    peers = await startPeers(prosody, [{ jid: 'alice@localhost/phone', password: 'pw', mode: 'accept' }]);
    const again = await auth(t.url, { jid: 'alice@localhost/phone', domain: 'd', method: 'GET', transaction_id: 'back-1', timeout: '10' });
    expect(again.status).toBe(200);
    expect((performance.now() - restarted) / 1000).toBeLessThan(5 + 3);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  }, 60_000);
});

describe('a configuration the XMPP server refuses', () => {
  let prosody: ProsodyServer;
  let dir: string;
  beforeAll(async () => {
    prosody = await startProsody();
    dir = mkdtempSync(join(tmpdir(), 'authbridge-secret-'));
  });
  afterAll(async () => {
    await prosody?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['a wrong component secret', { secret: 'not-the-secret' }, 'refused the component secret'],
    ['a component domain the server does not know (host-unknown)', { component: 'elsewhere.localhost' }, 'does not know the component domain'],
  ])('%s makes `authbridge serve` exit non-zero with a clear message instead of retrying forever', async (_name, change, message) => {
    const config = join(dir, 'config.toml');
    writeFileSync(
      config,
      `[http]\nlisten = "127.0.0.1:0"\n[store]\npath = "${join(dir, 'db.sqlite')}"\n[log]\nformat = "json"\n${xmppSection({ ...prosody, ...change })}`,
    );
    const child = spawn(process.execPath, ['dist/main.js', 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code).toBe(78);
    expect(output).toContain(message);
    // Exactly one attempt: no retry loop (xmpp.js#588).
    expect(output.match(/"message":"xmpp.fatal"/g)).toHaveLength(1);
  });
});
