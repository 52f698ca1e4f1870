import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

describe('GET /v1/session and POST /v1/session/logout', () => {
  let t: TestDaemon;
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  beforeAll(async () => {
    t = await startTestDaemon('[session]\ninactivity = 600\nexpiration = 7200\ncookie_name = "ab"', { clock });
  });
  afterAll(async () => {
    await t.stop();
  });

  const cookieFor = () => `__Host-ab=${t.daemon.sessions.create({ user: 'alice', method: 'kerberos', data: { ccache: '/run/x' } }).id}`;

  it('answers 401 ERR_NO_SESSION without a cookie or with an unknown one', async () => {
    for (const headers of [{}, { cookie: `__Host-ab=${'x'.repeat(43)}` }]) {
      const res = await fetch(`${t.url}/v1/session`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'ERR_NO_SESSION' });
    }
  });

  it('returns the session named by the cookie', async () => {
    const res = await fetch(`${t.url}/v1/session`, { headers: { cookie: cookieFor() } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      user: 'alice',
      method: 'kerberos',
      created_at: '2026-06-01T00:00:00.000Z',
      expires_at: new Date(clock.now() + 600_000).toISOString(),
      data: { ccache: '/run/x' },
    });
  });

  it('expires an idle session', async () => {
    const cookie = cookieFor();
    clock.advance(601_000);
    expect((await fetch(`${t.url}/v1/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('logout ends the session and clears the cookie', async () => {
    const cookie = cookieFor();
    const res = await fetch(`${t.url}/v1/session/logout`, { method: 'POST', headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ended: true });
    expect(res.headers.get('set-cookie')).toMatch(/^__Host-ab=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax; Secure$/);
    expect((await fetch(`${t.url}/v1/session`, { headers: { cookie } })).status).toBe(401);
  });
});
