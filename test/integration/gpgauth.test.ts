import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMessage, decrypt, encrypt, enums, generateKey, readKey, readMessage } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ConfigError } from '../../src/errors.js';
import { completeLogin, login, requestUserToken } from '../../src/methods/gpgauth/client.js';
import { decodeUserAuthToken, encodeUserAuthToken } from '../../src/methods/gpgauth/encoding.js';
import { EXPOSED_HEADERS } from '../../src/methods/gpgauth/headers.js';
import { formatNonce, newNonce } from '../../src/methods/gpgauth/nonce.js';
import { startTestDaemon } from '../support/daemon.js';
import { makeKeyPair, postStage, startGpgAuthDaemon, type GpgAuthDaemon, type KeyPair } from '../support/gpgauth.js';

const NO_USER = 'There is no user associated with this key.';

function expectBaseHeaders(res: Response): void {
  expect(res.headers.get('X-GPGAuth-Version')).toBe('1.3.0');
  expect(res.headers.get('X-GPGAuth-Login-URL')).toBe('/auth/login');
  expect(res.headers.get('X-GPGAuth-Logout-URL')).toBe('/auth/logout');
  expect(res.headers.get('X-GPGAuth-Verify-URL')).toBe('/auth/verify');
  expect(res.headers.get('X-GPGAuth-Pubkey-URL')).toBe('/auth/verify.json');
  expect(res.headers.get('Access-Control-Expose-Headers')?.split(', ')).toEqual(EXPOSED_HEADERS);
}

/** One row of spec §8: exact values, and absence of every header the row marks absent. */
function expectRow(res: Response, row: { authenticated: string; progress: string; userAuthToken: boolean; verifyResponse: boolean; refer: boolean }): void {
  expectBaseHeaders(res);
  expect(res.headers.get('X-GPGAuth-Authenticated')).toBe(row.authenticated);
  expect(res.headers.get('X-GPGAuth-Progress')).toBe(row.progress);
  expect(res.headers.has('X-GPGAuth-User-Auth-Token')).toBe(row.userAuthToken);
  expect(res.headers.has('X-GPGAuth-Verify-Response')).toBe(row.verifyResponse);
  expect(res.headers.get('X-GPGAuth-Refer')).toBe(row.refer ? '/' : null);
}

const encryptTo = async (armoredKey: string, text: string) => encrypt({ message: await createMessage({ text }), encryptionKeys: await readKey({ armoredKey }) });

describe('gpgAuth over HTTP', () => {
  const clock = new ManualClock(Date.now());
  let t: GpgAuthDaemon;
  let alice: KeyPair;
  let bob: KeyPair;
  let stranger: KeyPair;

  beforeAll(async () => {
    t = await startGpgAuthDaemon('[session]\nsecure = false\n[gpgauth]\nmax_active_tokens = 3', { clock });
    [alice, bob, stranger] = await Promise.all([makeKeyPair('alice'), makeKeyPair('bob'), makeKeyPair('stranger')]);
    await t.addUser('alice', alice);
    await t.addUser('bob', bob);
  });
  afterAll(async () => {
    await t.stop();
  });

  const serverArmored = () => t.server.privateKey.toPublic().armor();
  const stage1Token = async (who: KeyPair) => requestUserToken(t.url, who.fingerprint, await readKey({ armoredKey: serverArmored() }), who.privateKey);

  it('GET /auth/verify.json serves the server fingerprint and public key (GPG-1)', async () => {
    const res = await fetch(`${t.url}/auth/verify.json`);
    expect(res.status).toBe(200);
    expectBaseHeaders(res);
    const { body } = (await res.json()) as { body: { fingerprint: string; keydata: string } };
    expect(body.fingerprint).toBe(t.server.fingerprint);
    expect((await readKey({ armoredKey: body.keydata })).getFingerprint().toUpperCase()).toBe(t.server.fingerprint);
    expect(body.keydata).not.toContain('PRIVATE');
  });

  it('the JSON envelope carries servertime from the injected clock', async () => {
    const res = await fetch(`${t.url}/auth/verify.json`);
    expect(((await res.json()) as { header: { servertime: number } }).header.servertime).toBe(Math.floor(clock.now() / 1000));
  });

  it('logs in with the TypeScript client, issuing a session readable by GET /v1/session (GPG-7)', async () => {
    const stages: string[] = [];
    const result = await login({ server: t.url, userKey: alice.privateKey, serverFingerprint: t.server.fingerprint, onStage: (s) => stages.push(s) });
    expect(stages).toEqual(['server-key', 'stage0', 'stage1', 'complete']);
    expect(result).toMatchObject({ user: 'alice', fingerprint: alice.fingerprint });
    const session = await fetch(`${t.url}/v1/session`, { headers: { cookie: result.cookie } });
    expect(await session.json()).toMatchObject({ user: 'alice', method: 'gpgauth', data: { fingerprint: alice.fingerprint } });
  });

  it('/auth/is-authenticated.json and /auth/logout follow the login session', async () => {
    const { cookie } = await login({ server: t.url, userKey: bob.privateKey });
    const before = await fetch(`${t.url}/auth/is-authenticated.json`, { headers: { cookie } });
    expect(before.status).toBe(200);
    expectBaseHeaders(before);
    const out = await fetch(`${t.url}/auth/logout`, { headers: { cookie } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^authbridge_session=; Path=\/; Max-Age=0;/);
    expect((await fetch(`${t.url}/auth/is-authenticated.json`, { headers: { cookie } })).status).toBe(403);
    expect((await fetch(`${t.url}/v1/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('stage 0: echoes a well-formed nonce with the §8 row, on both paths and in every body shape', async () => {
    for (const path of ['/auth/verify.json', '/auth/login.json']) {
      const { nonce } = newNonce();
      const token = await encryptTo(serverArmored(), nonce);
      const bodies = [
        { type: 'application/json', body: JSON.stringify({ gpg_auth: { keyid: alice.fingerprint.toLowerCase(), server_verify_token: token, user_token_result: 'ignored' } }) },
        { type: 'application/json', body: JSON.stringify({ data: { gpg_auth: { keyid: alice.fingerprint, server_verify_token: token } } }) },
        { type: 'application/x-www-form-urlencoded', body: new URLSearchParams({ 'data[gpg_auth][keyid]': alice.fingerprint, 'data[gpg_auth][server_verify_token]': token }).toString() },
      ];
      for (const { type, body } of bodies) {
        const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
        expect(res.status).toBe(200);
        expectRow(res, { authenticated: 'false', progress: 'stage0', userAuthToken: false, verifyResponse: true, refer: false });
        expect(res.headers.get('X-GPGAuth-Verify-Response')).toBe(nonce);
        expect(res.headers.has('X-GPGAuth-Error')).toBe(false);
      }
    }
  });

  it('stage 0 does not reveal whether a key belongs to a user', async () => {
    const { nonce } = newNonce();
    const res = await postStage(t.url, { keyid: stranger.fingerprint, server_verify_token: await encryptTo(serverArmored(), nonce) });
    expect(res.status).toBe(200);
    expect(res.headers.get('X-GPGAuth-Verify-Response')).toBe(nonce);
  });

  it('stage 0 failures: 400 for non-armored input, 200 + Error for undecryptable or malformed, indistinguishable (GPG-5)', async () => {
    const notArmored = await postStage(t.url, { keyid: alice.fingerprint, server_verify_token: 'hello' });
    expect(notArmored.status).toBe(400);
    expect(notArmored.headers.get('X-GPGAuth-Error')).toBe('true');
    const answers = [];
    for (const token of [
      await encryptTo(alice.publicArmored, formatNonce(crypto.randomUUID())),
      await encryptTo(serverArmored(), 'secret plaintext the server must not echo'),
      await encryptTo(serverArmored(), `gpgauthv1.3.0|32|${crypto.randomUUID()}|gpgauthv1.3.0`),
      '-----BEGIN PGP MESSAGE-----\n\nbm90IGEgbWVzc2FnZQ==\n-----END PGP MESSAGE-----\n',
    ]) {
      const res = await postStage(t.url, { keyid: alice.fingerprint, server_verify_token: token });
      expect(res.status).toBe(200);
      expect(res.headers.has('X-GPGAuth-Verify-Response')).toBe(false);
      answers.push([res.headers.get('X-GPGAuth-Error'), res.headers.get('X-GPGAuth-Debug'), res.headers.get('X-GPGAuth-Progress'), ((await res.json()) as { header: { message: string } }).header.message]);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]?.[0]).toBe('true');
    expect(answers[0]?.[1]).toBeNull();
    expect(answers[0]?.[2]).toBe('stage0');
  });

  it('stage 1: the §8 row and a PHP-encoded token encrypted to the user and signed by the server (GPG-6)', async () => {
    const res = await postStage(t.url, { keyid: alice.fingerprint });
    expect(res.status).toBe(200);
    expectRow(res, { authenticated: 'false', progress: 'stage1', userAuthToken: true, verifyResponse: false, refer: false });
    const header = res.headers.get('X-GPGAuth-User-Auth-Token') ?? '';
    expect(header.startsWith('-----BEGIN\\+PGP\\+MESSAGE-----%0A')).toBe(true);
    const { data, signatures } = await decrypt({
      message: await readMessage({ armoredMessage: decodeUserAuthToken(header) }),
      decryptionKeys: alice.privateKey,
      verificationKeys: t.server.privateKey.toPublic(),
      expectSigned: true,
      format: 'utf8',
    });
    expect(data).toMatch(/^gpgauthv1\.3\.0\|36\|[0-9a-f-]{36}\|gpgauthv1\.3\.0$/);
    expect(await signatures[0]?.verified).toBe(true);
  });

  it('stage 2: complete row with Refer and a rotated session cookie; failure row on replay (GPG-7, GPG-8)', async () => {
    const token = await stage1Token(alice);
    const old = `authbridge_session=${t.daemon.sessions.create({ user: 'alice', method: 'gpgauth' }).id}`;
    const ok = await postStage(t.url, { keyid: alice.fingerprint, user_token_result: token }, { cookie: old });
    expect(ok.status).toBe(200);
    expectRow(ok, { authenticated: 'true', progress: 'complete', userAuthToken: false, verifyResponse: false, refer: true });
    expect(await ok.json()).toMatchObject({ header: { status: 'success' }, body: { user: 'alice', fingerprint: alice.fingerprint } });
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^authbridge_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    expect((await fetch(`${t.url}/v1/session`, { headers: { cookie: old } })).status).toBe(401);

    const replay = await postStage(t.url, { keyid: alice.fingerprint, user_token_result: token });
    expect(replay.status).toBe(400);
    expectRow(replay, { authenticated: 'false', progress: 'stage2', userAuthToken: false, verifyResponse: false, refer: false });
    expect(replay.headers.get('X-GPGAuth-Error')).toBe('true');
    expect(replay.headers.has('set-cookie')).toBe(false);
  });

  it('stage 2 refuses malformed results, unknown tokens and another user\'s token', async () => {
    const bobsToken = await stage1Token(bob);
    for (const result of ['', 'nonsense', formatNonce(crypto.randomUUID()), bobsToken]) {
      const res = await postStage(t.url, { keyid: alice.fingerprint, user_token_result: result });
      expect(res.status).toBe(400);
      expect(res.headers.get('X-GPGAuth-Progress')).toBe('stage2');
    }
    expect((await completeLogin(t.url, bob.fingerprint, bobsToken)).user).toBe('bob');
  });

  it('an expired token fails (injected clock)', async () => {
    const token = await stage1Token(alice);
    clock.advance(300_000);
    const res = await postStage(t.url, { keyid: alice.fingerprint, user_token_result: token });
    expect(res.status).toBe(400);
    expect(res.headers.get('X-GPGAuth-Progress')).toBe('stage2');
  });

  it('a key that expired after its import is refused at stage 1 like an unknown key', async () => {
    const created = new Date(clock.now() - 3 * 86_400_000);
    const { publicKey } = await generateKey({ type: 'ecc', userIDs: [{ name: 'erin' }], date: created, keyExpirationTime: 86_400, format: 'armored' });
    const fingerprint = (await readKey({ armoredKey: publicKey })).getFingerprint().toUpperCase();
    // Imported while it was valid: stored directly, as `gpg import` did then.
    t.daemon.store.gpgKeys.add(t.daemon.store.users.add({ username: 'erin' }).id, fingerprint, publicKey);
    const res = await postStage(t.url, { keyid: fingerprint });
    expect(res.status).toBe(400);
    expect(res.headers.get('X-GPGAuth-Debug')).toBe(NO_USER);
    expect(res.headers.has('X-GPGAuth-User-Auth-Token')).toBe(false);
  });

  it('two concurrent stage-2 posts with one token: exactly one wins', async () => {
    const token = await stage1Token(alice);
    const answers = await Promise.all(Array.from({ length: 4 }, () => postStage(t.url, { keyid: alice.fingerprint, user_token_result: token })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400, 400, 400]);
  });

  it('keeps at most max_active_tokens live tokens per user', async () => {
    const tokens = [];
    for (let i = 0; i < 4; i++) tokens.push(await stage1Token(bob));
    expect((await postStage(t.url, { keyid: bob.fingerprint, user_token_result: tokens[0] ?? '' })).status).toBe(400);
    expect((await postStage(t.url, { keyid: bob.fingerprint, user_token_result: tokens[3] ?? '' })).status).toBe(200);
  });

  it('unknown, malformed, revoked and disabled keys get one identical 400 (GPG-3)', async () => {
    const carol = await makeKeyPair('carol');
    const dave = await makeKeyPair('dave');
    await t.addUser('carol', carol);
    await t.addUser('dave', dave);
    t.daemon.store.gpgKeys.revoke(carol.fingerprint);
    t.daemon.store.users.setDisabled('dave', true);
    const answers = [];
    for (const keyid of [stranger.fingerprint, carol.fingerprint, dave.fingerprint, 'ABCDEF0123456789', '']) {
      for (const extra of [{}, { user_token_result: formatNonce(crypto.randomUUID()) }]) {
        const res = await postStage(t.url, { keyid, ...extra });
        expect(res.status).toBe(400);
        expectBaseHeaders(res);
        answers.push(JSON.stringify([res.headers.get('X-GPGAuth-Error'), res.headers.get('X-GPGAuth-Progress'), res.headers.get('X-GPGAuth-Authenticated'), res.headers.get('X-GPGAuth-Debug')]));
      }
    }
    expect(new Set(answers)).toEqual(new Set([JSON.stringify(['true', 'stage0', 'false', NO_USER])]));
  });

  it('answers 409 to a browser already logged in by another method', async () => {
    const cookie = `authbridge_session=${t.daemon.sessions.create({ user: 'alice', method: 'kerberos' }).id}`;
    const res = await postStage(t.url, { keyid: alice.fingerprint }, { cookie });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: 'ERR_ALREADY_AUTHENTICATED' });
  });

  it('answers bad bodies with 4xx, never 500', async () => {
    for (const body of ['{"gpg_auth":', '[1,2]', '{"gpg_auth":{"keyid":["x"],"server_verify_token":{"a":1}}}', '{"gpg_auth":{"keyid":"' + alice.fingerprint + '","server_verify_token":["-----BEGIN PGP MESSAGE-----"]}}']) {
      const res = await fetch(`${t.url}/auth/login.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('purges expired tokens on the schedule', async () => {
    await stage1Token(alice);
    clock.advance(600_000);
    expect(t.daemon.store.purge(clock.now())).toBeGreaterThan(0);
    expect(t.daemon.store.db.prepare('SELECT COUNT(*) AS n FROM gpg_tokens').get()).toEqual({ n: 0 });
  });
});

describe('gpgAuth client against a hostile server', () => {
  it('refuses a stage-1 compression bomb instead of inflating it', async () => {
    const [server, user] = await Promise.all([makeKeyPair('evil'), makeKeyPair('victim')]);
    const bomb = await encrypt({
      message: await createMessage({ text: formatNonce(crypto.randomUUID()) + ' '.repeat(1_000_000) }),
      encryptionKeys: user.privateKey.toPublic(),
      signingKeys: server.privateKey,
      config: { preferredCompressionAlgorithm: enums.compression.zlib },
    });
    const http = createServer((_req, res) => {
      res.writeHead(200, { 'X-GPGAuth-Version': '1.3.0', 'X-GPGAuth-Progress': 'stage1', 'X-GPGAuth-Authenticated': 'false', 'X-GPGAuth-User-Auth-Token': encodeUserAuthToken(bomb) });
      res.end('{}');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = http.address() as AddressInfo;
      await expect(requestUserToken(`http://127.0.0.1:${port}`, user.fingerprint, server.privateKey.toPublic(), user.privateKey)).rejects.toThrow(/Maximum decompressed message size exceeded/);
    } finally {
      http.close();
    }
  });
});

describe('gpgAuth brute-force regulation (GPG-3)', () => {
  it('bans the key and the address after repeated failures, with Retry-After', async () => {
    const t = await startGpgAuthDaemon('[regulation]\nmax_retries = 3\nfind_time = 60\nban_time = 120');
    try {
      const alice = await makeKeyPair('alice');
      await t.addUser('alice', alice);
      for (let i = 0; i < 3; i++) expect((await postStage(t.url, { keyid: alice.fingerprint, user_token_result: 'x' })).status).toBe(400);
      const banned = await postStage(t.url, { keyid: alice.fingerprint });
      expect(banned.status).toBe(429);
      expect(Number(banned.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(banned.headers.get('X-GPGAuth-Version')).toBe('1.3.0');
      // The address is banned too: another key from it is refused.
      expect((await postStage(t.url, { keyid: 'A'.repeat(40) })).status).toBe(429);
    } finally {
      await t.stop();
    }
  });

  it('counts the key and the address separately (clients behind a trusted proxy)', async () => {
    const t = await startGpgAuthDaemon('[http]\nlisten = "127.0.0.1:0"\ntrusted_proxies = ["127.0.0.1/32"]\n[regulation]\nmax_retries = 3\nfind_time = 60\nban_time = 120');
    const from = (ip: string, fields: Record<string, string>) =>
      fetch(`${t.url}/auth/login.json`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ gpg_auth: fields }) });
    try {
      const alice = await makeKeyPair('alice');
      const bob = await makeKeyPair('bob');
      await t.addUser('alice', alice);
      await t.addUser('bob', bob);
      // One key attacked from many addresses: the key is banned, even from a fresh address.
      for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) expect((await from(ip, { keyid: alice.fingerprint, user_token_result: 'x' })).status).toBe(400);
      const keyBanned = await from('192.0.2.9', { keyid: alice.fingerprint });
      expect(keyBanned.status).toBe(429);
      expect(Number(keyBanned.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await from('192.0.2.9', { keyid: bob.fingerprint })).status).toBe(200);
      // One address trying many keys (enumeration): the address is banned, for every key.
      for (let i = 0; i < 3; i++) expect((await from('198.51.100.7', { keyid: `${i}`.repeat(40) })).status).toBe(400);
      const ipBanned = await from('198.51.100.7', { keyid: bob.fingerprint });
      expect(ipBanned.status).toBe(429);
      expect(Number(ipBanned.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await from('198.51.100.8', { keyid: bob.fingerprint })).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});

describe('gpgAuth per-address limit on the key operations of stages 0 and 1', () => {
  it('answers 429 with Retry-After past crypto_requests_per_ip_per_minute, per address, for a sliding minute; stage 2 is not counted', async () => {
    const clock = new ManualClock(Date.now());
    const t = await startGpgAuthDaemon(
      '[http]\nlisten = "127.0.0.1:0"\ntrusted_proxies = ["127.0.0.1/32"]\n[gpgauth]\ncrypto_requests_per_ip_per_minute = 2\n',
      { clock },
    );
    const from = (ip: string, fields: Record<string, string>) =>
      fetch(`${t.url}/auth/login.json`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ gpg_auth: fields }) });
    try {
      const alice = await makeKeyPair('alice');
      await t.addUser('alice', alice);
      const token = (await encrypt({ message: await createMessage({ text: formatNonce(newNonce()) }), encryptionKeys: await readKey({ armoredKey: t.server.publicArmored }) })) as string;
      expect((await from('192.0.2.1', { keyid: alice.fingerprint, server_verify_token: token })).status).toBe(200);
      clock.advance(10_000);
      expect((await from('192.0.2.1', { keyid: alice.fingerprint })).status).toBe(200);
      const refused = await from('192.0.2.1', { keyid: alice.fingerprint });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('50');
      expect(refused.headers.get('X-GPGAuth-Version')).toBe('1.3.0');
      expect(await refused.json()).toMatchObject({ error: 'ERR_RATE_LIMITED' });
      // Stage 2 does no private-key work: a wrong answer is a failure (400), not rate-limited.
      expect((await from('192.0.2.1', { keyid: alice.fingerprint, user_token_result: 'x' })).status).toBe(400);
      expect((await from('192.0.2.2', { keyid: alice.fingerprint })).status).toBe(200);
      clock.advance(50_001);
      expect((await from('192.0.2.1', { keyid: alice.fingerprint })).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});

describe('gpgAuth configuration (GPG-9)', () => {
  it('without a server key: 503 on its routes, the daemon stays ready', async () => {
    const t = await startTestDaemon();
    try {
      const res = await fetch(`${t.url}/auth/verify.json`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'ERR_NOT_READY' });
      expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  it('a wrong passphrase or a non-key file fails the start-up with a configuration error', async () => {
    const key = await makeKeyPair('srv', 'right');
    await expect(startGpgAuthDaemon('', {}, { armored: key.privateArmored, passphrase: 'wrong' })).rejects.toThrow(ConfigError);
    await expect(startGpgAuthDaemon('', {}, { armored: key.privateArmored })).rejects.toThrow(/gpgauth.passphrase/);
    await expect(startGpgAuthDaemon('', {}, { armored: 'not a key', passphrase: 'x' })).rejects.toThrow(/gpgauth.server_key_file/);
  });

  it('an unprotected server key needs no passphrase', async () => {
    const key = await makeKeyPair('srv');
    const t = await startGpgAuthDaemon('', {}, { armored: key.privateArmored });
    try {
      expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});

describe('gpgAuth debug mode (GPG-3, GPG-5)', () => {
  it('explains failures in X-GPGAuth-Debug, after the configured unknown-key wording', async () => {
    const t = await startGpgAuthDaemon('[gpgauth]\ndebug = true\nunknown_key_message = "No such key."');
    try {
      const alice = await makeKeyPair('alice');
      await t.addUser('alice', alice);
      const unknown = await postStage(t.url, { keyid: 'A'.repeat(40) });
      expect(unknown.headers.get('X-GPGAuth-Debug')).toBe('No such key. The key is unknown, revoked or its user disabled.');
      const serverPublic = t.server.privateKey.toPublic().armor();
      const badFormat = await postStage(t.url, { keyid: alice.fingerprint, server_verify_token: await encryptTo(serverPublic, 'hello') });
      expect(badFormat.headers.get('X-GPGAuth-Debug')).toBe('The server verify token is not a valid nonce.');
      const undecryptable = await postStage(t.url, { keyid: alice.fingerprint, server_verify_token: await encryptTo(alice.publicArmored, 'hello') });
      expect(undecryptable.headers.get('X-GPGAuth-Debug')).toBe('The server verify token could not be decrypted.');
      const stage2 = await postStage(t.url, { keyid: alice.fingerprint, user_token_result: 'x' });
      expect(stage2.headers.get('X-GPGAuth-Debug')).toBe('The user token result should be a valid nonce.');
      // A compression bomb is refused while inflating, not decompressed to the end (~1 KB of armor, 1 MB inside).
      const bomb = await encrypt({
        message: await createMessage({ text: formatNonce(crypto.randomUUID()) + ' '.repeat(1_000_000) }),
        encryptionKeys: t.server.privateKey.toPublic(),
        config: { preferredCompressionAlgorithm: enums.compression.zlib },
      });
      expect(bomb.length).toBeLessThan(16_384);
      const bombed = await postStage(t.url, { keyid: alice.fingerprint, server_verify_token: bomb });
      expect(bombed.status).toBe(200);
      expect(bombed.headers.get('X-GPGAuth-Debug')).toBe('The server verify token could not be decrypted.');
      // Every session-key packet naming the server key costs a private-key operation: at most 4.
      const serverPublicKey = t.server.privateKey.toPublic();
      const nonce = formatNonce(crypto.randomUUID());
      const toServer = async (copies: number) => encrypt({ message: await createMessage({ text: nonce }), encryptionKeys: Array.from({ length: copies }, () => serverPublicKey) });
      expect((await postStage(t.url, { keyid: alice.fingerprint, server_verify_token: await toServer(4) })).headers.get('X-GPGAuth-Verify-Response')).toBe(nonce);
      const many = await postStage(t.url, { keyid: alice.fingerprint, server_verify_token: await toServer(5) });
      expect(many.headers.get('X-GPGAuth-Debug')).toBe('The server verify token could not be decrypted.');
      // An armored token far beyond any real one is invalid input.
      const huge = `-----BEGIN PGP MESSAGE-----\n\n${'A'.repeat(20_000)}\n-----END PGP MESSAGE-----\n`;
      const oversized = await postStage(t.url, { keyid: alice.fingerprint, server_verify_token: huge });
      expect(oversized.status).toBe(400);
      expect(oversized.headers.get('X-GPGAuth-Debug')).toBe('The server verify token is missing or invalid.');
    } finally {
      await t.stop();
    }
  });
});
