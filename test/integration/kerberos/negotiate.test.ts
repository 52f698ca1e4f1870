import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { initiate } from '../../../src/methods/kerberos/gssapi.js';
import { spawnServe } from '../../support/cli.js';
import { curl } from '../../support/curl.js';
import { startTestDaemon, type TestDaemon } from '../../support/daemon.js';
import { startTestRealm, type TestRealm } from '../../support/kdc.js';

const run = promisify(execFile);

const kerberosToml = (keytab: string, extra = '') => `
[kerberos]
enabled = true
keytab_file = "${keytab}"
service = "HTTP@localhost"
realms = ["TEST.LOCAL"]
replay_cache_dir = "$DIR/rcache"
delegation_dir = "$DIR/ccaches"
${extra}
[regulation]
max_retries = 1000
`;

describe('Kerberos SPNEGO login against a real MIT KDC', () => {
  let realm: TestRealm;
  let keytab: string;
  let aliceCache: string;
  let daemon: TestDaemon;
  const clock = new ManualClock(Date.now());
  const url = () => `${daemon.url.replace('127.0.0.1', 'localhost')}/v1/negotiate`;
  const curlEnv = (ccache: string) => ({ ...realm.env, KRB5CCNAME: `FILE:${ccache}` });

  beforeAll(async () => {
    realm = await startTestRealm();
    // The acceptor runs in this process and reads the realm's krb5.conf (spec/kerberos.md §8).
    process.env['KRB5_CONFIG'] = realm.krb5Config;
    realm.addPrincipal('alice', { password: 'alice-pw' });
    realm.addPrincipal('bob', { password: 'bob-pw' });
    realm.addPrincipal('carol', { password: 'carol-pw' });
    realm.addPrincipal('HTTP/localhost', { flags: '+ok_as_delegate' });
    keytab = realm.keytab('http.keytab', 'HTTP/localhost');
    aliceCache = realm.kinit('alice', 'alice-pw');
    daemon = await startTestDaemon(kerberosToml(keytab), { clock });
    daemon.daemon.store.users.add({ username: 'alice' });
    // The operator's way: `authbridge user add USER --principal PRINCIPAL` on the daemon's store.
    const cliConfig = join(daemon.dir, 'cli.toml');
    writeFileSync(cliConfig, `[store]\npath = "${join(daemon.dir, 'authbridge.sqlite')}"\n[xmpp]\nenabled = false\n`);
    await run(process.execPath, ['dist/main.js', 'user', 'add', 'carol-local', '--principal', 'carol@TEST.LOCAL', '--config', cliConfig]);
  });
  afterAll(async () => {
    await daemon?.stop();
    realm?.stop();
  });

  it('is ready with a readable keytab', async () => {
    const res = await fetch(`${daemon.url}/readyz`);
    expect(await res.json()).toMatchObject({ checks: expect.arrayContaining([{ name: 'kerberos', status: 'UP' }]) });
  });

  it('answers curl without a ticket with the 401 Negotiate challenge (KRB-1)', async () => {
    const res = await curl(['--negotiate', '-u', ':', url()], curlEnv(`${realm.dir}/no-such.ccache`));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Negotiate');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'ERR_NEGOTIATE_REQUIRED' });
  });

  it('logs alice in with curl --negotiate -u : and sends a mutual-auth reply token', async () => {
    const res = await curl(['--negotiate', '-u', ':', url()], curlEnv(aliceCache));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ user: 'alice', principal: 'alice@TEST.LOCAL', delegated: false });
    expect(res.headers.get('www-authenticate')).toMatch(/^Negotiate [A-Za-z0-9+/]+=*$/);
    expect(daemon.daemon.store.audit.recent(1)[0]).toMatchObject({ method: 'kerberos', subject: 'alice@TEST.LOCAL', result: 'success' });
  });

  it('refuses a replay of the token curl sent (KRB-2)', async () => {
    const first = await curl(['--negotiate', '-u', ':', url()], curlEnv(aliceCache));
    expect(first.status).toBe(200);
    expect(first.sentToken).toBeDefined();
    const replay = await fetch(url(), { headers: { authorization: `Negotiate ${first.sentToken}` } });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toBe('Negotiate');
    expect(await replay.json()).toMatchObject({ error: 'ERR_KERBEROS_TOKEN_REPLAYED' });
    expect(existsSync(`${daemon.dir}/rcache/authbridge.rcache2`)).toBe(true);
  });

  it('lets exactly one of two concurrent uses of one token through', async () => {
    const token = initiate('HTTP@localhost', { ccache: `FILE:${aliceCache}` }).toString('base64');
    const answers = await Promise.all([0, 1].map(() => fetch(url(), { headers: { authorization: `Negotiate ${token}` } })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
    const refused = (await answers.find((r) => r.status === 401)?.json()) as { error: string };
    expect(['ERR_KERBEROS_TOKEN_REPLAYED', 'ERR_KERBEROS_TOKEN_INVALID']).toContain(refused.error);
  });

  it('refuses garbage, truncated, non-base64 and empty tokens with 401, never 500', async () => {
    const good = initiate('HTTP@localhost', { ccache: `FILE:${aliceCache}` });
    const tokens = ['Z2FyYmFnZQ==', good.subarray(0, good.length - 20).toString('base64'), good.subarray(0, 30).toString('base64'), '!!!notbase64', ''];
    for (const token of tokens) {
      const res = await fetch(url(), { headers: { authorization: `Negotiate ${token}` } });
      expect(res.status, token.slice(0, 20)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Negotiate');
      expect(await res.json()).toMatchObject({ error: 'ERR_KERBEROS_TOKEN_INVALID' });
    }
    // Node's own header limit (16 KiB) answers an oversized token before any GSS work.
    expect((await fetch(url(), { headers: { authorization: `Negotiate ${Buffer.alloc(20_000, 1).toString('base64')}` } })).status).toBe(431);
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);
  });

  it('maps principals through the identities table, and refuses unknown ones', async () => {
    const carol = await curl(['--negotiate', '-u', ':', url()], curlEnv(realm.kinit('carol', 'carol-pw')));
    expect(carol.status).toBe(200);
    expect(JSON.parse(carol.body)).toMatchObject({ user: 'carol-local', principal: 'carol@TEST.LOCAL' });
    const bob = await curl(['--negotiate', '-u', ':', url()], curlEnv(realm.kinit('bob', 'bob-pw')));
    expect(bob.status).toBe(403);
    expect(JSON.parse(bob.body)).toMatchObject({ error: 'ERR_KERBEROS_UNKNOWN_PRINCIPAL' });
  });

  it('stores a delegated credential with curl --delegation always, usable by kvno (KRB-4)', async () => {
    const res = await curl(['--negotiate', '-u', ':', '--delegation', 'always', url()], curlEnv(aliceCache));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { delegated: boolean; ccache: string };
    expect(body).toMatchObject({ user: 'alice', delegated: true });
    expect(statSync(body.ccache).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(body.ccache)).mode & 0o777).toBe(0o700);
    const env = { ...realm.env, KRB5CCNAME: `FILE:${body.ccache}` };
    const klist = await run('klist', ['-f'], { env });
    expect(klist.stdout).toContain('krbtgt/TEST.LOCAL@TEST.LOCAL');
    const kvno = await run('kvno', ['HTTP/localhost'], { env });
    expect(kvno.stdout).toMatch(/HTTP\/localhost@TEST.LOCAL: kvno = \d+/);
  });

  it('opens a login session that shows the cache, and logout removes the cache (KRB-4)', async () => {
    const res = await curl(['--negotiate', '-u', ':', '--delegation', 'always', url()], curlEnv(aliceCache));
    const { ccache } = JSON.parse(res.body) as { ccache: string };
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^__Host-authbridge_session=[A-Za-z0-9_-]{43}$/);

    const session = await fetch(`${daemon.url}/v1/session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ user: 'alice', method: 'kerberos', data: { principal: 'alice@TEST.LOCAL', ccache } });

    expect(existsSync(ccache)).toBe(true);
    const logout = await fetch(`${daemon.url}/v1/session/logout`, { method: 'POST', headers: { cookie } });
    expect(await logout.json()).toEqual({ ended: true });
    await vi.waitFor(() => expect(existsSync(ccache)).toBe(false)); // session end hooks run just after
    expect((await fetch(`${daemon.url}/v1/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('ends the previous session and its cache when the same browser logs in again', async () => {
    const first = await curl(['--negotiate', '-u', ':', '--delegation', 'always', url()], curlEnv(aliceCache));
    const { ccache } = JSON.parse(first.body) as { ccache: string };
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const second = await curl(['--negotiate', '-u', ':', '-H', `Cookie: ${cookie}`, url()], curlEnv(aliceCache));
    expect(second.status).toBe(200);
    await vi.waitFor(() => expect(existsSync(ccache)).toBe(false));
    expect((await fetch(`${daemon.url}/v1/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('forwards with --delegation policy because the SPN is ok_as_delegate', async () => {
    const res = await curl(['--negotiate', '-u', ':', '--delegation', 'policy', url()], curlEnv(aliceCache));
    expect(JSON.parse(res.body)).toMatchObject({ delegated: true });
  });
});

/**
 * KRB-4: a stored cache is removed when its login session ends (logout and re-login are
 * tested above; here: expiry) or when its ticket expires, whichever comes first. Each
 * case gets its own daemon and clock so that only one of the two causes applies.
 */
describe('the lifetime of a stored delegated cache (KRB-4)', () => {
  let realm: TestRealm;
  let keytab: string;
  const daemons: TestDaemon[] = [];
  const hour = 3600_000;

  /** A daemon on `clock` with the given [session] section, alice's delegated login, its cache and cookie. */
  const delegatedLogin = async (clock: ManualClock, session: string, ticketLifetime: string) => {
    const d = await startTestDaemon(`${kerberosToml(keytab)}\n[session]\n${session}\n`, { clock });
    daemons.push(d);
    d.daemon.store.users.add({ username: 'alice' });
    const ccacheOfAlice = realm.kinit('alice', 'alice-pw', { lifetime: ticketLifetime });
    const res = await curl(['--negotiate', '-u', ':', '--delegation', 'always', `${d.url.replace('127.0.0.1', 'localhost')}/v1/negotiate`], { ...realm.env, KRB5CCNAME: `FILE:${ccacheOfAlice}` });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { ccache: string; ccache_expires_at: string };
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    return { d, ccache: body.ccache, expiresAt: Date.parse(body.ccache_expires_at), cookie };
  };
  const sessionStatus = async (d: TestDaemon, cookie: string) => (await fetch(`${d.url}/v1/session`, { headers: { cookie } })).status;

  beforeAll(async () => {
    realm = await startTestRealm();
    process.env['KRB5_CONFIG'] = realm.krb5Config;
    realm.addPrincipal('alice', { password: 'alice-pw' });
    realm.addPrincipal('HTTP/localhost');
    keytab = realm.keytab('http.keytab', 'HTTP/localhost');
  });
  afterAll(async () => {
    for (const d of daemons) await d.stop();
    realm?.stop();
  });

  it('expires with the ticket while the session lives on', async () => {
    const clock = new ManualClock(Date.now());
    const { d, ccache, expiresAt, cookie } = await delegatedLogin(clock, 'inactivity = 86400\nexpiration = 172800', '1h');
    // The delegated TGT ends when alice's TGT does (kinit -l 1h).
    expect(expiresAt - clock.now()).toBeGreaterThan(0.9 * hour);
    expect(expiresAt - clock.now()).toBeLessThanOrEqual(hour);
    d.daemon.store.purge(clock.now());
    expect(existsSync(ccache)).toBe(true);
    clock.set(expiresAt + 1000);
    d.daemon.store.purge(clock.now());
    expect(existsSync(ccache)).toBe(false);
    expect(d.daemon.store.kerberos.allCcachePaths().has(ccache)).toBe(false);
    expect(await sessionStatus(d, cookie)).toBe(200); // the session itself has a day left
  });

  it('goes with a session that expires on the purge schedule, the ticket still valid', async () => {
    const clock = new ManualClock(Date.now());
    const { d, ccache, expiresAt } = await delegatedLogin(clock, 'inactivity = 600\nexpiration = 3600', '8h');
    clock.advance(11 * 60_000); // past inactivity, hours before the ticket ends
    expect(clock.now()).toBeLessThan(expiresAt);
    d.daemon.store.purge(clock.now());
    await vi.waitFor(() => expect(existsSync(ccache)).toBe(false));
    expect(d.daemon.store.kerberos.allCcachePaths().has(ccache)).toBe(false);
  });

  it('goes with a session found expired when the web application asks for it', async () => {
    const clock = new ManualClock(Date.now());
    const { d, ccache, cookie } = await delegatedLogin(clock, 'inactivity = 600\nexpiration = 3600', '8h');
    expect(await sessionStatus(d, cookie)).toBe(200);
    clock.advance(3601_000); // past the absolute expiry
    expect(await sessionStatus(d, cookie)).toBe(401);
    await vi.waitFor(() => expect(existsSync(ccache)).toBe(false));
  });
});

describe('Kerberos policy and configuration', () => {
  let realm: TestRealm;
  let keytab: string;
  let aliceCache: string;
  const daemons: TestDaemon[] = [];
  const start = async (toml: string) => {
    const started = await startTestDaemon(toml);
    daemons.push(started);
    started.daemon.store.users.add({ username: 'alice' });
    return { ...started, negotiate: `${started.url.replace('127.0.0.1', 'localhost')}/v1/negotiate` };
  };
  const aliceCurl = (url: string, ...args: string[]) => curl(['--negotiate', '-u', ':', ...args, url], { ...realm.env, KRB5CCNAME: `FILE:${aliceCache}` });

  beforeAll(async () => {
    realm = await startTestRealm();
    process.env['KRB5_CONFIG'] = realm.krb5Config;
    realm.addPrincipal('alice', { password: 'alice-pw' });
    realm.addPrincipal('HTTP/localhost');
    keytab = realm.keytab('http.keytab', 'HTTP/localhost');
    aliceCache = realm.kinit('alice', 'alice-pw');
  });
  afterAll(async () => {
    for (const d of daemons) await d.stop();
    realm?.stop();
  });

  it('refuses a principal whose realm is not on the allow-list (KRB-1)', async () => {
    const d = await start(kerberosToml(keytab).replace('realms = ["TEST.LOCAL"]', 'realms = ["EXAMPLE.ORG"]'));
    const res = await aliceCurl(d.negotiate, '--delegation', 'always');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'ERR_KERBEROS_REALM_NOT_ALLOWED' });
    expect(readdirSync(`${d.dir}/ccaches`)).toEqual([]); // the delegated credential was not kept
  });

  it('accepts any key in the keytab when service is empty, still refusing replays in the private cache (KRB-2, KRB-3)', async () => {
    const d = await start(kerberosToml(keytab).replace('service = "HTTP@localhost"', 'service = ""'));
    const first = await aliceCurl(d.negotiate);
    expect(first.status).toBe(200);
    const replay = await fetch(d.negotiate, { headers: { authorization: `Negotiate ${first.sentToken}` } });
    expect(await replay.json()).toMatchObject({ error: 'ERR_KERBEROS_TOKEN_REPLAYED' });
    expect(statSync(`${d.dir}/rcache`).mode & 0o777).toBe(0o700);
    expect(readdirSync(`${d.dir}/rcache`)).toEqual(['authbridge.rcache2']);
  });

  it('maps only listed principals with user_mapping = "table"', async () => {
    const d = await start(kerberosToml(keytab, 'user_mapping = "table"\nprincipal_map = { "alice@TEST.LOCAL" = "alice" }'));
    expect(JSON.parse((await aliceCurl(d.negotiate)).body)).toMatchObject({ user: 'alice' });
    const unlisted = await start(kerberosToml(keytab, 'user_mapping = "table"'));
    expect(JSON.parse((await aliceCurl(unlisted.negotiate)).body)).toMatchObject({ error: 'ERR_KERBEROS_UNKNOWN_PRINCIPAL' });
  });

  it('shows the cache path only to allowed addresses or API clients', async () => {
    const d = await start(`${kerberosToml(keytab)}\n[api]\nallow_unauthenticated_from = ["10.0.0.0/8"]\n`);
    const hiddenLogin = await aliceCurl(d.negotiate, '--delegation', 'always');
    const hidden = JSON.parse(hiddenLogin.body) as Record<string, unknown>;
    expect(hidden).toMatchObject({ user: 'alice', delegated: true });
    expect(hidden['ccache']).toBeUndefined();
    // Nor does the browser's cookie show it from here: GET /v1/session is an API route.
    const cookie = (hiddenLogin.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const asBrowser = await fetch(`${d.url}/v1/session`, { headers: { cookie } });
    expect(asBrowser.status).toBe(401);
    expect(await asBrowser.json()).toMatchObject({ error: 'ERR_UNAUTHENTICATED' });
    const { token } = d.daemon.store.clients.add('webapp');
    const asWebapp = await fetch(`${d.url}/v1/session`, { headers: { cookie, authorization: `Bearer ${token}` } });
    expect(await asWebapp.json()).toMatchObject({ user: 'alice', method: 'kerberos', data: { ccache: expect.stringContaining('/ccaches/cc_') } });
    const shown = JSON.parse((await aliceCurl(d.negotiate, '--delegation', 'always', '-H', `X-Authbridge-Client: Bearer ${token}`)).body) as Record<string, unknown>;
    expect(shown['ccache']).toEqual(expect.stringContaining('/ccaches/cc_'));
    expect(d.daemon.store.audit.recent(1)[0]).toMatchObject({ method: 'kerberos', result: 'success', client: 'webapp' });
    const wrongToken = JSON.parse((await aliceCurl(d.negotiate, '--delegation', 'always', '-H', 'X-Authbridge-Client: Bearer abt_wrong')).body) as Record<string, unknown>;
    expect(wrongToken).toMatchObject({ user: 'alice', delegated: true });
    expect(wrongToken['ccache']).toBeUndefined();
  });

  it('bans an address after repeated bad tokens (429 with Retry-After), as a wrong token would be', async () => {
    const d = await start(kerberosToml(keytab).replace('max_retries = 1000', 'max_retries = 2'));
    const garbage = () => fetch(d.negotiate.replace('localhost', '127.0.0.1'), { headers: { authorization: 'Negotiate Z2FyYmFnZQ==' } });
    expect((await garbage()).status).toBe(401);
    expect((await garbage()).status).toBe(401);
    const banned = await garbage();
    expect(banned.status).toBe(429);
    expect(Number(banned.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await banned.json()).toMatchObject({ error: 'ERR_RATE_LIMITED' });
    expect((await aliceCurl(d.negotiate)).status).toBe(429);
  });

  it('is not ready without a keytab, answers 500 there, and the daemon keeps serving', async () => {
    const d = await start(kerberosToml(`${realm.dir}/missing.keytab`));
    const ready = await fetch(`${d.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: expect.arrayContaining([expect.objectContaining({ name: 'kerberos', status: 'DOWN', detail: expect.stringContaining('missing.keytab') })]) });
    const refused = await aliceCurl(d.negotiate);
    expect(refused.status).toBe(500);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'ERR_KERBEROS_NOT_CONFIGURED' });
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
  });

  it('answers 500 and is not ready when the keytab goes away after start-up, and recovers (KRB-1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authbridge-keytab-'));
    const copy = join(dir, 'http.keytab');
    copyFileSync(keytab, copy);
    try {
      const d = await start(kerberosToml(copy));
      const kerberosCheck = async () => ((await (await fetch(`${d.url}/readyz`)).json()) as { checks: Array<{ name: string; status: string; detail?: string }> }).checks.find((c) => c.name === 'kerberos');
      expect((await aliceCurl(d.negotiate)).status).toBe(200);
      expect(await kerberosCheck()).toMatchObject({ status: 'UP' });

      renameSync(copy, join(dir, 'moved.keytab'));
      const refused = await aliceCurl(d.negotiate);
      expect(refused.status).toBe(500);
      expect(JSON.parse(refused.body)).toMatchObject({ error: 'ERR_KERBEROS_NOT_CONFIGURED' });
      expect(await kerberosCheck()).toMatchObject({ status: 'DOWN', detail: expect.stringContaining('http.keytab is not readable') });

      renameSync(join(dir, 'moved.keytab'), copy);
      expect((await aliceCurl(d.negotiate)).status).toBe(200);
      expect(await kerberosCheck()).toMatchObject({ status: 'UP' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs exactly one clear line for a missing keytab while `authbridge serve` keeps serving the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authbridge-krb-serve-'));
    const config = join(dir, 'config.toml');
    writeFileSync(config, `[http]\nlisten = "127.0.0.1:0"\n[store]\npath = "${dir}/authbridge.sqlite"\n[xmpp]\nenabled = false\n${kerberosToml(`${dir}/missing.keytab`).replaceAll('$DIR', dir)}`);
    const serve = spawnServe(config);
    try {
      const base = await serve.url;
      expect((await fetch(`${base}/v1/session`)).status).toBe(401); // another route answers as usual
      expect(await (await fetch(`${base.replace('127.0.0.1', 'localhost')}/v1/negotiate`, { headers: { authorization: 'Negotiate Z2FyYmFnZQ==' } })).json()).toMatchObject({ error: 'ERR_KERBEROS_NOT_CONFIGURED' });
      // (XMPP and gpgAuth, unconfigured here, say so in lines of their own.)
      const problems = serve.output().split('\n').filter((line) => /"level":"(warn|error)"/.test(line) && !/"message":"(xmpp|gpgauth)\./.test(line));
      expect(problems).toHaveLength(1);
      expect(JSON.parse(problems[0] ?? '{}')).toMatchObject({ message: 'kerberos.not_ready', keytab: `${dir}/missing.keytab`, reason: expect.stringContaining('missing.keytab') });
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exit;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
