import { readKey, type Key } from 'openpgp';

/** A user key that cannot be used for gpgAuth, with a message for the operator. */
export class KeyRefusedError extends Error {}

export interface UserKeyInfo {
  key: Key;
  /** Upper-case v4 fingerprint, as passbolt compares it. */
  fingerprint: string;
  armored: string;
  userIds: string[];
}

/**
 * Checks an armored public key for gpgAuth (GPG-9): v4 only, not revoked, not
 * expired, with a usable encryption (sub)key under the library's default policy.
 */
export async function inspectUserKey(armored: string, now: Date): Promise<UserKeyInfo> {
  let key: Key;
  try {
    key = await readKey({ armoredKey: armored });
  } catch (err) {
    throw new KeyRefusedError(`not an armored OpenPGP public key (${(err as Error).message})`);
  }
  if (key.isPrivate()) throw new KeyRefusedError('this is a private key: import the public key only (gpg --armor --export)');
  const fingerprint = key.getFingerprint().toUpperCase();
  if (key.keyPacket.version !== 4) throw new KeyRefusedError(`key ${fingerprint} is a v${key.keyPacket.version} key: only v4 keys interoperate with GnuPG 2.2 and passbolt`);
  if (await key.isRevoked(undefined, undefined, now)) throw new KeyRefusedError(`key ${fingerprint} is revoked`);
  const expiry = await key.getExpirationTime();
  if (expiry instanceof Date && expiry.getTime() <= now.getTime()) throw new KeyRefusedError(`key ${fingerprint} expired on ${expiry.toISOString()}`);
  try {
    await key.getEncryptionKey(undefined, now);
  } catch (err) {
    throw new KeyRefusedError(`key ${fingerprint} has no usable encryption subkey (${(err as Error).message})`);
  }
  return { key, fingerprint, armored: key.armor(), userIds: key.getUserIDs() };
}
