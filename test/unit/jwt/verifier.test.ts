import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { authorizationHeader, createToken } from '../../../src/methods/jwt/client.js';
import { JwksCache } from '../../../src/methods/jwt/jwks.js';
import { describeKey } from '../../../src/methods/jwt/keys.js';
import { TokenError, type TokenFailure } from '../../../src/methods/jwt/token.js';
import { JwtVerifier } from '../../../src/methods/jwt/verifier.js';
import { Store } from '../../../src/store/store.js';

const TIME = 1_700_000_000;

describe('JwtVerifier on a real SQLite store', () => {
  let dir: string;
  let store: Store;
  let clock: ManualClock;
  let verifier: JwtVerifier;
  let nonce = 0;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'authbridge-jwt-verifier-'));
    clock = new ManualClock(TIME * 1000);
    store = new Store(join(dir, 'db.sqlite'), clock);
    verifier = new JwtVerifier({
      keys: store.jwt,
      jwks: new JwksCache({ ttlMs: 300_000, refreshIntervalMs: 60_000, timeoutMs: 1000, maxBytes: 65536 }, clock, silentLogger()),
      clock,
      settings: { tolerance: 20, audience: undefined, requireBinding: false },
      decoys: Promise.resolve({ rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, ed25519: generateKeyPairSync('ed25519').publicKey }),
    });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const register = (username: string, privateKey: KeyObject) => {
    const user = store.users.findByUsername(username) ?? store.users.add({ username });
    const info = describeKey(privateKey);
    return store.jwt.addKey({ userId: user.id, fingerprint: info.fingerprint, keyType: info.type, publicKey: info.pem, comment: null });
  };
  const attempt = async (privateKey: KeyObject, username = 'guido'): Promise<TokenFailure | string> => {
    try {
      const header = authorizationHeader(createToken({ privateKey, username, time: TIME, nonce: `n${nonce++}` }));
      return (await verifier.verify(verifier.decode(header), {})).fingerprint;
    } catch (err) {
      if (err instanceof TokenError) return err.failure;
      throw err;
    }
  };

  it('tries every stored key of the user (JWT-6)', async () => {
    const keys = [generateKeyPairSync('ed25519').privateKey, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, generateKeyPairSync('ed25519').privateKey];
    const rows = keys.map((key) => register('guido', key));
    for (const [i, key] of keys.entries()) expect(await attempt(key)).toBe(rows[i]?.fingerprint);
  });

  it('a revoked key stops working at once, even when SQLite reuses its row id', async () => {
    const old = generateKeyPairSync('ed25519').privateKey;
    const replacement = generateKeyPairSync('ed25519').privateKey;
    const first = register('guido', old);
    expect(await attempt(old)).toBe(first.fingerprint);
    expect(store.jwt.revokeKey(first.fingerprint)).toBe(true);
    const second = register('guido', replacement);
    expect(second.id).toBe(first.id);
    expect(await attempt(old)).toBe('signature');
    expect(await attempt(replacement)).toBe(second.fingerprint);
  });

  it('skips a stored key that does not parse instead of failing the user (JWT-9)', async () => {
    const good = generateKeyPairSync('ed25519').privateKey;
    const user = store.users.add({ username: 'guido' });
    store.jwt.addKey({ userId: user.id, fingerprint: 'broken', keyType: 'ed25519', publicKey: 'not a key', comment: null });
    const row = register('guido', good);
    expect(await attempt(good)).toBe(row.fingerprint);
  });

  it('refuses unknown and disabled users after the same signature work', async () => {
    const key = generateKeyPairSync('ed25519').privateKey;
    register('guido', key);
    expect(await attempt(key, 'nobody')).toBe('unknown_user');
    store.users.setDisabled('guido', true);
    expect(await attempt(key)).toBe('unknown_user');
  });

  it('does a signature verification against a decoy key whenever no real key of the token type is tried (JWT-10)', async () => {
    const decoyKeys = { rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, ed25519: generateKeyPairSync('ed25519').publicKey };
    let decoyUses = 0;
    // A thenable: every `await` of it is one use of a decoy key.
    const decoys = { then: (resolve: (keys: typeof decoyKeys) => void) => { decoyUses++; resolve(decoyKeys); } } as unknown as Promise<typeof decoyKeys>;
    const counting = new JwtVerifier({ keys: store.jwt, jwks: new JwksCache({ ttlMs: 1, refreshIntervalMs: 1, timeoutMs: 1000, maxBytes: 1 }, clock, silentLogger()), clock, settings: { tolerance: 20, audience: undefined, requireBinding: false }, decoys });
    const key = generateKeyPairSync('ed25519').privateKey;
    register('guido', key);
    store.users.add({ username: 'keyless' });
    const uses = async (username: string, privateKey: KeyObject) => {
      const before = decoyUses;
      const header = authorizationHeader(createToken({ privateKey, username, time: TIME, nonce: `d${nonce++}` }));
      await counting.verify(counting.decode(header), {}).catch((err: unknown) => {
        if (!(err instanceof TokenError)) throw err;
      });
      return decoyUses - before;
    };
    expect(await uses('nobody', key)).toBe(1);
    expect(await uses('keyless', key)).toBe(1);
    expect(await uses('guido', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)).toBe(1);
    expect(await uses('guido', generateKeyPairSync('ed25519').privateKey)).toBe(0);
    expect(await uses('guido', key)).toBe(0);
  });

  it('stamps last_used_on, at most once per second per key', async () => {
    const key = generateKeyPairSync('ed25519').privateKey;
    const row = register('guido', key);
    expect(store.jwt.findKey(row.fingerprint)?.lastUsedOn).toBeNull();
    await attempt(key);
    expect(store.jwt.findKey(row.fingerprint)?.lastUsedOn).toBe(clock.now());
    clock.advance(999);
    await attempt(key);
    expect(store.jwt.findKey(row.fingerprint)?.lastUsedOn).toBe(TIME * 1000);
    clock.advance(1);
    await attempt(key);
    expect(store.jwt.findKey(row.fingerprint)?.lastUsedOn).toBe(clock.now());
  });

  it('records the nonce only for a verified token, so forged copies cannot burn it', async () => {
    const key = generateKeyPairSync('ed25519').privateKey;
    register('guido', key);
    const forger = generateKeyPairSync('ed25519').privateKey;
    const forged = authorizationHeader(createToken({ privateKey: forger, username: 'guido', time: TIME, nonce: 'shared' }));
    await expect(verifier.verify(verifier.decode(forged), {})).rejects.toMatchObject({ failure: 'signature' });
    const real = authorizationHeader(createToken({ privateKey: key, username: 'guido', time: TIME, nonce: 'shared' }));
    await expect(verifier.verify(verifier.decode(real), {})).resolves.toMatchObject({ username: 'guido' });
    await expect(verifier.verify(verifier.decode(real), {})).rejects.toMatchObject({ failure: 'replayed' });
  });
});
