import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { globalKey, globalSecret, signedQuery } from '../support/ska.js';

const start = Date.UTC(2026, 0, 1);
const inAnHour = String(start / 1000 + 3600) + '.0';
const shopKey = { secret: 'shop-secret-of-at-least-32-bytes!!', algorithm: 'HMAC-SHA512', quoter: 'default' } as const;
const COOKIE = '__Host-authbridge_session';

async function login(t: TestDaemon, query: string, init: RequestInit = {}) {
  const res = await fetch(`${t.url}/ska/login/?${query}`, { redirect: 'manual', ...init });
  return { status: res.status, headers: res.headers, location: res.headers.get('location'), cookie: res.headers.get('set-cookie'), text: await res.text() };
}

/** The user and method of the session a Set-Cookie header starts. */
async function sessionOf(t: TestDaemon, setCookie: string | null) {
  const id = new RegExp(`^${COOKIE}=([A-Za-z0-9_-]{43});`).exec(setCookie ?? '')?.[1];
  expect(id, 'a session cookie').toBeDefined();
  const res = await fetch(`${t.url}/v1/session`, { headers: { cookie: `${COOKIE}=${id}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { user: string; method: string };
}

describe('GET /ska/login/ (SKA-7)', () => {
  let t: TestDaemon;
  const clock = new ManualClock(start);
  beforeAll(async () => {
    t = await startTestDaemon(`[ska]\nsecret = "${globalSecret}"\nalgorithm = "HMAC-SHA256"\n[regulation]\nmax_retries = 1000\n`, { clock });
    t.daemon.store.ska.addProvider({ name: 'shop', ...shopKey, redirect: 'https://shop.example/welcome', allowedUsers: null });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('logs in: creates the user from signed extra, sets the session cookie, redirects to next', async () => {
    const query = signedQuery('alice', inAnHour, [['email', 'alice@example.org'], ['first_name', 'Alice'], ['last_name', 'Liddell']]);
    const res = await login(t, `${query}&next=${encodeURIComponent('/home?tab=1')}`);
    expect(res.status).toBe(302);
    expect(res.location).toBe('/home?tab=1');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await sessionOf(t, res.cookie)).toMatchObject({ user: 'alice', method: 'ska' });
    expect(t.daemon.store.users.findByUsername('alice')).toMatchObject({ email: 'alice@example.org', displayName: 'Alice Liddell' });
    expect(t.daemon.store.audit.recent(50).some((row) => row.method === 'ska' && row.subject === 'alice' && row.result === 'success')).toBe(true);
  });

  it('never updates an existing user from a later login', async () => {
    const query = signedQuery('alice', String(start / 1000 + 3601) + '.0', [['email', 'changed@example.org']]);
    expect((await login(t, query)).status).toBe(302);
    expect(t.daemon.store.users.findByUsername('alice')?.email).toBe('alice@example.org');
  });

  it('redirects to / without next or provider, and to the provider redirect with a provider', async () => {
    const plain = await login(t, signedQuery('bob', inAnHour));
    expect(plain).toMatchObject({ status: 302, location: '/' });
    expect(await sessionOf(t, plain.cookie)).toMatchObject({ user: 'bob' });
    const viaShop = await login(t, signedQuery('carol', inAnHour, [['provider', 'shop']], shopKey));
    expect(viaShop).toMatchObject({ status: 302, location: 'https://shop.example/welcome' });
    expect(await sessionOf(t, viaShop.cookie)).toMatchObject({ user: 'carol', method: 'ska' });
  });

  it('an unsafe next falls back to the provider redirect or /', async () => {
    const unsafe = ['//evil.example', 'https://evil.example', '/\\evil', '/\t/evil.example'];
    for (const [i, next] of unsafe.entries()) {
      const withShop = await login(t, `${signedQuery(`dave${i}`, inAnHour, [['provider', 'shop']], shopKey)}&next=${encodeURIComponent(next)}`);
      expect(withShop, next).toMatchObject({ status: 302, location: 'https://shop.example/welcome' });
      const plain = await login(t, `${signedQuery(`erin${i}`, inAnHour)}&next=${encodeURIComponent(next)}`);
      expect(plain, next).toMatchObject({ status: 302, location: '/' });
    }
  });

  it('a bad signature answers 403 "Authentication error!" and starts no session', async () => {
    const forged = signedQuery('mallory', inAnHour).replace('auth_user=mallory', 'auth_user=alice');
    const expired = signedQuery('mallory', String(start / 1000 - 1) + '.0');
    const wrongKey = signedQuery('mallory', inAnHour, [], { ...globalKey, secret: 'another-secret' });
    // A named provider never falls back to the global key.
    const globalForShop = signedQuery('mallory', inAnHour, [['provider', 'shop']]);
    const unknownProvider = signedQuery('mallory', inAnHour, [['provider', 'nobody']]);
    for (const query of [forged, expired, wrongKey, globalForShop, unknownProvider, '']) {
      const res = await login(t, `${query}&next=/home`);
      expect(res.status, query).toBe(403);
      expect(res.text).toBe('Authentication error!');
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.cookie).toBeNull();
      expect(res.location).toBeNull();
    }
  });

  it('one-time by default: a replayed login URL answers 403', async () => {
    const query = signedQuery('frank', inAnHour);
    expect((await login(t, query)).status).toBe(302);
    const replay = await login(t, query);
    expect(replay).toMatchObject({ status: 403, text: 'Authentication error!', cookie: null });
  });

  it('accepts the signed fields as a POST form body', async () => {
    const body = `${signedQuery('grace', inAnHour)}&next=%2Fdash`;
    const res = await login(t, '', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(res).toMatchObject({ status: 302, location: '/dash' });
    expect(await sessionOf(t, res.cookie)).toMatchObject({ user: 'grace' });
  });
});

describe('GET /ska/login/: the three signature modes of spec/ska.md §9', () => {
  it('"store" records the signature but accepts a replay; "none" neither records nor refuses', async () => {
    for (const mode of ['store', 'none']) {
      const t = await startTestDaemon(`[ska]\nsecret = "${globalSecret}"\nalgorithm = "HMAC-SHA256"\nlogin_signatures = "${mode}"\n`, { clock: new ManualClock(start) });
      try {
        const query = signedQuery('alice', inAnHour);
        expect((await login(t, query)).status, mode).toBe(302);
        expect((await login(t, query)).status, mode).toBe(302);
        // A claim of the same triple fails only if the logins recorded it.
        const signature = new URLSearchParams(query).get('signature') as string;
        expect(t.daemon.store.ska.claimSignature(signature, 'alice', inAnHour, start + 3_600_000), mode).toBe(mode === 'none');
      } finally {
        await t.stop();
      }
    }
  });
});

describe('GET /ska/login/ and brute-force regulation', () => {
  it('bans after repeated failed logins (429 + Retry-After), even for a valid signature then', async () => {
    const t = await startTestDaemon(`[ska]\nsecret = "${globalSecret}"\nalgorithm = "HMAC-SHA256"\n[regulation]\nmax_retries = 3\n`, { clock: new ManualClock(start) });
    try {
      const bad = signedQuery('ivan', inAnHour, [], { ...globalKey, secret: 'guess' });
      for (let i = 0; i < 3; i++) expect((await login(t, bad)).status).toBe(403);
      const res = await login(t, signedQuery('ivan', inAnHour));
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.cookie).toBeNull();
      expect(t.daemon.store.audit.recent(50).filter((row) => row.method === 'ska' && row.subject === 'ivan' && row.result === 'failure')).toHaveLength(3);
    } finally {
      await t.stop();
    }
  });
});
