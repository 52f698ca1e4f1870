import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { Store } from '../../src/store/store.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { globalKey, globalSecret, signedQuery } from '../support/ska.js';

const start = Date.UTC(2026, 0, 1);
const inAnHour = String(start / 1000 + 3600) + '.0';

async function verifyGet(t: TestDaemon, query: string) {
  const res = await fetch(`${t.url}/v1/ska/verify?${query}`);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function verifyPost(t: TestDaemon, body: unknown, type = 'application/json') {
  const res = await fetch(`${t.url}/v1/ska/verify`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('ska verification API', () => {
  let t: TestDaemon;
  const clock = new ManualClock(start);
  beforeAll(async () => {
    t = await startTestDaemon(
      `[ska]\nsecret = "${globalSecret}"\nalgorithm = "HMAC-SHA256"\nmax_lifetime = 86400\n[regulation]\nmax_retries = 1000\n`,
      { clock },
    );
    t.daemon.store.ska.addProvider({ name: 'shop', secret: 'shop-secret-of-at-least-32-bytes!!', algorithm: 'HMAC-SHA512', quoter: 'default', redirect: null, allowedUsers: 'shop-[a-z]+' });
    t.daemon.store.ska.addProvider({ name: 'legacy', secret: 'legacy-secret-of-at-least-32-bytes', algorithm: 'HMAC-MD5', quoter: 'default', redirect: null, allowedUsers: null });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('GET: a valid signature answers 200 with the user, signed extra and valid_until verbatim', async () => {
    const query = `${signedQuery('alice', inAnHour, [['email', 'alice@example.org'], ['10', 'x']])}&next=%2Fhome`;
    const res = await verifyGet(t, query);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: 'alice', provider: null, extra: { email: 'alice@example.org', 10: 'x' }, valid_until: inAnHour });
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('POST: a query, a full signed URL, a params object and a form body', async () => {
    const query = signedQuery('bob', inAnHour, [['first_name', 'Bob']]);
    expect((await verifyPost(t, { query })).body).toMatchObject({ user: 'bob', extra: { first_name: 'Bob' } });
    expect((await verifyPost(t, { query: `https://app.example/login/?${query}` })).status).toBe(200);
    const params = Object.fromEntries(new URLSearchParams(query));
    expect((await verifyPost(t, { params })).body).toMatchObject({ user: 'bob' });
    expect((await verifyPost(t, query, 'application/x-www-form-urlencoded')).body).toMatchObject({ user: 'bob' });
  });

  it('401 with ska reasons and stable codes for wrong, expired and too long-lived signatures', async () => {
    const wrong = await verifyGet(t, signedQuery('alice', inAnHour, [], { ...globalKey, secret: 'another-secret' }));
    expect(wrong).toMatchObject({ status: 401, body: { error: 'ERR_SIGNATURE_INVALID', reasons: ['Invalid signature!'] } });
    const past = String(start / 1000 - 1) + '.0';
    expect(await verifyGet(t, signedQuery('alice', past))).toMatchObject({ status: 401, body: { error: 'ERR_SIGNATURE_EXPIRED', reasons: ['Signature timestamp expired!'] } });
    const both = await verifyGet(t, signedQuery('alice', past, [], { ...globalKey, algorithm: 'HMAC-SHA1' }));
    expect(both.body).toMatchObject({ error: 'ERR_SIGNATURE_INVALID', reasons: ['Invalid signature!', 'Signature timestamp expired!'] });
    expect(both.body['error_description']).toBe('Unauthorised request. Invalid signature!; Signature timestamp expired!');
    expect(await verifyGet(t, signedQuery('alice', '4102444800.0'))).toMatchObject({ status: 401, body: { error: 'ERR_SIGNATURE_LIFETIME' } });
  });

  it('a named provider uses its own key, never the global one', async () => {
    const shopKey = { secret: 'shop-secret-of-at-least-32-bytes!!', algorithm: 'HMAC-SHA512' as const, quoter: 'default' as const };
    const ok = await verifyGet(t, signedQuery('shop-carol', inAnHour, [['provider', 'shop']], shopKey));
    expect(ok).toMatchObject({ status: 200, body: { user: 'shop-carol', provider: 'shop', extra: { provider: 'shop' } } });
    const viaBody = await verifyPost(t, { params: Object.fromEntries(new URLSearchParams(signedQuery('shop-carol', inAnHour, [], shopKey))), provider: 'shop' });
    expect(viaBody).toMatchObject({ status: 200, body: { provider: 'shop' } });
    // Signed with the global key but naming the provider: no fallback.
    expect((await verifyGet(t, signedQuery('shop-carol', inAnHour, [['provider', 'shop']]))).body).toMatchObject({ error: 'ERR_SIGNATURE_INVALID' });
    expect((await verifyGet(t, signedQuery('alice', inAnHour, [['provider', 'nope']]))).body).toMatchObject({ error: 'ERR_UNKNOWN_PROVIDER' });
    expect(await verifyGet(t, signedQuery('dave', inAnHour, [['provider', 'shop']], shopKey))).toMatchObject({ status: 403, body: { error: 'ERR_USER_NOT_ALLOWED' } });
  });

  it('HMAC-MD5 only for the provider configured with it', async () => {
    const md5 = { secret: 'legacy-secret-of-at-least-32-bytes', algorithm: 'HMAC-MD5' as const, quoter: 'default' as const };
    expect(await verifyGet(t, signedQuery('old', inAnHour, [['provider', 'legacy']], md5))).toMatchObject({ status: 200, body: { user: 'old', provider: 'legacy' } });
    // The same MD5 signing under the global key (HMAC-SHA256 here) is refused.
    expect(await verifyGet(t, signedQuery('old', inAnHour, [], { ...md5, secret: globalSecret }))).toMatchObject({ status: 401, body: { error: 'ERR_SIGNATURE_INVALID' } });
  });

  it('bad input, tried for real: every answer a 4xx with a stable code, and the daemon keeps serving', async () => {
    const codes = new Set(['ERR_SIGNATURE_INVALID', 'ERR_SIGNATURE_MALFORMED', 'ERR_INVALID_REQUEST', 'ERR_UNSUPPORTED_MEDIA_TYPE']);
    const good = signedQuery('alice', inAnHour);
    const withValidUntil = (v: string) => good.replace(/valid_until=[^&]*/, `valid_until=${encodeURIComponent(v)}`);
    const queries = [
      ...['inf', 'nan', '-inf', 'Infinity', '1e10', '4102444800.0_123', `${inAnHour}_x`, ' 1', '0x7fffffff', '١٢٣', '1.', '.5', '9'.repeat(40), '1.0000001', '', '%', '%ZZ', '\u0000'].map(withValidUntil),
      `${good}&auth_user=mallory`,
      `${good}&signature=x`,
      `${good}&valid_until=4102444800.0`,
      `${good}&extra=a&a=1&a=2`,
      'garbage',
      '%ff%fe%00=%c3',
      '&&&===&&',
      'signature=&auth_user=&valid_until=&extra=',
      `auth_user=${'a'.repeat(8000)}`,
      'extra=signature,auth_user',
      'auth_user=a%25b&valid_until=4102444800.0&extra=&signature=x',
      'auth_user=%ED%A0%80&valid_until=4102444800.0&extra=&signature=x',
    ];
    for (const query of queries) {
      const res = await fetch(`${t.url}/v1/ska/verify?${query}`);
      expect(res.status, query).toBeGreaterThanOrEqual(400);
      expect(res.status, query).toBeLessThan(500);
      expect(codes, query).toContain(((await res.json()) as { error: string }).error);
    }
    const bodies: Array<[string, string]> = [
      ['{"query": 5}', 'application/json'],
      ['{"params": ["a"]}', 'application/json'],
      ['{"params": {"auth_user": {"x": 1}}}', 'application/json'],
      ['{"params": {"auth_user": 1.5}}', 'application/json'],
      ['{"params": {}, "provider": 7}', 'application/json'],
      ['{"query": "a=1", "params": {}}', 'application/json'],
      ['{"query": "a=1", "provider": "shop"}', 'application/json'],
      ['[1,2]', 'application/json'],
      ['{"params":', 'application/json'],
      ['auth_user=a&auth_user=b', 'application/x-www-form-urlencoded'],
      ['<xml/>', 'text/xml'],
    ];
    for (const [body, type] of bodies) {
      const res = await fetch(`${t.url}/v1/ska/verify`, { method: 'POST', headers: { 'content-type': type }, body });
      expect(res.status, body).toBeGreaterThanOrEqual(400);
      expect(res.status, body).toBeLessThan(500);
      expect(codes, body).toContain(((await res.json()) as { error: string }).error);
    }
    // Past Node's header limit (16 KiB) the HTTP parser itself answers 431.
    expect((await fetch(`${t.url}/v1/ska/verify?${good}&next=${'a'.repeat(20_000)}`)).status).toBe(431);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await verifyGet(t, good)).status).toBe(200);
  });

  it('records every attempt in the audit log without the signature', () => {
    const rows = t.daemon.store.audit.recent(500).filter((r) => r.method === 'ska');
    expect(rows.some((r) => r.result === 'success' && r.subject === 'alice')).toBe(true);
    expect(rows.some((r) => r.result === 'failure' && r.detail?.startsWith('ERR_SIGNATURE_INVALID'))).toBe(true);
    const signature = new URLSearchParams(signedQuery('alice', inAnHour)).get('signature') as string;
    expect(rows.every((r) => !(r.detail ?? '').includes(signature))).toBe(true);
  });
});

describe('ska one-time signatures, user creation and regulation', () => {
  let t: TestDaemon;
  const clock = new ManualClock(start);
  beforeAll(async () => {
    t = await startTestDaemon(`[ska]\nsecret = "${globalSecret}"\nalgorithm = "HMAC-SHA256"\none_time = true\ncreate_users = true\n[regulation]\nmax_retries = 1000\n`, { clock });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('accepts a signature once; a replay is refused with ERR_SIGNATURE_REPLAYED', async () => {
    const query = signedQuery('erin', inAnHour);
    expect((await verifyGet(t, query)).status).toBe(200);
    expect(await verifyGet(t, query)).toMatchObject({ status: 401, body: { error: 'ERR_SIGNATURE_REPLAYED' } });
  });

  it('of 100 simultaneous copies of one signed URL exactly one wins', async () => {
    const query = signedQuery('frank', inAnHour, [['n', '1']]);
    const results = await Promise.all(Array.from({ length: 100 }, () => verifyGet(t, query)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.body['error'] === 'ERR_SIGNATURE_REPLAYED')).toHaveLength(99);
  });

  it('the claim is atomic across connections to the same SQLite file', () => {
    const other = new Store(join(t.dir, 'authbridge.sqlite'), clock);
    try {
      const claims = [other.ska.claimSignature('sig', 'u', '1.0', 1000), t.daemon.store.ska.claimSignature('sig', 'u', '1.0', 1000), other.ska.claimSignature('sig', 'u', '1.0', 1000)];
      expect(claims).toEqual([true, false, false]);
    } finally {
      other.close();
    }
  });

  it('purges records once their valid_until has passed', async () => {
    const soon = String(clock.now() / 1000 + 60) + '.0';
    expect((await verifyGet(t, signedQuery('gina', soon))).status).toBe(200);
    const count = () => (new Database(join(t.dir, 'authbridge.sqlite'), { readonly: true }).prepare('SELECT COUNT(*) AS n FROM ska_signatures WHERE auth_user = ?').get('gina') as { n: number }).n;
    expect(count()).toBe(1);
    t.daemon.store.purge(clock.now());
    expect(count()).toBe(1);
    clock.advance(61_000);
    t.daemon.store.purge(clock.now());
    expect(count()).toBe(0);
  });

  it('creates a user at the first login from signed extra only, and never updates it', async () => {
    const first = signedQuery('hank', String(clock.now() / 1000 + 600) + '.0', [['email', 'hank@example.org'], ['first_name', 'Hank'], ['last_name', 'Hill']]);
    expect((await verifyGet(t, first)).status).toBe(200);
    expect(t.daemon.store.users.findByUsername('hank')).toMatchObject({ email: 'hank@example.org', displayName: 'Hank Hill' });
    const unsigned = signedQuery('ivy', String(clock.now() / 1000 + 600) + '.0', [['first_name', 'Ivy']]);
    expect((await verifyGet(t, `${unsigned}&email=evil@example.org&last_name=Evil`)).status).toBe(200);
    expect(t.daemon.store.users.findByUsername('ivy')).toMatchObject({ email: null, displayName: 'Ivy' });
    const second = signedQuery('hank', String(clock.now() / 1000 + 601) + '.0', [['email', 'new@example.org']]);
    expect((await verifyGet(t, second)).status).toBe(200);
    expect(t.daemon.store.users.findByUsername('hank')).toMatchObject({ email: 'hank@example.org' });
  });

  it('refuses a disabled user with 403', async () => {
    t.daemon.store.users.setDisabled('hank', true);
    expect(await verifyGet(t, signedQuery('hank', String(clock.now() / 1000 + 602) + '.0'))).toMatchObject({ status: 403, body: { error: 'ERR_USER_DISABLED' } });
  });
});

describe('ska regulation and caller authentication', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon(`[ska]\nsecret = "${globalSecret}"\nalgorithm = "HMAC-SHA256"\n[regulation]\nmax_retries = 3\n`, { clock: new ManualClock(start) });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('bans a user after repeated failures (429 + Retry-After), even with a valid signature then', async () => {
    const bad = signedQuery('ivan', inAnHour, [], { ...globalKey, secret: 'guess' });
    for (let i = 0; i < 3; i++) expect((await verifyGet(t, bad)).status).toBe(401);
    const res = await verifyGet(t, signedQuery('ivan', inAnHour));
    expect(res).toMatchObject({ status: 429, body: { error: 'ERR_RATE_LIMITED' } });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('counts failures per address too', async () => {
    // The three failures above came from this address: another user is refused as well.
    expect((await verifyGet(t, signedQuery('judy', inAnHour))).status).toBe(429);
  });
});

describe('ska require_signed_provider', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon(`[ska]\nrequire_signed_provider = true\n[regulation]\nmax_retries = 1000\n`, { clock: new ManualClock(start) });
    t.daemon.store.ska.addProvider({ name: 'shop', secret: 'shop-secret-of-at-least-32-bytes!!', algorithm: 'HMAC-SHA256', quoter: 'default', redirect: null, allowedUsers: null });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('accepts a provider only when it is signed, and refuses requests naming none without a global key', async () => {
    const shopKey = { secret: 'shop-secret-of-at-least-32-bytes!!', algorithm: 'HMAC-SHA256' as const, quoter: 'default' as const };
    expect((await verifyGet(t, signedQuery('lou', inAnHour, [['provider', 'shop']], shopKey))).status).toBe(200);
    expect((await verifyGet(t, `${signedQuery('lou', inAnHour, [], shopKey)}&provider=shop`)).body).toMatchObject({ error: 'ERR_SIGNATURE_MALFORMED' });
    const params = Object.fromEntries(new URLSearchParams(signedQuery('lou', inAnHour, [], shopKey)));
    expect((await verifyPost(t, { params, provider: 'shop' })).body).toMatchObject({ error: 'ERR_SIGNATURE_MALFORMED' });
    expect((await verifyGet(t, signedQuery('lou', inAnHour))).body).toMatchObject({ error: 'ERR_UNKNOWN_PROVIDER' });
  });
});

describe('ska API behind callerAuth', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon(`[ska]\nsecret = "${globalSecret}"\nalgorithm = "HMAC-SHA256"\n[api]\nallow_unauthenticated_from = []\n`);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('needs a client token from outside the allowed networks', async () => {
    const query = signedQuery('kim', String(Math.floor(Date.now() / 1000) + 600) + '.0');
    expect((await verifyGet(t, query)).body).toMatchObject({ error: 'ERR_UNAUTHENTICATED' });
    const { token } = t.daemon.store.clients.add('webapp');
    const res = await fetch(`${t.url}/v1/ska/verify?${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(t.daemon.store.audit.recent(10).find((r) => r.method === 'ska' && r.result === 'success')).toMatchObject({ client: 'webapp' });
  });
});
