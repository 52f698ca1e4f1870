import { readFileSync } from 'node:fs';
import { decryptKey, readPrivateKey, type PrivateKey } from 'openpgp';
import { ConfigError } from '../../errors.js';

export interface ServerKey {
  /** Unlocked once at start-up (GPG-9: unlocking costs 0.3–0.8 s). */
  privateKey: PrivateKey;
  fingerprint: string;
  /** Armored public key served by GET /auth/verify.json. */
  publicArmored: string;
}

/** Reads and unlocks the server key; every problem is a configuration error. */
export async function loadServerKey(file: string, passphrase: string | undefined): Promise<ServerKey> {
  let armored: string;
  try {
    armored = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`gpgauth.server_key_file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  let key: PrivateKey;
  try {
    key = await readPrivateKey({ armoredKey: armored });
  } catch (err) {
    throw new ConfigError([`gpgauth.server_key_file: ${file} is not an armored OpenPGP private key (${(err as Error).message})`]);
  }
  const fingerprint = key.getFingerprint().toUpperCase();
  if (key.keyPacket.version !== 4) throw new ConfigError([`gpgauth.server_key_file: ${fingerprint} is a v${key.keyPacket.version} key; only v4 keys interoperate`]);
  if (!key.isDecrypted()) {
    if (passphrase === undefined) throw new ConfigError(['gpgauth.passphrase: the server key is protected: set passphrase or passphrase_file']);
    try {
      key = await decryptKey({ privateKey: key, passphrase });
    } catch (err) {
      throw new ConfigError([`gpgauth.passphrase: does not unlock ${fingerprint} (${(err as Error).message})`]);
    }
  }
  try {
    await key.getDecryptionKeys();
    await key.getSigningKey();
  } catch (err) {
    throw new ConfigError([`gpgauth.server_key_file: ${fingerprint} cannot both decrypt and sign (${(err as Error).message})`]);
  }
  return { privateKey: key, fingerprint, publicArmored: key.toPublic().armor() };
}
