import { createHmac, generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { captureLog } from '../support/log-capture.js';
import { globalSecret, signedQuery } from '../support/ska.js';

const start = Date.UTC(2026, 0, 1);
const inAnHour = String(start / 1000 + 3600) + '.0';
const COOKIE = '__Host-authbridge_session';
const shopKey = { secret: 'shop-secret-of-at-least-32-bytes!!', algorithm: 'HMAC-SHA512', quoter: 'default' } as const;

interface Received {
  contentType: string | undefined;
  signatureHeader: string | undefined;
  raw: string;
  body: Record<string, unknown>;
}

/**
 * The web application's hook receiver: a real HTTP server that records every POST and
 * answers each event with `answer(event)` (a status, or `hang` to never answer).
 */
class HookReceiver {
  readonly received: Received[] = [];
  answer: (event: string) => number | 'hang' = () => 204;
  readonly #server: Server;

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const body = JSON.parse(raw) as Record<string, unknown>;
        const signatureHeader = req.headers['x-authbridge-signature'] as string | undefined;
        this.received.push({ contentType: req.headers['content-type'], signatureHeader, raw, body });
        const answer = this.answer(String(body['event']));
        if (answer === 'hang') return;
        res.statusCode = answer;
        res.end(answer === 403 ? 'no' : 'ignored body');
      });
    });
  }

  get events(): string[] {
    return this.received.map((r) => String(r.body['event']));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks/ska`;
  }

  reset(): void {
    this.received.length = 0;
    this.answer = () => 204;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

interface Harness {
  daemon: Daemon;
  url: string;
  /** JSON log lines written so far. */
  logs(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** A daemon with a token signing key and a log we can read. */
async function startDaemon(ska: string, extra = ''): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-ska-hooks-'));
  writeFileSync(join(dir, 'ed.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const { logger, lines } = captureLog();
  const { config } = parseConfig(
    `[http]\nlisten = "127.0.0.1:0"\n[store]\npath = "${join(dir, 'db.sqlite')}"\n[xmpp]\nenabled = false\n` +
      `[jwt]\npublish_keys = ["${join(dir, 'ed.pem')}"]\n` +
      `[ska]\nsecret = "${globalSecret}"\nalgorithm = "HMAC-SHA256"\n${ska}\n${extra}`,
    'test',
  );
  const daemon = new Daemon(config, logger, { clock: new ManualClock(start) });
  const { port } = await daemon.start();
  return {
    daemon,
    url: `http://127.0.0.1:${port}`,
    logs: lines,
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function login(h: Harness, query: string) {
  const res = await fetch(`${h.url}/ska/login/?${query}`, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), cookie: res.headers.get('set-cookie'), text: await res.text() };
}

async function sessionUser(h: Harness, setCookie: string | null): Promise<string> {
  const id = new RegExp(`^${COOKIE}=([A-Za-z0-9_-]{43});`).exec(setCookie ?? '')?.[1];
  expect(id, 'a session cookie').toBeDefined();
  const res = await fetch(`${h.url}/v1/session`, { headers: { cookie: `${COOKIE}=${id}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { user: string }).user;
}

const hookWarnings = (h: Harness) =>
  h.logs()
    .filter((l) => l['message'] === 'ska.hook_failed')
    .map((l) => ({ level: l['level'], event: l['event'], user: l['user'], reason: l['reason'] }));

const signatureOf = (query: string) => new URLSearchParams(query).get('signature') as string;

describe('[ska] hook_url: ska\'s Django callbacks as webhooks (SKA-7, spec/ska.md §8)', () => {
  const receiver = new HookReceiver();
  let h: Harness;
  beforeAll(async () => {
    const hookUrl = await receiver.listen();
    h = await startDaemon(`hook_url = "${hookUrl}"\nhook_timeout = 1\n[regulation]\nmax_retries = 2\n`);
    h.daemon.store.ska.addProvider({ name: 'shop', ...shopKey, redirect: null, allowedUsers: null });
  });
  afterEach(() => receiver.reset());
  afterAll(async () => {
    await h.stop();
    await receiver.close();
  });

  it('a new user: validate → create → info, then the session; the payload is what the signature proves', async () => {
    const query = signedQuery('alice', inAnHour, [['email', 'alice@example.org'], ['first_name', 'Alice'], ['provider', 'shop']], shopKey);
    const res = await login(h, `${query}&next=/home&unsigned=1`);
    expect(res).toMatchObject({ status: 302, location: '/home' });
    expect(await sessionUser(h, res.cookie)).toBe('alice');
    expect(receiver.events).toEqual(['validate', 'create', 'info']);
    for (const [i, r] of receiver.received.entries()) {
      expect(r.contentType).toBe('application/json');
      expect(r.signatureHeader).toBeUndefined();
      expect(r.body).toEqual({
        event: receiver.events[i],
        user: 'alice',
        provider: 'shop',
        extra: { email: 'alice@example.org', first_name: 'Alice', provider: 'shop' },
        valid_until: inAnHour,
      });
      const signature = signatureOf(query);
      expect(r.raw).not.toContain(signature);
      expect(r.raw).not.toContain(JSON.stringify(signature).slice(1, -1));
      expect(r.raw).not.toContain(shopKey.secret);
    }
    expect(hookWarnings(h)).toEqual([]);
  });

  it('an existing user: validate → get → info', async () => {
    const res = await login(h, signedQuery('alice', String(start / 1000 + 3601) + '.0'));
    expect(res.status).toBe(302);
    expect(await sessionUser(h, res.cookie)).toBe('alice');
    expect(receiver.events).toEqual(['validate', 'get', 'info']);
    expect(receiver.received[1]?.body).toEqual({ event: 'get', user: 'alice', provider: null, extra: {}, valid_until: String(start / 1000 + 3601) + '.0' });
  });

  it('the token endpoint runs the same hooks; /v1/ska/verify (the API guard) runs none', async () => {
    const token = await fetch(`${h.url}/ska/obtain-jwt-token/?${signedQuery('bob', inAnHour)}`);
    expect(token.status).toBe(200);
    expect(receiver.events).toEqual(['validate', 'create', 'info']);
    receiver.reset();
    const again = await fetch(`${h.url}/ska-rest/obtain-jwt-token/?${signedQuery('bob', String(start / 1000 + 3602) + '.0')}`);
    expect(again.status).toBe(200);
    expect(receiver.events).toEqual(['validate', 'get', 'info']);
    receiver.reset();
    const verify = await fetch(`${h.url}/v1/ska/verify?${signedQuery('bob', inAnHour)}`);
    expect(verify.status).toBe(200);
    const post = await fetch(`${h.url}/v1/ska/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: signedQuery('carol', inAnHour) }) });
    expect(post.status).toBe(200);
    expect(receiver.events).toEqual([]);
  });

  it('validate answering 403 refuses the login like a bad signature: no session, no user, no token used, not counted for regulation', async () => {
    receiver.answer = (event) => (event === 'validate' ? 403 : 204);
    const query = signedQuery('dave', inAnHour, [['email', 'dave@example.org']]);
    // max_retries = 2: three refusals would ban dave if they counted.
    for (let i = 0; i < 3; i++) {
      const res = await login(h, query);
      expect(res).toEqual({ status: 403, location: null, cookie: null, text: 'Authentication error!' });
    }
    expect(receiver.events).toEqual(['validate', 'validate', 'validate']);
    expect(h.daemon.store.users.findByUsername('dave')).toBeUndefined();
    const audit = h.daemon.store.audit.recent(100).filter((row) => row.method === 'ska' && row.subject === 'dave');
    expect(audit.map((row) => row.result)).toEqual(['hook_denied', 'hook_denied', 'hook_denied']);
    expect(hookWarnings(h)).toEqual([]);

    // validate runs before the one-time record: once the application agrees, the same URL logs dave in.
    receiver.reset();
    const res = await login(h, query);
    expect(res.status).toBe(302);
    expect(await sessionUser(h, res.cookie)).toBe('dave');
    expect(receiver.events).toEqual(['validate', 'create', 'info']);
  });

  it('validate answering 403 at the token endpoint: 403 ERR_HOOK_DENIED, no token', async () => {
    receiver.answer = (event) => (event === 'validate' ? 403 : 204);
    const res = await fetch(`${h.url}/ska/obtain-jwt-token/?${signedQuery('erin', inAnHour)}`);
    expect(res.status).toBe(403);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body['error']).toBe('ERR_HOOK_DENIED');
    expect(body['token']).toBeUndefined();
    expect(receiver.events).toEqual(['validate']);
    expect(h.daemon.store.users.findByUsername('erin')).toBeUndefined();
  });

  it('a 403 from get, create or info changes nothing', async () => {
    receiver.answer = (event) => (event === 'validate' ? 204 : 403);
    const res = await login(h, signedQuery('frank', inAnHour));
    expect(res.status).toBe(302);
    expect(await sessionUser(h, res.cookie)).toBe('frank');
    expect(receiver.events).toEqual(['validate', 'create', 'info']);
    expect(hookWarnings(h).filter((w) => w.user === 'frank')).toEqual([
      { level: 'warn', event: 'create', user: 'frank', reason: 'answered 403' },
      { level: 'warn', event: 'info', user: 'frank', reason: 'answered 403' },
    ]);
  });

  it('a 500 from every hook: logged once per hook, the person is still logged in', async () => {
    receiver.answer = () => 500;
    const res = await login(h, signedQuery('grace', inAnHour));
    expect(res.status).toBe(302);
    expect(await sessionUser(h, res.cookie)).toBe('grace');
    expect(receiver.events).toEqual(['validate', 'create', 'info']);
    expect(hookWarnings(h).filter((w) => w.user === 'grace')).toEqual(
      ['validate', 'create', 'info'].map((event) => ({ level: 'warn', event, user: 'grace', reason: 'answered 500' })),
    );
  });

  it('a receiver that never answers validate: given up after hook_timeout, the login goes on', async () => {
    receiver.answer = (event) => (event === 'validate' ? 'hang' : 204);
    const before = Date.now();
    const res = await login(h, signedQuery('heidi', inAnHour));
    const took = Date.now() - before;
    expect(res.status).toBe(302);
    expect(await sessionUser(h, res.cookie)).toBe('heidi');
    expect(took).toBeGreaterThanOrEqual(900);
    expect(receiver.events).toEqual(['validate', 'create', 'info']);
    expect(hookWarnings(h).filter((w) => w.user === 'heidi')).toEqual([{ level: 'warn', event: 'validate', user: 'heidi', reason: 'no answer within 1 s' }]);
  });

  it('never logs the signature', () => {
    const logged = h.logs().map((l) => JSON.stringify(l)).join('\n');
    expect(logged).toContain('ska.hook_failed');
    expect(logged).not.toContain('signature=');
    expect(logged).not.toMatch(/"signature"/);
  });
});

describe('[ska] hook_url pointing at a closed port', () => {
  it('logs one warning per hook (connection refused) and still logs the person in', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const h = await startDaemon(`hook_url = "http://127.0.0.1:${port}/hooks"\n`);
    try {
      const query = signedQuery('ivan', inAnHour);
      const res = await login(h, query);
      expect(res.status).toBe(302);
      expect(await sessionUser(h, res.cookie)).toBe('ivan');
      expect(hookWarnings(h)).toEqual(['validate', 'create', 'info'].map((event) => ({ level: 'warn', event, user: 'ivan', reason: 'request failed (ECONNREFUSED)' })));
      const logged = h.logs().map((l) => JSON.stringify(l)).join('\n');
      expect(logged).not.toContain(signatureOf(query));
      expect(logged).not.toContain(`127.0.0.1:${port}`);
    } finally {
      await h.stop();
    }
  });
});

describe('[ska] without hook_url', () => {
  it('sends no hook request and logs no hook warning', async () => {
    const receiver = new HookReceiver();
    await receiver.listen();
    const h = await startDaemon('');
    try {
      expect(h.daemon.config.ska.hook_url).toBe('');
      const res = await login(h, signedQuery('judy', inAnHour));
      expect(res.status).toBe(302);
      expect((await fetch(`${h.url}/ska/obtain-jwt-token/?${signedQuery('judy', String(start / 1000 + 3601) + '.0')}`)).status).toBe(200);
      expect(receiver.received).toEqual([]);
      expect(hookWarnings(h)).toEqual([]);
    } finally {
      await h.stop();
      await receiver.close();
    }
  });
});

/** What a receiver does with X-Authbridge-Signature, written from the README alone. */
function receiverAccepts(secret: string, header: string | undefined, raw: string, nowSeconds: number): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${raw}`).digest();
  return Math.abs(nowSeconds - Number(match[1])) <= 300 && timingSafeEqual(expected, Buffer.from(match[2] as string, 'hex'));
}

describe('[ska] hook_secret', () => {
  it('signs every hook body with HMAC-SHA256 over "<t>.<body>", t from the clock', async () => {
    const secret = 'hook-secret-shared-with-the-web-app';
    const receiver = new HookReceiver();
    const hookUrl = await receiver.listen();
    const h = await startDaemon(`hook_url = "${hookUrl}"\nhook_secret = "${secret}"\n`);
    try {
      expect((await login(h, signedQuery('karl', inAnHour))).status).toBe(302);
      expect(receiver.events).toEqual(['validate', 'create', 'info']);
      for (const r of receiver.received) {
        expect(r.signatureHeader).toMatch(new RegExp(`^t=${start / 1000},v1=[0-9a-f]{64}$`));
        expect(receiverAccepts(secret, r.signatureHeader, r.raw, start / 1000)).toBe(true);
        expect(receiverAccepts('another-secret-of-some-length', r.signatureHeader, r.raw, start / 1000)).toBe(false);
        expect(receiverAccepts(secret, r.signatureHeader, r.raw.replace('karl', 'karo'), start / 1000)).toBe(false);
      }
      expect(JSON.stringify(h.logs())).not.toContain(secret);
    } finally {
      await h.stop();
      await receiver.close();
    }
  });
});
