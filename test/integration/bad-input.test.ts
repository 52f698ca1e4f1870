import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { ERROR_CODES } from '../../src/errors.js';
import { ajwt, vectorKey } from '../support/ajwt-vectors.js';
import { makeKeyPair } from '../support/gpgauth.js';
import { addKey, VECTOR_TIME, vectorClock } from '../support/jwt.js';
import { captureLog } from '../support/log-capture.js';
import { globalSecret, signedQuery } from '../support/ska.js';

/**
 * The bad-input sweep: every route the daemon mounts gets a deterministic set of hostile
 * requests (wrong methods, broken encodings, non-object JSON, odd headers, path tricks,
 * raw bytes on the socket). Nothing a client sends may produce a 5xx (except the ones
 * the specs fix, listed per route), an unlisted error code, a crash, or lose stored data.
 */

// ---------------------------------------------------------------------------------------
// Routes

interface RouteSpec {
  path: string;
  /** The methods it is mounted for (`ALL` for router.all). */
  methods: readonly string[];
  /** Query / form parameter names it reads. */
  params: readonly string[];
  /** JSON body members it reads. */
  fields: readonly string[];
  /** 5xx answers a spec fixes for this configuration: [status, error code or null for an empty body]. */
  allowed5xx: ReadonlyArray<readonly [number, string | null]>;
}

const SKA_PARAMS = ['signature', 'auth_user', 'valid_until', 'extra', 'provider', 'next', 'email'];
const AUTH_PARAMS = ['jid', 'domain', 'method', 'transaction_id', 'timeout'];
const GPG_FIELDS = ['gpg_auth', 'data', 'gpg_auth[keyid]', 'data[gpg_auth][keyid]', 'gpg_auth[server_verify_token]', 'gpg_auth[user_token_result]'];

const ROUTES: readonly RouteSpec[] = [
  { path: '/healthz', methods: ['GET'], params: [], fields: [], allowed5xx: [] },
  // Kerberos is enabled with a missing keytab below: the method is not ready (spec/ops.md, OPS-13).
  { path: '/readyz', methods: ['GET'], params: [], fields: [], allowed5xx: [[503, null]] },
  { path: '/v1/session', methods: ['GET'], params: [], fields: [], allowed5xx: [] },
  { path: '/v1/session/logout', methods: ['POST'], params: [], fields: [], allowed5xx: [] },
  { path: '/auth/forward', methods: ['GET'], params: ['rd'], fields: [], allowed5xx: [] },
  { path: '/auth/request', methods: ['GET'], params: ['rd'], fields: [], allowed5xx: [] },
  // XMPP disabled: /auth answers 523 once its parameters are there (spec/xmpp.md §2.3).
  { path: '/auth', methods: ['ALL'], params: AUTH_PARAMS, fields: AUTH_PARAMS, allowed5xx: [[523, null]] },
  // XMPP disabled: the method is not configured.
  { path: '/v1/xmpp/requests', methods: ['POST'], params: [], fields: AUTH_PARAMS, allowed5xx: [[503, 'ERR_XMPP_UNAVAILABLE']] },
  { path: '/v1/xmpp/requests/:id', methods: ['GET'], params: ['wait'], fields: [], allowed5xx: [[503, 'ERR_XMPP_UNAVAILABLE']] },
  { path: '/v1/ska/verify', methods: ['GET', 'POST'], params: SKA_PARAMS, fields: ['query', 'params', 'provider'], allowed5xx: [] },
  { path: '/ska/login/', methods: ['GET', 'POST'], params: SKA_PARAMS, fields: [], allowed5xx: [] },
  { path: '/ska/obtain-jwt-token/', methods: ['GET'], params: SKA_PARAMS, fields: [], allowed5xx: [] },
  { path: '/ska-rest/obtain-jwt-token/', methods: ['GET'], params: SKA_PARAMS, fields: [], allowed5xx: [] },
  { path: '/.well-known/jwks.json', methods: ['GET'], params: [], fields: [], allowed5xx: [] },
  { path: '/v1/jwt/verify', methods: ['POST'], params: [], fields: ['authorization', 'method', 'url'], allowed5xx: [] },
  { path: '/auth/verify.json', methods: ['GET', 'POST'], params: [], fields: GPG_FIELDS, allowed5xx: [] },
  { path: '/auth/login.json', methods: ['POST'], params: [], fields: GPG_FIELDS, allowed5xx: [] },
  { path: '/auth/logout', methods: ['GET', 'POST'], params: [], fields: [], allowed5xx: [] },
  { path: '/auth/is-authenticated.json', methods: ['GET'], params: [], fields: [], allowed5xx: [] },
  // KRB-1: a keytab that does not load is 500 ERR_KERBEROS_NOT_CONFIGURED (spec/kerberos.md).
  { path: '/v1/negotiate', methods: ['GET'], params: [], fields: [], allowed5xx: [[500, 'ERR_KERBEROS_NOT_CONFIGURED']] },
];

/** The concrete path a request for this route goes to. */
const concrete = (path: string) => path.replace(':id', '3f1a2b4c-0000-4000-8000-000000000000');

/** Every `router.<verb>(…)` in src/, so that a new route cannot escape the sweep. */
function mountedRoutes(): { literal: Array<[string, string]>; computed: string[] } {
  const literal: Array<[string, string]> = [];
  const computed: string[] = [];
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
  const src = new URL('../../src', import.meta.url).pathname;
  for (const file of walk(src).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/router\.(get|post|put|patch|delete|head|all)\(\s*(?:'([^']*)'|([A-Za-z_$][\w$]*))/g)) {
      if (m[2] !== undefined) literal.push([m[1]!.toUpperCase(), m[2]]);
      else computed.push(m[3]!);
    }
  }
  return { literal, computed };
}

// ---------------------------------------------------------------------------------------
// Hostile material

/** mulberry32: a small seeded PRNG, so that every run sends the same requests. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T, int: (n: number) => Math.floor(next() * n) };
}

const latin1 = (bytes: number[]) => String.fromCharCode(...bytes);

/** Raw query values, sent as they are in the request target. */
const QUERY_VALUES = [
  '', '%', '%zz', '%c3%28', '%00', '%ff%fe', '%e2%82', '%u0041', '%%', '+', '%2B', '%26', '%3D', '=', '==', '[]', '{}', 'null', '-1', '0', '1.5',
  '1e309', '99999999999999999999999', 'NaN', '..%2F..%2Fetc%2Fpasswd', 'a'.repeat(5000), latin1([0xc3, 0x28]), latin1([0xff]), '%0d%0aX-Injected:%201',
  'javascript:alert(1)', '%2F%2Fevil.example', 'http%3A%2F%2Fevil.example%2F', '__proto__',
];
const QUERY_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '%zz', '%c3%28', '%00', '', 'a[b]', 'a[]'];

const AUTHORIZATIONS = [
  'Bearer', 'Bearer ', 'Bearer x', `Bearer ${'x'.repeat(4000)}`, 'Bearer a b', 'bearer %zz', 'JWT', 'JWT ', 'JWT a.b.c', 'JWT ...', `JWT ${'e'.repeat(6000)}`,
  'Negotiate', 'Negotiate ###', 'Negotiate =', 'Negotiate YII=', `Negotiate ${'A'.repeat(8000)}`, 'Basic Og==', 'Basic ###', 'Digest x', latin1([0xc3, 0x28]), '\t',
];
const COOKIES = [
  '', ';', ';;;', '=', 'x', '__Host-authbridge_session=', '__Host-authbridge_session=%zz', '__Host-authbridge_session=%00', `__Host-authbridge_session=${'A'.repeat(43)}`,
  `__Host-authbridge_session=${'A'.repeat(6000)}`, '__Host-authbridge_session=a; __Host-authbridge_session=b', `__Host-authbridge_session=${latin1([0xc3, 0x28, 0xff])}`,
  '__Host-authbridge_session="quoted"', 'authbridge_session=x', '__proto__=x; constructor=y',
];
const FORWARDED = ['', 'garbage', '::::', '1.2.3.4, ::ffff:999.1.1.1', 'unknown, , ,', `${'9.9.9.9,'.repeat(500)}1.1.1.1`, '[::1]:80', '127.0.0.1'];
const FORWARD_HEADERS: OutgoingHttpHeaders[] = [
  { 'x-forwarded-proto': 'javascript', 'x-forwarded-host': 'x', 'x-forwarded-uri': '/' },
  { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'a b', 'x-forwarded-uri': '%zz' },
  { 'x-forwarded-proto': 'https', 'x-forwarded-host': '', 'x-forwarded-uri': '' },
  { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'h@[::1', 'x-forwarded-uri': '//evil' },
  { 'x-forwarded-proto': 'https', 'x-forwarded-host': latin1([0xff, 0xfe]), 'x-forwarded-uri': latin1([0xc3, 0x28]) },
  { 'x-original-url': '' }, { 'x-original-url': 'not a url' }, { 'x-original-url': 'http://[::1' }, { 'x-original-url': `https://x/${'a'.repeat(7000)}` },
  { 'x-original-url': latin1([0xe9]) },
];

/** JSON texts that are not an object, or not JSON at all. */
const BAD_JSON: Array<string | Buffer> = [
  '[]', '"x"', '1', '-0', 'null', 'true', '{}', '', ' ', '{', '{"a":', '}', 'undefined', 'NaN', '{"a":1,"a":"x"}', '\ufeff{}', '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}', `${'['.repeat(20000)}${']'.repeat(20000)}`, `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]), Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
];
/** Member values of the wrong type or size. */
const BAD_MEMBERS: unknown[] = [[], {}, 1, -1, 1.5, 1e308, true, false, null, '', '\u0000', '\ud800', 'x'.repeat(60000), [['x']], { a: { b: { c: {} } } }, ['JWT a.b.c'], '%zz'];
const BAD_FORMS = ['a=1&a=2', '=', '&&&', '%zz=1', 'x=%zz', '%c3%28=%c3%28', 'a[b][c][d][e][f][g]=1', 'a[]=1&a[]=2&a[5]=3', '__proto__[x]=1', 'a[__proto__][x]=1', 'a[999999]=1', '&'.repeat(3000)];
const CONTENT_TYPES = [
  undefined, 'text/plain', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; charset="', 'application/json;;;',
  'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded; charset=koi8-r', ';', 'application/vnd.api+json', 'application/csp-report', '*/*',
];
const ENCODINGS = ['gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND', 'FOO'];

// ---------------------------------------------------------------------------------------
// Requests

interface Case {
  route: RouteSpec;
  label: string;
  method: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
}

interface Answer {
  status: number;
  body: string;
  contentType: string | undefined;
}

let target = { host: '127.0.0.1', port: 0 };

/** One request through Node's client; header and path values go out as latin1 bytes. */
function send(c: Case): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...c.headers };
    if (c.body !== undefined && headers['content-length'] === undefined) headers['content-length'] = Buffer.byteLength(c.body);
    const req = httpRequest({ ...target, method: c.method, path: c.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(c.body);
  });
}

/**
 * Sends bytes as they are (without half-closing, which would let the server drop its answer)
 * and reads the first answer, or nothing when none comes within `waitMs`.
 */
function sendRaw(bytes: string, waitMs = 2000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(target.port, target.host, () => socket.write(bytes, 'latin1'));
    let received = Buffer.alloc(0);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = received.toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      resolve({ status: Number(head.split(' ')[1] ?? 0) || 0, body, contentType: /content-type: ([^\r\n]*)/i.exec(head)?.[1] });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(text.slice(0, headEnd))?.[1] ?? NaN);
      if (headEnd !== -1 && received.length >= headEnd + 4 + length) finish();
    });
    socket.on('error', reject);
    socket.on('close', finish);
  });
}

const KNOWN_CODES = new Set<string>(ERROR_CODES);

/** What is wrong with an answer, or undefined when it is acceptable. */
function problemWith(route: RouteSpec | undefined, answer: Answer, method = 'GET'): string | undefined {
  let code: unknown;
  if (answer.contentType?.includes('json') && answer.body !== '') {
    try {
      code = (JSON.parse(answer.body) as { error?: unknown }).error;
    } catch {
      return `unparseable JSON body ${answer.body.slice(0, 80)}`;
    }
    if (code !== undefined && !KNOWN_CODES.has(String(code))) return `unknown error code ${String(code)}`;
  }
  if (answer.status >= 500) {
    // HEAD answers carry no body: the status alone must be one of the listed ones.
    const allowed = (route?.allowed5xx ?? []).some(([status, c]) => status === answer.status && (method === 'HEAD' || (c === null ? code === undefined : c === code)));
    if (!allowed) return `status ${answer.status} ${answer.body.slice(0, 120)}`;
  }
  if (answer.status < 100) return 'no HTTP answer';
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Case generation

interface Seeds {
  /** A live session the sweep may send (and end). */
  fuzzCookie: string;
  /** A signed ska query that verifies. */
  skaQuery: string;
  /** A JWT Authorization header that verifies once. */
  jwtHeader: string;
  /** A registered gpgAuth fingerprint. */
  gpgFingerprint: string;
}

function routeCases(route: RouteSpec, seeds: Seeds, rand: ReturnType<typeof prng>): Case[] {
  const cases: Case[] = [];
  const path = concrete(route.path);
  const primary = route.methods[0] === 'ALL' ? 'GET' : (route.methods[0] as string);
  const takesBody = route.methods.includes('POST') || route.methods.includes('ALL');
  const bodyMethod = takesBody ? 'POST' : primary;
  const add = (label: string, c: Partial<Case>) => cases.push({ route, label, method: primary, path, ...c });

  // Methods the route does and does not have.
  for (const method of METHODS) add(`method ${method}`, { method });
  // Path tricks.
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  for (const variant of [
    `/${path}`, path.replaceAll('/', '//'), `${trimmed}/`, `${trimmed}//`, path.replaceAll('/', '%2F').replace(/^%2F/, '/'), path.replace(/\/([^/]*)$/, '%2F$1'),
    path.toUpperCase(), `${trimmed};x=1`, `${trimmed}%00`, `${trimmed}%zz`, `${trimmed}/%c3%28`, `/.${path}`, `/x/..${path}`, `${trimmed}/${latin1([0xff])}`, `${path}?`, `${path}??`, `${path}#frag`,
  ]) {
    add(`path ${variant}`, { path: variant });
  }
  // Query parameters: each name with each hostile value, then odd names and shapes.
  // Into a query that is otherwise valid for the route, so that the checks behind the first one run too.
  const base = route.params.includes('signature') ? seeds.skaQuery : route.params.includes('jid') ? 'jid=a@b.example&domain=d&method=POST&transaction_id=t' : '';
  const withParam = (name: string, value: string) => {
    const pairs = base === '' ? [] : base.split('&').filter((pair) => pair.split('=')[0] !== name);
    return `${path}?${[...pairs, value === '\0bare' ? name : `${name}=${value}`].join('&')}`;
  };
  for (const name of [...route.params, 'x']) {
    for (const value of QUERY_VALUES) add(`query ${name}=${value.slice(0, 20)}`, { path: withParam(name, value) });
    add(`query ${name} twice`, { path: `${withParam(name, 'a')}&${name}=b` });
    add(`query ${name} bare`, { path: withParam(name, '\0bare') });
  }
  for (const name of QUERY_NAMES) add(`query name ${name}`, { path: `${path}?${name}=1` });
  add('query 1000 pairs', { path: `${path}?${Array.from({ length: 1000 }, (_, i) => `k${i}=v`).join('&')}` });
  add('query &&&', { path: `${path}?&&&=&=` });
  // Headers.
  for (const authorization of AUTHORIZATIONS) add(`authorization ${authorization.slice(0, 20)}`, { headers: { authorization } });
  add('authorization twice', { headers: { Authorization: ['Bearer a', 'Bearer b'] } });
  add('x-authbridge-client junk', { headers: { 'x-authbridge-client': 'Bearer %zz' } });
  for (const cookie of COOKIES) add(`cookie ${cookie.slice(0, 30)}`, { headers: { cookie } });
  add('cookie twice', { headers: { cookie: [`__Host-authbridge_session=${seeds.fuzzCookie}`, '__Host-authbridge_session=x'] } });
  for (const xff of FORWARDED) add(`x-forwarded-for ${xff.slice(0, 20)}`, { headers: { 'x-forwarded-for': xff } });
  for (const headers of FORWARD_HEADERS) add(`forward headers ${JSON.stringify(headers).slice(0, 40)}`, { headers });
  add('huge header', { headers: { 'x-junk': 'x'.repeat(15000) } });
  add('too many headers', { headers: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`x-h${i}`, 'v'])) });
  add('accept junk', { headers: { accept: ';;;q=abc, */*;q=2', 'accept-charset': 'x', 'accept-encoding': 'zz' } });
  add('if-none-match, range', { headers: { 'if-none-match': '*', range: 'bytes=99999-1' } });
  add('expect', { headers: { expect: 'nothing-known' } });
  // Bodies: non-object and broken JSON, wrong member types, forms, types, encodings, size.
  const json = (label: string, body: string | Buffer, contentType = 'application/json') => add(label, { method: bodyMethod, headers: { 'content-type': contentType }, body });
  for (const body of BAD_JSON) json(`json ${body.toString('latin1').slice(0, 20)}`, body);
  for (const field of route.fields) {
    for (const value of BAD_MEMBERS) json(`json {${field}: ${JSON.stringify(value).slice(0, 20)}}`, JSON.stringify({ [field]: value }));
    json(`json {${field}} deep`, `{"${field}":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`);
  }
  for (const form of [...BAD_FORMS, ...route.params.map((p) => `${p}=1&${p}=2`), ...route.fields.map((f) => `${encodeURIComponent(f)}=%zz&${encodeURIComponent(f)}=`)]) {
    json(`form ${form.slice(0, 30)}`, form, 'application/x-www-form-urlencoded');
  }
  for (const contentType of CONTENT_TYPES) add(`content-type ${contentType}`, { method: bodyMethod, headers: contentType === undefined ? {} : { 'content-type': contentType }, body: '{"a":1}' });
  for (const encoding of ENCODINGS) add(`content-encoding ${encoding}`, { method: bodyMethod, headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: '{"not":"compressed"}' });
  json('json too large', JSON.stringify({ [route.fields[0] ?? 'a']: 'x'.repeat(70 * 1024) }));
  json('form too large', `a=${'x'.repeat(70 * 1024)}`, 'application/x-www-form-urlencoded');
  add('body on GET', { method: 'GET', headers: { 'content-type': 'application/json' }, body: '[' });

  // Random combinations, starting from near-valid requests so that deeper code runs too.
  const goodQueries = [seeds.skaQuery, `jid=a@b&domain=d&method=POST&transaction_id=t&timeout=${rand.int(1000)}`, 'wait=1', ''];
  const goodBodies = [
    JSON.stringify({ authorization: seeds.jwtHeader }),
    JSON.stringify({ query: seeds.skaQuery }),
    JSON.stringify({ gpg_auth: { keyid: seeds.gpgFingerprint } }),
    JSON.stringify({ gpg_auth: { keyid: seeds.gpgFingerprint, server_verify_token: '-----BEGIN PGP MESSAGE-----\n\nwx4D\n-----END PGP MESSAGE-----' } }),
    JSON.stringify({ gpg_auth: { keyid: seeds.gpgFingerprint, user_token_result: 'gpgauthv1.3.0|36|x|gpgauthv1.3.0' } }),
    `gpg_auth[keyid]=${seeds.gpgFingerprint}&gpg_auth[user_token_result]=%zz`,
    seeds.skaQuery,
  ];
  const mutate = (text: string): string => {
    const at = rand.int(text.length + 1);
    switch (rand.int(5)) {
      case 0: return text.slice(0, at);
      case 1: return `${text.slice(0, at)}${rand.pick(QUERY_VALUES).slice(0, 50)}${text.slice(at)}`;
      case 2: return `${text}&${rand.pick([...route.params, ...QUERY_NAMES, 'x'])}=${rand.pick(QUERY_VALUES).slice(0, 50)}`;
      case 3: return `${text}&${text}`;
      default: return text;
    }
  };
  /** A JSON seed with one member (at any depth) replaced by a hostile value, or the text mutated. */
  const mutateJson = (text: string): string => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return mutate(text);
    }
    let holder = value as Record<string, unknown>;
    for (;;) {
      const keys = Object.keys(holder);
      const key = keys.length === 0 || rand.next() < 0.2 ? rand.pick([...route.fields, 'x', '__proto__']) : rand.pick(keys);
      const inner = holder[key];
      if (typeof inner === 'object' && inner !== null && rand.next() < 0.7) {
        holder = inner as Record<string, unknown>;
        continue;
      }
      holder[key] = rand.next() < 0.5 ? rand.pick(BAD_MEMBERS) : typeof inner === 'string' ? mutate(inner) : rand.pick(QUERY_VALUES);
      return JSON.stringify(value);
    }
  };
  for (let i = 0; i < 40; i++) {
    const method = rand.next() < 0.85 ? (route.methods[0] === 'ALL' ? rand.pick(['GET', 'POST', 'PUT']) : rand.pick(route.methods)) : rand.pick(METHODS);
    const headers: OutgoingHttpHeaders = {};
    if (rand.next() < 0.3) headers['authorization'] = rand.next() < 0.5 ? rand.pick(AUTHORIZATIONS) : seeds.jwtHeader;
    if (rand.next() < 0.3) headers['cookie'] = rand.next() < 0.5 ? rand.pick(COOKIES) : `__Host-authbridge_session=${seeds.fuzzCookie}`;
    if (rand.next() < 0.2) headers['x-forwarded-for'] = rand.pick(FORWARDED);
    if (rand.next() < 0.2) Object.assign(headers, rand.pick(FORWARD_HEADERS));
    let body: string | Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD' && rand.next() < 0.8) {
      const form = rand.next() < 0.4;
      headers['content-type'] = form ? 'application/x-www-form-urlencoded' : rand.next() < 0.9 ? 'application/json' : (rand.pick(CONTENT_TYPES) ?? 'text/plain');
      body = form ? mutate(rand.pick(goodQueries)) : rand.next() < 0.7 ? mutateJson(rand.pick(goodBodies)) : rand.pick(BAD_JSON);
    }
    cases.push({ route, label: `random #${i}`, method, path: `${path}?${mutate(rand.pick(goodQueries))}`, headers, ...(body === undefined ? {} : { body }) });
  }
  return cases;
}

/** Requests Node's parser refuses or that reach koa only in odd shapes: answered by src/http/client-error.ts or koa. */
const RAW_REQUESTS = [
  'GET /healthz HTTP/1.1\r\n\r\n',
  'GET /healthz HTTP/1.0\r\n\r\n',
  'GET http://127.0.0.1/v1/session HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
  `GET /v1/session?${latin1([0xc3, 0x28, 0x00])} HTTP/1.1\r\nHost: x\r\n\r\n`,
  'GET /v1/ses sion HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n',
  'GET /healthz\r\n\r\n',
  'GARBAGE\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\nX: a\nY: b\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\n folded: y\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
  `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(20000)}\r\n\r\n`,
  `GET /${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  'POST /v1/jwt/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{"a":1}',
  'POST /v1/jwt/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}',
  'POST /v1/jwt/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}',
  'POST /v1/jwt/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'POST /v1/jwt/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
  'POST /v1/jwt/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
  'POST /v1/jwt/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n\x1f\x8b\x08\x00',
  'POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\njid=%c3%2',
  'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n',
  'FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
];

/**
 * Requests that may get no answer, by design. Node skips empty lines before a request
 * line; a body shorter than its Content-Length is waited for (until http's request
 * timeout); CONNECT goes to the server's 'connect' event, which nobody listens to (we are
 * no proxy), so the connection is closed.
 */
const RAW_UNANSWERED = [
  '\r\n\r\n\r\n',
  'POST /v1/jwt/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
  'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n',
];

// ---------------------------------------------------------------------------------------
// The sweep

const COOKIE = '__Host-authbridge_session';
/** Every 5xx, unknown code or transport failure, by route. */
type Finding = { route: string; label: string; method: string; path: string; problem: string };

describe('bad input: every route answers hostile requests with a 4xx and a stable code', () => {
  let daemon: Daemon;
  let dir: string;
  let log: ReturnType<typeof captureLog>;
  let victimCookie: string;
  const processErrors: unknown[] = [];
  const onProcessError = (err: unknown) => processErrors.push(err);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'authbridge-bad-input-'));
    writeFileSync(join(dir, 'ed.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const server = await makeKeyPair('server', 'server secret');
    writeFileSync(join(dir, 'server.asc'), server.privateArmored);
    writeFileSync(join(dir, 'pass'), 'server secret\n');
    log = captureLog();
    const { config } = parseConfig(
      `[http]\nlisten = "127.0.0.1:0"\ntrusted_proxies = ["127.0.0.1/32"]\n[store]\npath = "${join(dir, 'db.sqlite')}"\n[xmpp]\nenabled = false\n` +
        `[forward_auth]\nlogin_url = "https://login.example/sign-in?lang=en"\n` +
        `[regulation]\nmax_retries = 1000000\n` +
        `[jwt]\npublish_keys = ["${join(dir, 'ed.pem')}"]\n` +
        // Signatures reusable, so that hostile values next to a valid signature reach past the replay check.
        `[ska]\nsecret = "${globalSecret}"\nalgorithm = "HMAC-SHA256"\nlogin_signatures = "none"\n` +
        `[gpgauth]\nserver_key_file = "${join(dir, 'server.asc')}"\npassphrase_file = "${join(dir, 'pass')}"\n` +
        `[kerberos]\nenabled = true\nkeytab_file = "${join(dir, 'missing.keytab')}"\nrealms = ["EXAMPLE.ORG"]\n` +
        `replay_cache_dir = "${join(dir, 'rcache')}"\ndelegation_dir = "${join(dir, 'ccaches')}"\n`,
      'test',
    );
    daemon = new Daemon(config, log.logger, { clock: vectorClock() });
    const { port } = await daemon.start();
    target = { host: '127.0.0.1', port };
    process.on('uncaughtException', onProcessError);
    process.on('unhandledRejection', onProcessError);
  });

  afterAll(async () => {
    process.off('uncaughtException', onProcessError);
    process.off('unhandledRejection', onProcessError);
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('covers every route mounted in src/', () => {
    const { literal, computed } = mountedRoutes();
    const covered = new Set(ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${r.path}`)));
    expect(literal.map(([m, p]) => `${m} ${p}`).filter((route) => !covered.has(route))).toEqual([]);
    // The only computed path: ska's token endpoint at both prefixes (src/methods/ska/module.ts TOKEN_PATHS).
    expect(computed).toEqual(['path']);
    expect(ROUTES.map((r) => r.path)).toEqual(expect.arrayContaining(['/ska/obtain-jwt-token/', '/ska-rest/obtain-jwt-token/']));
  });

  it('answers the inputs that once got a 5xx with the right 4xx (or the stable 503 code)', async () => {
    const call = (method: string, path: string) => send({ route: ROUTES[0]!, label: 'regression', method, path, headers: { 'content-type': 'application/json' }, body: '{}' });
    // A method koa-router knows no route for was a 501, rendered as 500 ERR_INTERNAL.
    const propfind = await call('PROPFIND', '/v1/session');
    expect(propfind.status).toBe(405);
    expect(JSON.parse(propfind.body)).toMatchObject({ error: 'ERR_METHOD_NOT_ALLOWED' });
    expect(JSON.parse((await call('PROPFIND', '/no/such/route')).body)).toMatchObject({ error: 'ERR_NOT_FOUND' });
    const post = await new Promise<string | undefined>((resolve, reject) => {
      httpRequest({ ...target, method: 'POST', path: '/healthz', agent: false }, (res) => {
        res.resume();
        resolve(res.headers['allow']);
      }).on('error', reject).end();
    });
    expect(post?.split(', ').sort()).toEqual(['GET', 'HEAD']);
    // A method that is off was a 503 rendered as ERR_INTERNAL (and logged as an internal error).
    const xmpp = await call('POST', '/v1/xmpp/requests');
    expect(xmpp.status).toBe(503);
    expect(JSON.parse(xmpp.body)).toMatchObject({ error: 'ERR_XMPP_UNAVAILABLE' });
  });

  it('never answers 5xx (beyond the listed ones), never an unknown code, never crashes, and keeps what is stored', async () => {
    const store = daemon.store;
    const stored = () => ({ users: store.users.list().length, keys: store.jwt.listKeys().length, gpg: store.gpgKeys.list().length });
    // What must survive: users, keys, and a session the sweep never sends.
    addKey(store, 'guido', vectorKey('ed25519').public_openssh_with_comment);
    const gpgUser = await makeKeyPair('alice');
    const alice = store.users.add({ username: 'alice' });
    store.gpgKeys.add(alice.id, gpgUser.fingerprint, gpgUser.publicArmored);
    const sessionFor = (user: string) => daemon.sessions.create({ user, method: 'ska', data: null }).id;
    victimCookie = sessionFor('guido');
    const seeds: Seeds = {
      fuzzCookie: sessionFor('alice'),
      skaQuery: signedQuery('alice', `${VECTOR_TIME + 3600}.0`),
      jwtHeader: ajwt.client_tokens[0]!.authorization_header,
      gpgFingerprint: gpgUser.fingerprint,
    };
    const before = stored();

    const rand = prng(0x5eed);
    const cases = ROUTES.flatMap((route) => routeCases(route, seeds, rand));
    const findings: Finding[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++] as Case;
        let problem: string | undefined;
        try {
          problem = problemWith(c.route, await send(c), c.method);
        } catch (err) {
          // The server may stop reading an oversized body and close: that is a refusal, not a crash.
          const code = (err as NodeJS.ErrnoException).code;
          if (!(c.label.includes('too large') && (code === 'ECONNRESET' || code === 'EPIPE'))) problem = `transport ${code ?? String(err)} (headers ${JSON.stringify(c.headers).slice(0, 200)})`;
        }
        if (problem) findings.push({ route: c.route.path, label: c.label, method: c.method, path: c.path.slice(0, 80), problem });
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    for (const raw of RAW_REQUESTS) {
      const problem = problemWith(undefined, await sendRaw(raw));
      if (problem) findings.push({ route: 'raw', label: JSON.stringify(raw.slice(0, 200)), method: '', path: '', problem });
    }
    // A request Node's parser refuses is answered without a body when it is a HEAD (client-error.ts).
    const headAnswer = await sendRaw(`HEAD /v1/session?x=${latin1([0xff])} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(headAnswer).toMatchObject({ status: 400, body: '' });
    for (const raw of RAW_UNANSWERED) {
      const answer = await sendRaw(raw, 300);
      const problem = answer.status === 0 ? undefined : problemWith(undefined, answer);
      if (problem) findings.push({ route: 'raw', label: JSON.stringify(raw.slice(0, 200)), method: '', path: '', problem });
    }
    console.info(`bad-input sweep: ${cases.length} requests over ${ROUTES.length} routes, ${RAW_REQUESTS.length + RAW_UNANSWERED.length} raw`);

    expect(findings).toEqual([]);
    const lines = log.lines();
    expect(lines.filter((l) => l['message'] === 'http.internal_error' || l['level'] === 'error').map((l) => String(l['err'] ?? l['message']).split('\n')[0])).toEqual([]);
    expect(processErrors).toEqual([]);
    // Every route was reached through its handler, not only through 404/405.
    const reached = new Set(lines.filter((l) => l['message'] === 'http.request').map((l) => l['route']));
    expect(ROUTES.map((r) => r.path).filter((p) => !reached.has(p))).toEqual([]);
    // Still serving, nothing stored lost, the untouched session still live.
    const health = await send({ route: ROUTES[0]!, label: 'healthz', method: 'GET', path: '/healthz' });
    expect(health.status).toBe(200);
    const after = stored();
    expect(after.keys).toBe(before.keys);
    expect(after.gpg).toBe(before.gpg);
    expect(after.users).toBeGreaterThanOrEqual(before.users);
    const session = await send({ route: ROUTES[2]!, label: 'victim session', method: 'GET', path: '/v1/session', headers: { cookie: `${COOKIE}=${victimCookie}` } });
    expect(session.status).toBe(200);
    expect(JSON.parse(session.body)).toMatchObject({ user: 'guido' });
  }, 60_000);
});
