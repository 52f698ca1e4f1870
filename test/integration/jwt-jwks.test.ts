import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { authorizationHeader, createToken } from '../../src/methods/jwt/client.js';
import { describeKey, publicJwk } from '../../src/methods/jwt/keys.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { vectorKey } from '../support/ajwt-vectors.js';
import { VECTOR_TIME, vectorClock, verifyJwt } from '../support/jwt.js';

/** A real JWKS server on loopback whose answer each test sets, counting downloads per path. */
class JwksServer {
  readonly server: Server;
  readonly hits = new Map<string, number>();
  readonly routes = new Map<string, (res: import('node:http').ServerResponse) => void>();
  constructor() {
    this.server = createServer((req, res) => {
      const path = req.url ?? '/';
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      const route = this.routes.get(path);
      if (route) route(res);
      else res.writeHead(404).end();
    });
  }
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  serveKeys(path: string, keys: unknown[]): void {
    this.routes.set(path, (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })));
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const newKey = (type: 'ed25519' | 'rsa'): KeyObject =>
  type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey : generateKeyPairSync('ed25519').privateKey;
const jwkOf = (privateKey: KeyObject) => publicJwk(describeKey(privateKey));
const kidOf = (privateKey: KeyObject) => describeKey(privateKey).fingerprint;

describe('JWKS trust (JWT-8)', () => {
  const jwks = new JwksServer();
  const clock = vectorClock();
  let base: string;
  let t: TestDaemon;
  let nonce = 0;
  const header = (privateKey: KeyObject, username: string) =>
    authorizationHeader(createToken({ privateKey, username, time: Math.floor(clock.now() / 1000), nonce: `jwks${nonce++}` }));
  const trust = (username: string, path: string) => {
    const user = t.daemon.store.users.add({ username });
    t.daemon.store.jwt.addTrust(user.id, `${base}${path}`);
  };

  beforeAll(async () => {
    base = await jwks.start();
    t = await startTestDaemon('[regulation]\nmax_retries = 100000\n[jwt]\njwks_timeout = 1\njwks_max_bytes = 4096\n', { clock });
  });
  afterAll(async () => {
    await t.stop();
    await jwks.stop();
  });

  it('verifies by kid from the set, caches it 300 s, and stamps the trust', async () => {
    const ed = newKey('ed25519');
    const rsa = newKey('rsa');
    jwks.serveKeys('/a', [{ kty: 'EC', crv: 'P-256', kid: 'ec', x: 'x', y: 'y' }, jwkOf(ed), jwkOf(rsa)]);
    trust('alice', '/a');
    expect(await verifyJwt(t.url, { authorization: header(ed, 'alice') })).toEqual({ status: 200, body: { user: 'alice', key_fingerprint: kidOf(ed), source: 'jwks' } });
    expect(await verifyJwt(t.url, { authorization: header(rsa, 'alice') })).toMatchObject({ status: 200, body: { key_fingerprint: kidOf(rsa) } });
    expect(jwks.hits.get('/a')).toBe(1);
    expect(t.daemon.store.jwt.listTrusts('alice')[0]?.lastUsedOn).toBe(clock.now());
    clock.advance(299_000);
    expect((await verifyJwt(t.url, { authorization: header(ed, 'alice') })).status).toBe(200);
    expect(jwks.hits.get('/a')).toBe(1);
    clock.advance(1_000);
    expect((await verifyJwt(t.url, { authorization: header(ed, 'alice') })).status).toBe(200);
    expect(jwks.hits.get('/a')).toBe(2);
  });

  it('downloads once more on an unknown kid, then no more until the refresh interval has passed', async () => {
    clock.set(VECTOR_TIME * 1000);
    const old = newKey('ed25519');
    const rotated = newKey('ed25519');
    jwks.serveKeys('/b', [jwkOf(old)]);
    trust('bob', '/b');
    expect((await verifyJwt(t.url, { authorization: header(old, 'bob') })).status).toBe(200);
    expect(jwks.hits.get('/b')).toBe(1);
    // A key the set does not hold (yet): one refresh, then the endpoint is skipped.
    clock.advance(60_000);
    expect(await verifyJwt(t.url, { authorization: header(rotated, 'bob') })).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_SIGNATURE' } });
    expect(jwks.hits.get('/b')).toBe(2);
    // The set rotates; within the refresh interval an unknown kid does not download again.
    jwks.serveKeys('/b', [jwkOf(old), jwkOf(rotated)]);
    clock.advance(59_000);
    expect((await verifyJwt(t.url, { authorization: header(rotated, 'bob') })).status).toBe(401);
    expect(jwks.hits.get('/b')).toBe(2);
    clock.advance(1_000);
    expect(await verifyJwt(t.url, { authorization: header(rotated, 'bob') })).toMatchObject({ status: 200, body: { key_fingerprint: kidOf(rotated) } });
    expect(jwks.hits.get('/b')).toBe(3);
  });

  it('shares one download among concurrent lookups of a URL', async () => {
    clock.set(VECTOR_TIME * 1000);
    const key = newKey('ed25519');
    jwks.serveKeys('/shared', [jwkOf(key)]);
    trust('kim', '/shared');
    const answers = await Promise.all(Array.from({ length: 20 }, () => verifyJwt(t.url, { authorization: header(key, 'kim') })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(jwks.hits.get('/shared')).toBe(1);
  });

  it('pins the algorithm by key type, not by the JWK alg, and ignores keys not for signing', async () => {
    clock.set(VECTOR_TIME * 1000);
    const ed = newKey('ed25519');
    const enc = newKey('ed25519');
    jwks.serveKeys('/c', [{ ...jwkOf(ed), alg: 'RS512' }, { ...jwkOf(enc), use: 'enc' }]);
    trust('carol', '/c');
    expect((await verifyJwt(t.url, { authorization: header(ed, 'carol') })).status).toBe(200);
    expect(await verifyJwt(t.url, { authorization: header(enc, 'carol') })).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_SIGNATURE' } });
  });

  it('gives up on documents that are too big, too slow, not JSON or not found, and stays alive', async () => {
    clock.set(VECTOR_TIME * 1000);
    const key = newKey('ed25519');
    const padded = [jwkOf(key), ...Array.from({ length: 60 }, (_, i) => ({ kty: 'oct', kid: `pad${i}`, k: 'x'.repeat(64) }))];
    jwks.serveKeys('/big', padded);
    jwks.routes.set('/big-chunked', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"keys":[${JSON.stringify(jwkOf(key))}`);
      res.end(`,${'{"kty":"oct"},'.repeat(400)}{"kty":"oct"}]}`);
    });
    const hanging: Array<import('node:http').ServerResponse> = [];
    jwks.routes.set('/slow', (res) => hanging.push(res));
    // Headers at once, then a body that never ends: the timeout covers the body too.
    jwks.routes.set('/drip', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"keys":[${JSON.stringify(jwkOf(key))}`);
      hanging.push(res);
    });
    jwks.routes.set('/junk', (res) => res.writeHead(200).end('<html>'));
    jwks.routes.set('/redirect', (res) => res.writeHead(302, { location: `${base}/big` }).end());
    for (const [name, path] of [['dave', '/big'], ['erin', '/big-chunked'], ['frank', '/slow'], ['fred', '/drip'], ['gina', '/junk'], ['hugo', '/missing'], ['ivan', '/redirect']] as const) {
      trust(name, path);
      const started = Date.now();
      expect(await verifyJwt(t.url, { authorization: header(key, name) }), path).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_SIGNATURE' } });
      expect(Date.now() - started, path).toBeLessThan(10_000);
    }
    expect(hanging).toHaveLength(2);
    for (const res of hanging) res.destroy();
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('tries JWKS trusts first, then the stored keys of the user', async () => {
    clock.set(VECTOR_TIME * 1000);
    const stored = newKey('ed25519');
    jwks.serveKeys('/d', [jwkOf(newKey('ed25519'))]);
    trust('judy', '/d');
    const user = t.daemon.store.users.findByUsername('judy')!;
    const info = describeKey(stored);
    t.daemon.store.jwt.addKey({ userId: user.id, fingerprint: info.fingerprint, keyType: info.type, publicKey: info.pem, comment: null });
    expect(await verifyJwt(t.url, { authorization: header(stored, 'judy') })).toMatchObject({ status: 200, body: { source: 'key', key_fingerprint: info.fingerprint } });
    expect(jwks.hits.get('/d')).toBeGreaterThanOrEqual(1);
  });
});

describe('GET /.well-known/jwks.json (spec/jwt.md §9)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-jwks-publish-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes the keys of [jwt] publish_keys: RSA as RS512, Ed25519 as OKP, public halves only', async () => {
    const rsa = vectorKey('rsa2048');
    const ed = vectorKey('ed25519');
    writeFileSync(join(dir, 'rsa.pem'), rsa.private_pem_pkcs8);
    writeFileSync(join(dir, 'ed.pub'), ed.public_pem_spki);
    const t = await startTestDaemon(`[jwt]\npublish_keys = ["${join(dir, 'rsa.pem')}", "${join(dir, 'ed.pub')}"]\n`);
    try {
      const res = await fetch(`${t.url}/.well-known/jwks.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=300');
      const body = (await res.json()) as { keys: Array<Record<string, string>> };
      expect(body.keys).toHaveLength(2);
      expect(body.keys[0]).toEqual({ kty: 'RSA', use: 'sig', alg: 'RS512', kid: rsa.fingerprint_kid, n: expect.any(String), e: 'AQAB' });
      expect(body.keys[1]).toEqual({ kty: 'OKP', crv: 'Ed25519', use: 'sig', alg: 'EdDSA', kid: ed.fingerprint_kid, x: expect.any(String) });
      expect(JSON.stringify(body)).not.toMatch(/"d"|"p"|"q"/);
    } finally {
      await t.stop();
    }
  });

  it('publishes an empty set by default', async () => {
    const t = await startTestDaemon();
    try {
      expect(await (await fetch(`${t.url}/.well-known/jwks.json`)).json()).toEqual({ keys: [] });
    } finally {
      await t.stop();
    }
  });

  it('refuses to start with a key file that is not a usable key', () => {
    writeFileSync(join(dir, 'junk.pem'), 'junk');
    writeFileSync(join(dir, 'weak.pem'), generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }));
    for (const file of ['junk.pem', 'weak.pem', 'missing.pem']) {
      const { config } = parseConfig(`[store]\npath = "${join(dir, `${file}.sqlite`)}"\n[xmpp]\nenabled = false\n[jwt]\npublish_keys = ["${join(dir, file)}"]\n`, 'test');
      expect(() => new Daemon(config, silentLogger()), file).toThrow(ConfigError);
    }
  });
});
