import { createMessage, decrypt, encrypt, readKey, readMessage, type Key, type PrivateKey } from 'openpgp';
import { decodeUserAuthToken } from './encoding.js';
import { newNonce, NONCE_DECRYPT_CONFIG, parseNonce } from './nonce.js';

/**
 * A gpgAuth client for TypeScript callers and `authbridge gpg login` (spec/gpgauth.md §5–§7).
 * Published as `authbridge/gpgauth-client` (package.json "exports", with type declarations).
 */

export { decodeUserAuthToken } from './encoding.js';

export class GpgAuthClientError extends Error {}

export interface ServerIdentity {
  fingerprint: string;
  key: Key;
}

const post = (server: string, fields: Record<string, string>, cookie?: string) =>
  fetch(new URL('/auth/login.json', server), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ gpg_auth: fields }),
  });

/** §8: the old passbolt client's strict checks. */
function expectStage(res: Response, progress: string, authenticated: 'true' | 'false'): void {
  const h = (name: string) => res.headers.get(name);
  if (res.status !== 200 || h('X-GPGAuth-Error') !== null) throw new GpgAuthClientError(`server answered ${res.status}${h('X-GPGAuth-Debug') ? `: ${h('X-GPGAuth-Debug')}` : ''}`);
  if (h('X-GPGAuth-Version') !== '1.3.0') throw new GpgAuthClientError(`X-GPGAuth-Version is ${h('X-GPGAuth-Version')}, expected 1.3.0`);
  if (h('X-GPGAuth-Progress') !== progress || h('X-GPGAuth-Authenticated') !== authenticated) {
    throw new GpgAuthClientError(`expected progress ${progress}, got ${h('X-GPGAuth-Progress')} (authenticated ${h('X-GPGAuth-Authenticated')})`);
  }
}

/** GET /auth/verify.json: the server's key (trust on first use unless `pinned` is given). */
export async function fetchServerKey(server: string, pinnedFingerprint?: string): Promise<ServerIdentity> {
  const res = await fetch(new URL('/auth/verify.json', server), { headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new GpgAuthClientError(`GET /auth/verify.json answered ${res.status}`);
  const { body } = (await res.json()) as { body?: { fingerprint?: string; keydata?: string } };
  const key = await readKey({ armoredKey: body?.keydata ?? '' });
  const fingerprint = key.getFingerprint().toUpperCase();
  if (fingerprint !== body?.fingerprint?.toUpperCase()) throw new GpgAuthClientError('the served key does not match the served fingerprint');
  if (pinnedFingerprint !== undefined && fingerprint !== pinnedFingerprint.toUpperCase()) throw new GpgAuthClientError(`server key ${fingerprint} is not the expected ${pinnedFingerprint}`);
  return { fingerprint, key };
}

/** Stage 0: the server must decrypt our nonce and echo it back. */
export async function verifyServer(server: string, userFingerprint: string, serverKey: Key, userKey: PrivateKey): Promise<void> {
  const { nonce } = newNonce();
  const token = await encrypt({ message: await createMessage({ text: nonce }), encryptionKeys: serverKey, signingKeys: userKey });
  const res = await post(server, { keyid: userFingerprint, server_verify_token: token });
  expectStage(res, 'stage0', 'false');
  if (res.headers.get('X-GPGAuth-Verify-Response') !== nonce) throw new GpgAuthClientError('the server could not prove it holds its key');
}

/** Stage 1: fetch, decrypt and check the user token (signature and format, else we are a decryption oracle). */
export async function requestUserToken(server: string, userFingerprint: string, serverKey: Key, userKey: PrivateKey): Promise<string> {
  const res = await post(server, { keyid: userFingerprint });
  expectStage(res, 'stage1', 'false');
  const header = res.headers.get('X-GPGAuth-User-Auth-Token');
  if (!header) throw new GpgAuthClientError('no X-GPGAuth-User-Auth-Token');
  const message = await readMessage({ armoredMessage: decodeUserAuthToken(header) });
  const { data } = await decrypt({ message, decryptionKeys: userKey, verificationKeys: serverKey, expectSigned: true, format: 'utf8', config: NONCE_DECRYPT_CONFIG });
  if (typeof data !== 'string' || parseNonce(data) === undefined) throw new GpgAuthClientError('the user token is not a gpgAuth 1.3.0 nonce');
  return data;
}

/** Stage 2: send the token back; returns the session cookie and the server's answer. */
export async function completeLogin(server: string, userFingerprint: string, userToken: string): Promise<{ cookie: string; user: string; fingerprint: string }> {
  const res = await post(server, { keyid: userFingerprint, user_token_result: userToken });
  expectStage(res, 'complete', 'true');
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { body } = (await res.json()) as { body: { user: string; fingerprint: string } };
  return { cookie, user: body.user, fingerprint: body.fingerprint };
}

export type LoginStage = 'server-key' | 'stage0' | 'stage1' | 'complete';

/** The whole handshake; `onStage` hears each step as it succeeds. */
export async function login(options: {
  server: string;
  userKey: PrivateKey;
  serverFingerprint?: string;
  onStage?: (stage: LoginStage, detail: string) => void;
}): Promise<{ cookie: string; user: string; fingerprint: string }> {
  const { server, userKey, onStage } = options;
  const fingerprint = userKey.getFingerprint().toUpperCase();
  const serverId = await fetchServerKey(server, options.serverFingerprint);
  onStage?.('server-key', serverId.fingerprint);
  await verifyServer(server, fingerprint, serverId.key, userKey);
  onStage?.('stage0', 'the server decrypted our nonce');
  const token = await requestUserToken(server, fingerprint, serverId.key, userKey);
  onStage?.('stage1', 'user token decrypted, signature and format checked');
  const result = await completeLogin(server, fingerprint, token);
  onStage?.('complete', `logged in as ${result.user}`);
  return result;
}
