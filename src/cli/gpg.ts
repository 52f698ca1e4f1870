import { readFileSync } from 'node:fs';
import { decryptKey, readPrivateKey, type PrivateKey } from 'openpgp';
import { login } from '../methods/gpgauth/client.js';
import { inspectUserKey, KeyRefusedError } from '../methods/gpgauth/keys.js';
import { GpgKeyExistsError } from '../store/gpg-keys.js';
import { configOption, isoOrDash, parse, printTable, UsageError, withStore, type CommandGroup } from './command.js';

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file === '-' ? 'stdin' : file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** The user's private key, unlocked; KeyRefusedError when it is not one or does not unlock. */
async function unlock(file: string, passphraseFile: string | undefined): Promise<PrivateKey> {
  const armored = readInput(file);
  let key: PrivateKey;
  try {
    key = await readPrivateKey({ armoredKey: armored });
  } catch (err) {
    throw new KeyRefusedError(`${file} is not an armored OpenPGP private key (${(err as Error).message})`);
  }
  if (key.isDecrypted()) return key;
  if (passphraseFile === undefined) throw new UsageError('the key is protected: give --passphrase-file');
  const passphrase = readInput(passphraseFile).replace(/\r?\n$/, '');
  try {
    return await decryptKey({ privateKey: key, passphrase });
  } catch (err) {
    throw new KeyRefusedError(`the passphrase does not unlock ${key.getFingerprint().toUpperCase()} (${(err as Error).message})`);
  }
}

export const gpgCommand: CommandGroup = {
  name: 'gpg',
  summary: 'manage users\' gpgAuth keys; log in as a gpgAuth client',
  usage: `authbridge gpg import USERNAME FILE|- [--config FILE]
authbridge gpg list [--config FILE]
authbridge gpg revoke FINGERPRINT [--config FILE]
authbridge gpg login --server URL --key FILE [--passphrase-file F] [--server-fingerprint FPR]

  import  attaches an armored v4 public key (gpg --armor --export) to USERNAME,
          creating the user if needed; revoked, expired or v6 keys and keys
          without a usable encryption subkey are refused.
  list    shows every key with its user and state.
  revoke  stops a key from logging in (kept for the record).
  login   runs the gpgAuth 1.3.0 handshake against a server with an armored
          private key (- reads it from stdin), printing each stage; without
          --server-fingerprint the server's key is trusted as served.`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...configOption,
      server: { type: 'string' },
      key: { type: 'string' },
      'passphrase-file': { type: 'string' },
      'server-fingerprint': { type: 'string' },
    });
    const [verb, ...args] = positionals;
    switch (verb) {
      case 'import': {
        const [username, file, ...rest] = args;
        if (!username || !file || rest.length > 0) throw new UsageError('expected: gpg import USERNAME FILE|-');
        let info;
        try {
          info = await inspectUserKey(readInput(file), new Date());
        } catch (err) {
          if (!(err instanceof KeyRefusedError)) throw err;
          console.error(`error: key refused: ${err.message}`);
          return 1;
        }
        return withStore(values.config, (store) => {
          const user = store.users.findByUsername(username) ?? store.users.add({ username });
          try {
            store.gpgKeys.add(user.id, info.fingerprint, info.armored);
          } catch (err) {
            if (!(err instanceof GpgKeyExistsError)) throw err;
            console.error(`error: ${err.message}`);
            return 1;
          }
          console.log(`imported ${info.fingerprint} (${info.userIds.join(', ')}) for ${username}`);
          return 0;
        });
      }
      case 'list':
        if (args.length > 0) throw new UsageError('expected: gpg list');
        return withStore(values.config, (store) => {
          printTable(
            ['fingerprint', 'user', 'imported', 'revoked'],
            store.gpgKeys.list().map((k) => [k.fingerprint, k.username + (k.userDisabled ? ' (disabled)' : ''), isoOrDash(k.createdAt), isoOrDash(k.revokedAt)]),
          );
          return 0;
        });
      case 'revoke': {
        const [fingerprint, ...rest] = args;
        if (!fingerprint || rest.length > 0) throw new UsageError('expected: gpg revoke FINGERPRINT');
        return withStore(values.config, (store) => {
          if (!store.gpgKeys.revoke(fingerprint.toUpperCase())) {
            console.error(`error: no active key ${fingerprint}`);
            return 1;
          }
          console.log(`revoked ${fingerprint.toUpperCase()}`);
          return 0;
        });
      }
      case 'login': {
        if (!values.server || !values.key || args.length > 0) throw new UsageError('expected: gpg login --server URL --key FILE');
        let userKey: PrivateKey;
        try {
          userKey = await unlock(values.key, values['passphrase-file']);
        } catch (err) {
          if (!(err instanceof KeyRefusedError)) throw err;
          console.error(`error: ${err.message}`);
          return 1;
        }
        try {
          const result = await login({
            server: values.server,
            userKey,
            ...(values['server-fingerprint'] ? { serverFingerprint: values['server-fingerprint'] } : {}),
            onStage: (stage, detail) => console.log(`${stage}: ${detail}`),
          });
          console.log(`session cookie: ${result.cookie}`);
          return 0;
        } catch (err) {
          console.error(`error: login failed: ${(err as Error).message}`);
          return 1;
        }
      }
      default:
        throw new UsageError('expected: gpg import | list | revoke | login');
    }
  },
};
