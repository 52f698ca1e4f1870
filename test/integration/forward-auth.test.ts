import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

/** /auth/forward (Traefik, Caddy) and /auth/request (nginx) on the login session (OPS-11). */
const noRedirect = { redirect: 'manual' } as const;

describe('behind a trusted proxy, with a login page', () => {
  let t: TestDaemon;
  let cookie: string;
  beforeAll(async () => {
    t = await startTestDaemon('[http]\nlisten = "127.0.0.1:0"\ntrusted_proxies = ["127.0.0.1/32"]\n[forward_auth]\nlogin_url = "https://login.example/sign-in?lang=en"\n[session]\ncookie_name = "ab"\n');
    t.daemon.store.users.add({ username: 'alice', email: 'alice@example.org', displayName: 'Alice Émile' });
    t.daemon.store.users.add({ username: 'bob' });
    cookie = `__Host-ab=${t.daemon.sessions.create({ user: 'alice', method: 'kerberos' }).id}`;
  });
  afterAll(async () => t.stop());

  it('a live session answers 200 with Remote-User, Remote-Groups, Remote-Email, Remote-Name, on both endpoints', async () => {
    for (const path of ['/auth/forward', '/auth/request']) {
      const res = await fetch(`${t.url}${path}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      expect(res.headers.get('remote-user')).toBe('alice');
      expect(res.headers.get('remote-groups')).toBe('');
      expect(res.headers.get('remote-email')).toBe('alice@example.org');
      // UTF-8 bytes on the wire, as Go proxies pass them on.
      expect(Buffer.from(res.headers.get('remote-name')!, 'latin1').toString('utf8')).toBe('Alice Émile');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('a user without email or name gets Remote-User only; a disabled user gets no pass', async () => {
    const bob = `__Host-ab=${t.daemon.sessions.create({ user: 'bob', method: 'gpgauth' }).id}`;
    const res = await fetch(`${t.url}/auth/request`, { headers: { cookie: bob } });
    expect(res.status).toBe(200);
    expect(res.headers.get('remote-user')).toBe('bob');
    expect(res.headers.has('remote-email')).toBe(false);
    t.daemon.store.users.setDisabled('bob', true);
    expect((await fetch(`${t.url}/auth/request`, { headers: { cookie: bob } })).status).toBe(401);
  });

  it('Traefik without a session: 302 to the login page with rd = the URL asked for', async () => {
    const res = await fetch(`${t.url}/auth/forward`, {
      ...noRedirect,
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example', 'x-forwarded-uri': '/orders?id=7' },
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://login.example/sign-in');
    expect(location.searchParams.get('lang')).toBe('en');
    expect(location.searchParams.get('rd')).toBe('https://app.example/orders?id=7');
  });

  it('nginx without a session: 401 with Location (error_page 401 = @login makes it a 302)', async () => {
    const res = await fetch(`${t.url}/auth/request`, { ...noRedirect, headers: { 'x-original-url': 'https://app.example/a b', cookie: '__Host-ab=unknown' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'ERR_NO_SESSION' });
    expect(new URL(res.headers.get('location')!).searchParams.get('rd')).toBe('https://app.example/a%20b');
  });

  it('an original URL that is not http(s) is left out of rd', async () => {
    const res = await fetch(`${t.url}/auth/request`, { ...noRedirect, headers: { 'x-original-url': 'javascript:alert(1)' } });
    expect(new URL(res.headers.get('location')!).searchParams.has('rd')).toBe(false);
  });
});

describe('without trusted proxies or a login page', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon();
  });
  afterAll(async () => t.stop());

  it('X-Forwarded-* from an untrusted peer are ignored; no login page: 401 without Location', async () => {
    const res = await fetch(`${t.url}/auth/forward`, { ...noRedirect, headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-uri': '/' } });
    expect(res.status).toBe(401);
    expect(res.headers.has('location')).toBe(false);
  });
});
