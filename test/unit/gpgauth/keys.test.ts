import { describe, expect, it } from 'vitest';
import { generateKey, readPrivateKey, revokeKey } from 'openpgp';
import { inspectUserKey } from '../../../src/methods/gpgauth/keys.js';

const userIDs = [{ name: 'U', email: 'u@example.test' }];

describe('user key checks (GPG-9)', () => {
  it('accepts a v4 key with an encryption subkey, fingerprint upper-case', async () => {
    const { publicKey } = await generateKey({ type: 'ecc', userIDs, format: 'armored' });
    const info = await inspectUserKey(publicKey, new Date());
    expect(info.fingerprint).toMatch(/^[0-9A-F]{40}$/);
  });

  it('refuses a v6 key', async () => {
    const { publicKey } = await generateKey({ type: 'curve25519', userIDs, format: 'armored', config: { v6Keys: true } });
    await expect(inspectUserKey(publicKey, new Date())).rejects.toThrow(/v6 key/);
  });

  it('refuses a revoked key', async () => {
    const { privateKey } = await generateKey({ type: 'ecc', userIDs, format: 'object' });
    const { publicKey } = await revokeKey({ key: privateKey, format: 'armored' });
    await expect(inspectUserKey(publicKey, new Date())).rejects.toThrow(/revoked/);
  });

  it('refuses an expired key', async () => {
    const created = new Date(Date.now() - 10 * 86_400_000);
    const { publicKey } = await generateKey({ type: 'ecc', userIDs, format: 'armored', date: created, keyExpirationTime: 86_400 });
    await expect(inspectUserKey(publicKey, new Date())).rejects.toThrow(/expired/);
  });

  it('refuses a key without an encryption subkey', async () => {
    const { privateKey } = await generateKey({ type: 'ecc', userIDs, format: 'object', subkeys: [{ sign: true }] });
    await expect(inspectUserKey(privateKey.toPublic().armor(), new Date())).rejects.toThrow(/no usable encryption subkey/);
  });

  it('refuses private keys and garbage', async () => {
    const { privateKey } = await generateKey({ type: 'ecc', userIDs, format: 'armored' });
    expect((await readPrivateKey({ armoredKey: privateKey })).isPrivate()).toBe(true);
    await expect(inspectUserKey(privateKey, new Date())).rejects.toThrow(/private key/);
    await expect(inspectUserKey('hello', new Date())).rejects.toThrow(/not an armored OpenPGP public key/);
  });
});
