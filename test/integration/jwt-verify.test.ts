import { constants, createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationHeader, createToken } from '../../src/methods/jwt/client.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { ajwt, vectorKey } from '../support/ajwt-vectors.js';
import { addKey, VECTOR_TIME, vectorClock, verifyJwt } from '../support/jwt.js';

const ed = vectorKey('ed25519');
const rsa = vectorKey('rsa2048');

let handmadeNonce = 0;
/** A token for guido, fresh on the vector clock, with any alg and signature, as an attacker makes it. */
function handmade(alg: string, signer: (input: string) => Buffer, kid = rsa.fingerprint_kid): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64({ alg, kid, typ: 'JWT' })}.${b64({ username: 'guido', time: VECTOR_TIME, nonce: `forged${handmadeNonce++}` })}`;
  return `JWT ${input}.${signer(input).toString('base64url')}`;
}
const noBans = '[regulation]\nmax_retries = 100000\n';

/** Sends bytes as they are (no client-side header checks) and reads the whole answer. */
function rawRequest(baseUrl: string, request: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request, 'latin1'));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      resolve({ status: Number(head.split(' ')[1]), body });
    });
  });
}

describe('POST /v1/jwt/verify', () => {
  let t: TestDaemon;
  const clock = vectorClock();
  const token = (extra: { username?: string; time?: number; nonce?: string; privateKey?: string } = {}) =>
    authorizationHeader(createToken({ privateKey: extra.privateKey ?? ed.private_pem_pkcs8, username: extra.username ?? 'guido', time: extra.time ?? Math.floor(clock.now() / 1000), nonce: extra.nonce ?? `n${Math.random().toString(36).slice(2)}` }));

  beforeAll(async () => {
    t = await startTestDaemon(noBans, { clock });
    addKey(t.daemon.store, 'guido', ed.public_openssh_with_comment);
    addKey(t.daemon.store, 'guido', rsa.public_pem_spki);
    t.daemon.store.users.add({ username: 'ghost' });
    t.daemon.store.users.add({ username: 'sleeper' });
    addKey(t.daemon.store, 'sleeper', generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string);
    t.daemon.store.users.setDisabled('sleeper', true);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('accepts every vector header once, naming the user and the key, and stamps last_used_on', async () => {
    for (const vector of ajwt.client_tokens) {
      clock.set(vector.time * 1000);
      // The vectors share (user, time, nonce): each is a different key, so the second is a replay of the triple.
      const res = await verifyJwt(t.url, { authorization: vector.authorization_header });
      if (vector === ajwt.client_tokens[0]) {
        expect(res).toEqual({ status: 200, body: { user: 'guido', key_fingerprint: vectorKey(vector.key).fingerprint_kid, source: 'key' } });
        expect(t.daemon.store.jwt.findKey(vectorKey(vector.key).fingerprint_kid)?.lastUsedOn).toBe(clock.now());
      } else {
        expect(res.body['error']).toBe('ERR_TOKEN_REPLAYED');
      }
    }
  });

  it('accepts RS512 tokens from our client and a new nonce for the same user and time (JWT-5)', async () => {
    clock.set(VECTOR_TIME * 1000 + 5000);
    const first = await verifyJwt(t.url, { authorization: token({ privateKey: rsa.private_pem_pkcs8, nonce: 'aaaaaaaaaaa' }) });
    expect(first).toEqual({ status: 200, body: { user: 'guido', key_fingerprint: rsa.fingerprint_kid, source: 'key' } });
    const second = await verifyJwt(t.url, { authorization: token({ privateKey: rsa.private_pem_pkcs8, nonce: 'bbbbbbbbbbb' }) });
    expect(second.status).toBe(200);
    const replay = await verifyJwt(t.url, { authorization: token({ privateKey: rsa.private_pem_pkcs8, nonce: 'aaaaaaaaaaa' }) });
    expect(replay).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_REPLAYED' } });
  });

  it('answers 401 with a stable code for each refusal', async () => {
    clock.set(VECTOR_TIME * 1000);
    const stranger = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const cases: Array<[string, string]> = [
      [token({ username: 'nobody' }), 'ERR_UNKNOWN_USER'],
      [token({ username: 'sleeper' }), 'ERR_UNKNOWN_USER'],
      [token({ username: 'ghost' }), 'ERR_TOKEN_SIGNATURE'],
      [token({ privateKey: stranger }), 'ERR_TOKEN_SIGNATURE'],
      [token({ time: VECTOR_TIME - 21 }), 'ERR_TOKEN_STALE'],
      [token({ time: VECTOR_TIME + 21 }), 'ERR_TOKEN_STALE'],
      [`JWT ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ username: 'guido', time: VECTOR_TIME, nonce: 'x' })).toString('base64url')}.`, 'ERR_TOKEN_ALGORITHM'],
      // JWT-3: algorithm confusion, each with claims that would otherwise pass.
      [handmade('HS256', (input) => createHmac('sha256', rsa.public_pem_spki).update(input).digest()), 'ERR_TOKEN_ALGORITHM'],
      [handmade('HS512', (input) => createHmac('sha512', ed.public_pem_spki).update(input).digest(), ed.fingerprint_kid), 'ERR_TOKEN_ALGORITHM'],
      [handmade('PS256', (input) => sign('sha256', Buffer.from(input), { key: rsa.private_pem_pkcs8, padding: constants.RSA_PKCS1_PSS_PADDING })), 'ERR_TOKEN_ALGORITHM'],
      [handmade('RS512', (input) => sign(null, Buffer.from(input), ed.private_pem_pkcs8), ed.fingerprint_kid), 'ERR_TOKEN_SIGNATURE'],
      [handmade('EdDSA', (input) => createHmac('sha512', rsa.public_pem_spki).update(input).digest()), 'ERR_TOKEN_SIGNATURE'],
      ['Bearer abc', 'ERR_TOKEN_MALFORMED'],
      ['JWT', 'ERR_TOKEN_MALFORMED'],
      ['JWT garbage', 'ERR_TOKEN_MALFORMED'],
    ];
    for (const [authorization, code] of cases) {
      const res = await verifyJwt(t.url, { authorization });
      expect(res, `${authorization.slice(0, 30)} → ${code}`).toMatchObject({ status: 401, body: { error: code } });
    }
    const audit = t.daemon.store.audit.recent(cases.length).map((row) => row.detail);
    expect(audit).toEqual(cases.map(([, code]) => code).reverse());
    // The handmade tokens are refused for their algorithm or signature alone: signed properly, one passes.
    expect(await verifyJwt(t.url, { authorization: handmade('RS256', (input) => sign('sha256', Buffer.from(input), rsa.private_pem_pkcs8)) })).toMatchObject({ status: 200, body: { key_fingerprint: rsa.fingerprint_kid } });
  });

  it('does not count the edge of the window as stale: ±20 s accepted', async () => {
    clock.set(VECTOR_TIME * 1000);
    expect((await verifyJwt(t.url, { authorization: token({ time: VECTOR_TIME - 20 }) })).status).toBe(200);
    expect((await verifyJwt(t.url, { authorization: token({ time: VECTOR_TIME + 20 }) })).status).toBe(200);
  });

  it('of 200 simultaneous copies of one token accepts exactly one (JWT-5)', async () => {
    clock.set(VECTOR_TIME * 1000 + 30_000);
    const header = token({ nonce: 'race-nonce1' });
    const answers = await Promise.all(Array.from({ length: 200 }, () => verifyJwt(t.url, { authorization: header })));
    const accepted = answers.filter((a) => a.status === 200);
    expect(accepted).toHaveLength(1);
    expect(answers.filter((a) => a.status === 401 && a.body['error'] === 'ERR_TOKEN_REPLAYED')).toHaveLength(199);
  });
});

describe('replays across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-jwt-restart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses after a restart a token accepted before it', async () => {
    const clock = vectorClock();
    const toml = `${noBans}[store]\npath = "${join(dir, 'db.sqlite')}"\n`;
    const first = await startTestDaemon(toml, { clock });
    addKey(first.daemon.store, 'guido', ed.public_pem_spki);
    const vector = ajwt.client_tokens[0]!;
    expect((await verifyJwt(first.url, { authorization: vector.authorization_header })).status).toBe(200);
    await first.stop();
    const second = await startTestDaemon(toml, { clock });
    try {
      expect(await verifyJwt(second.url, { authorization: vector.authorization_header })).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_REPLAYED' } });
      // Purged only once no token with that time can pass the window any more.
      expect(second.daemon.store.purge(clock.now() + 40_000)).toBe(0);
      expect(second.daemon.store.jwt.purgeNonces(clock.now() + 41_001)).toBe(1);
    } finally {
      await second.stop();
    }
  });
});

describe('bad input tried for real', () => {
  let t: TestDaemon;
  const clock = vectorClock();
  beforeAll(async () => {
    t = await startTestDaemon(noBans, { clock });
    addKey(t.daemon.store, 'guido', ed.public_pem_spki);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers every malformed header or token with a 4xx and a stable code, and stays alive', async () => {
    const good = ajwt.client_tokens[0]!.token;
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const [h, p, s] = good.split('.') as [string, string, string];
    const cases: Array<[unknown, number, string]> = [
      [{ authorization: `JWT ${good.slice(0, good.length - 10)}` }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: `JWT ${good.slice(0, 40)}` }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: `JWT ${h}.${p}` }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: `JWT  ${good}` }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: 'JWT \u0000\u0001\u00ff😀.😀.😀' }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: `JWT ${h}=.${p}.${s}` }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: `JWT ${h.replaceAll('_', '/')}.${p}+.${s}` }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: `JWT ${b64({ alg: 'EdDSA', pad: 'x'.repeat(20_000) })}.${p}.${s}` }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: `JWT ${b64({ alg: { $gt: '' } })}.${p}.${s}` }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: `JWT ${h}.${b64({ username: 'guido', time: '1700000000', nonce: 'x' })}.${s}` }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: `JWT ${h}.${b64({ username: 'guido', time: 1700000000, nonce: ['x'] })}.${s}` }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: `JWT ${h}.${b64({ username: ['guido'], time: 1700000000, nonce: 'x' })}.${s}` }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: `JWT ${h}.${b64('just a string')}.${s}` }, 401, 'ERR_TOKEN_MALFORMED'],
      [{ authorization: `JWT ${h}.${p}.${s.slice(0, -2)}AA` }, 401, 'ERR_TOKEN_SIGNATURE'],
      [{ authorization: 42 }, 400, 'ERR_INVALID_REQUEST'],
      [{}, 400, 'ERR_INVALID_REQUEST'],
      [[], 400, 'ERR_INVALID_REQUEST'],
      ['{"authorization":', 400, 'ERR_INVALID_REQUEST'],
      [{ authorization: `JWT ${'A'.repeat(70_000)}` }, 413, 'ERR_PAYLOAD_TOO_LARGE'],
    ];
    for (const [body, status, code] of cases) {
      const res = await verifyJwt(t.url, body);
      expect(res, JSON.stringify(body).slice(0, 60)).toMatchObject({ status, body: { error: code } });
    }
    // Huge or malformed HTTP headers are refused by Node's parser before any handler
    // runs; the answer is still JSON with a stable code.
    const token = ajwt.client_tokens[0]!.token;
    const raw = [
      [`POST /v1/jwt/verify HTTP/1.1\r\nHost: x\r\nAuthorization: JWT ${token}${'A'.repeat(20_000)}\r\nContent-Length: 2\r\n\r\n{}`, 431, 'ERR_HEADERS_TOO_LARGE'],
      [`POST /v1/jwt/verify HTTP/1.1\r\nHost: x\r\nAuthorization JWT ${token}\r\nContent-Length: 2\r\n\r\n{}`, 400, 'ERR_INVALID_REQUEST'],
      [`POST /v1/jwt/verify HTTP/1.1\r\nHost: x\r\nAuthorization: JWT \u0000${token}\r\nContent-Length: 2\r\n\r\n{}`, 400, 'ERR_INVALID_REQUEST'],
      ['GARBAGE\r\n\r\n', 400, 'ERR_INVALID_REQUEST'],
    ] as const;
    for (const [request, status, code] of raw) {
      const answer = await rawRequest(t.url, request);
      expect(answer.status, request.slice(0, 60)).toBe(status);
      expect(JSON.parse(answer.body), request.slice(0, 60)).toMatchObject({ error: code });
    }
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await verifyJwt(t.url, { authorization: ajwt.client_tokens[0]!.authorization_header })).status).toBe(200);
  });
});

describe('regulation and caller authentication', () => {
  it('bans an account after max_retries failures with 429 and Retry-After, as a wrong credential apart from the status', async () => {
    const clock = vectorClock();
    const t = await startTestDaemon('[regulation]\nmax_retries = 3\n', { clock });
    try {
      addKey(t.daemon.store, 'guido', ed.public_pem_spki);
      const stranger = generateKeyPairSync('ed25519').privateKey;
      for (let i = 0; i < 3; i++) {
        const bad = authorizationHeader(createToken({ privateKey: stranger, username: 'guido', time: VECTOR_TIME, nonce: `bad${i}` }));
        expect((await verifyJwt(t.url, { authorization: bad })).body['error']).toBe('ERR_TOKEN_SIGNATURE');
      }
      const res = await fetch(`${t.url}/v1/jwt/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ authorization: ajwt.client_tokens[0]!.authorization_header }) });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await res.json()).toMatchObject({ error: 'ERR_RATE_LIMITED' });
    } finally {
      await t.stop();
    }
  });

  it('requires a client token from outside api.allow_unauthenticated_from', async () => {
    const t = await startTestDaemon('[api]\nallow_unauthenticated_from = []\n', { clock: vectorClock() });
    try {
      addKey(t.daemon.store, 'guido', ed.public_pem_spki);
      const body = JSON.stringify({ authorization: ajwt.client_tokens[0]!.authorization_header });
      const anonymous = await fetch(`${t.url}/v1/jwt/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: 'ERR_UNAUTHENTICATED' });
      const { token } = t.daemon.store.clients.add('webapp');
      const allowed = await fetch(`${t.url}/v1/jwt/verify`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      expect(allowed.status).toBe(200);
      expect(t.daemon.store.audit.recent(1)[0]).toMatchObject({ method: 'jwt', subject: 'guido', result: 'success', client: 'webapp' });
    } finally {
      await t.stop();
    }
  });
});

describe('configuration of the method', () => {
  it('binds tokens to the configured audience and to the request when asked (spec/jwt.md §11.4)', async () => {
    const clock = vectorClock();
    const t = await startTestDaemon(`${noBans}[jwt]\naudience = "https://app.example"\nrequire_request_binding = true\n`, { clock });
    try {
      addKey(t.daemon.store, 'guido', ed.public_pem_spki);
      const make = (nonce: string, extra: { audience?: string; method?: string; url?: string }) =>
        authorizationHeader(createToken({ privateKey: ed.private_pem_pkcs8, username: 'guido', time: VECTOR_TIME, nonce, ...extra }));
      const bound = { audience: 'https://app.example', method: 'POST', url: 'https://app.example/api/orders' };
      expect((await verifyJwt(t.url, { authorization: make('b1', bound), method: 'POST', url: 'https://app.example/api/orders' })).status).toBe(200);
      expect((await verifyJwt(t.url, { authorization: make('b2', bound), method: 'GET', url: 'https://app.example/api/orders' })).body['error']).toBe('ERR_TOKEN_BINDING');
      expect((await verifyJwt(t.url, { authorization: make('b3', bound) })).body['error']).toBe('ERR_TOKEN_BINDING');
      expect((await verifyJwt(t.url, { authorization: make('b4', { ...bound, audience: 'https://other.example' }), method: 'POST', url: bound.url })).body['error']).toBe('ERR_TOKEN_BINDING');
      // The reference client's tokens carry no binding, so this configuration refuses them.
      expect((await verifyJwt(t.url, { authorization: ajwt.client_tokens[0]!.authorization_header })).body['error']).toBe('ERR_TOKEN_BINDING');
    } finally {
      await t.stop();
    }
  });

  it('follows [jwt] tolerance for the window and keeps the nonce 2 × tolerance + 1 s (JWT-4, JWT-5)', async () => {
    const clock = vectorClock();
    const t = await startTestDaemon(`${noBans}[jwt]\ntolerance = 60\n`, { clock });
    try {
      addKey(t.daemon.store, 'guido', ed.public_pem_spki);
      const make = (time: number, nonce: string) => authorizationHeader(createToken({ privateKey: ed.private_pem_pkcs8, username: 'guido', time, nonce }));
      expect((await verifyJwt(t.url, { authorization: make(VECTOR_TIME - 60, 'w1') })).status).toBe(200);
      expect((await verifyJwt(t.url, { authorization: make(VECTOR_TIME + 60, 'w2') })).status).toBe(200);
      expect((await verifyJwt(t.url, { authorization: make(VECTOR_TIME - 61, 'w3') })).body['error']).toBe('ERR_TOKEN_STALE');
      expect(t.daemon.store.jwt.purgeNonces(clock.now() + 121_000)).toBe(0);
      expect(t.daemon.store.jwt.purgeNonces(clock.now() + 121_001)).toBe(2);
    } finally {
      await t.stop();
    }
  });

  it('does not serve /v1/jwt/verify with jwt.enabled = false', async () => {
    const t = await startTestDaemon('[jwt]\nenabled = false\n');
    try {
      expect(await verifyJwt(t.url, { authorization: ajwt.client_tokens[0]!.authorization_header })).toMatchObject({ status: 404, body: { error: 'ERR_NOT_FOUND' } });
    } finally {
      await t.stop();
    }
  });
});
