import { readFileSync } from 'node:fs';
import { createToken } from '../methods/jwt/client.js';
import { KeyParseError, parsePublicKey } from '../methods/jwt/keys.js';
import { KeyExistsError, TrustExistsError } from '../store/jwt.js';
import type { Store } from '../store/store.js';
import { configOption, isoOrDash, parse, printTable, UsageError, withStore, type CommandGroup } from './command.js';

const usage = `authbridge jwt key add USER FILE|- [--comment TEXT] [--config FILE]
authbridge jwt key list [USER] [--config FILE]
authbridge jwt key revoke FINGERPRINT [--config FILE]
authbridge jwt trust add USER URL [--config FILE]
authbridge jwt trust list [USER] [--config FILE]
authbridge jwt trust remove USER URL [--config FILE]
authbridge jwt token --key FILE --user USER [--time SECONDS] [--nonce NONCE]
                     [--audience AUD] [--method METHOD --url URL]

  key add registers a public key for USER, read from FILE or from stdin ("-"):
  PEM (SPKI "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY") or an OpenSSH line
  (ssh-ed25519 / ssh-rsa). RSA keys need at least 2048 bits. The fingerprint is
  the SHA-256 of the key's SPKI PEM, which clients send as the token's kid. An
  OpenSSH comment becomes the key's comment unless --comment is given.
  key revoke deletes a key by fingerprint.

  trust add makes USER's tokens verifiable by the keys of a JWKS URL (keys chosen
  by kid; see [jwt] jwks_* in the config).

  token prints a token signed with the private key in FILE (PEM, PKCS#8 or PKCS#1;
  RS512 for RSA, EdDSA for Ed25519), exactly as asymmetric_jwt_auth's client makes
  it. Send it as "Authorization: JWT <token>". --time defaults to now, --nonce to 8
  random bytes in base64url. --audience, --method and --url add the opt-in aud,
  htm and htu claims (servers built on PyJWT refuse aud). No config is read.`;

function readKeyText(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file === '-' ? 'stdin' : file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** A USER argument that names nobody is an error, not an empty listing. */
function reportUnknownUser(store: Store, username: string | undefined): boolean {
  if (username === undefined || store.users.findByUsername(username)) return false;
  console.error(`error: no user ${username}`);
  return true;
}

function keyCommand(store: Store, verb: string | undefined, args: string[], comment: string | undefined): number {
  switch (verb) {
    case 'add': {
      const [username, file, ...rest] = args;
      if (!username || !file || rest.length > 0) throw new UsageError('expected: jwt key add USER FILE|-');
      const user = store.users.findByUsername(username);
      if (!user) {
        console.error(`error: no user ${username} (add it with: authbridge user add ${username})`);
        return 1;
      }
      try {
        const parsed = parsePublicKey(readKeyText(file));
        const key = store.jwt.addKey({ userId: user.id, fingerprint: parsed.fingerprint, keyType: parsed.type, publicKey: parsed.pem, comment: comment ?? parsed.comment ?? null });
        console.log(`added ${key.keyType} key ${key.fingerprint} for ${username}`);
        return 0;
      } catch (err) {
        if (!(err instanceof KeyParseError) && !(err instanceof KeyExistsError)) throw err;
        console.error(`error: ${err.message}`);
        return 1;
      }
    }
    case 'list': {
      const [username, ...rest] = args;
      if (rest.length > 0) throw new UsageError('expected: jwt key list [USER]');
      if (reportUnknownUser(store, username)) return 1;
      printTable(
        ['user', 'fingerprint', 'type', 'comment', 'created_at', 'last_used_on'],
        store.jwt.listKeys(username).map((k) => [k.username, k.fingerprint, k.keyType, k.comment ?? '-', isoOrDash(k.createdAt), isoOrDash(k.lastUsedOn)]),
      );
      return 0;
    }
    case 'revoke': {
      const [fingerprint, ...rest] = args;
      if (!fingerprint || rest.length > 0) throw new UsageError('expected: jwt key revoke FINGERPRINT');
      if (!store.jwt.revokeKey(fingerprint.toLowerCase())) {
        console.error(`error: no key ${fingerprint}`);
        return 1;
      }
      console.log(`revoked key ${fingerprint}`);
      return 0;
    }
    default:
      throw new UsageError('expected: jwt key add|list|revoke');
  }
}

const isHttpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
};

function trustCommand(store: Store, verb: string | undefined, args: string[]): number {
  const [username, url, ...rest] = args;
  switch (verb) {
    case 'add': {
      if (!username || !url || rest.length > 0) throw new UsageError('expected: jwt trust add USER URL');
      if (!isHttpUrl(url)) throw new UsageError(`not an http(s) URL: ${url}`);
      const user = store.users.findByUsername(username);
      if (!user) {
        console.error(`error: no user ${username}`);
        return 1;
      }
      try {
        store.jwt.addTrust(user.id, url);
      } catch (err) {
        if (!(err instanceof TrustExistsError)) throw err;
        console.error(`error: ${err.message}`);
        return 1;
      }
      console.log(`${username} now trusts the keys of ${url}`);
      return 0;
    }
    case 'list':
      if (url !== undefined) throw new UsageError('expected: jwt trust list [USER]');
      if (reportUnknownUser(store, username)) return 1;
      printTable(['user', 'url', 'created_at', 'last_used_on'], store.jwt.listTrusts(username).map((t) => [t.username, t.url, isoOrDash(t.createdAt), isoOrDash(t.lastUsedOn)]));
      return 0;
    case 'remove':
      if (!username || !url || rest.length > 0) throw new UsageError('expected: jwt trust remove USER URL');
      if (!store.jwt.removeTrust(username, url)) {
        console.error(`error: ${username} does not trust ${url}`);
        return 1;
      }
      console.log(`removed trust of ${username} in ${url}`);
      return 0;
    default:
      throw new UsageError('expected: jwt trust add|list|remove');
  }
}

interface TokenArgs {
  key?: string | undefined;
  user?: string | undefined;
  time?: string | undefined;
  nonce?: string | undefined;
  audience?: string | undefined;
  method?: string | undefined;
  url?: string | undefined;
}

function tokenCommand(values: TokenArgs): number {
  if (!values.key || !values.user) throw new UsageError('expected: jwt token --key FILE --user USER');
  if (values.time !== undefined && !/^-?\d{1,15}$/.test(values.time)) throw new UsageError('--time must be whole epoch seconds');
  if (values.nonce === '') throw new UsageError('--nonce must not be empty');
  let token: string;
  try {
    token = createToken({
      privateKey: readKeyText(values.key),
      username: values.user,
      ...(values.time === undefined ? {} : { time: Number(values.time) }),
      ...(values.nonce === undefined ? {} : { nonce: values.nonce }),
      ...(values.audience === undefined ? {} : { audience: values.audience }),
      ...(values.method === undefined ? {} : { method: values.method }),
      ...(values.url === undefined ? {} : { url: values.url }),
    });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    console.error(`error: ${values.key}: not a usable RSA (≥ 2048 bits) or Ed25519 private key (${(err as Error).message})`);
    return 1;
  }
  console.log(token);
  return 0;
}

export const jwtCommand: CommandGroup = {
  name: 'jwt',
  summary: 'manage JWT public keys and JWKS trusts; make a client token',
  usage,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...configOption,
      comment: { type: 'string' },
      key: { type: 'string' },
      user: { type: 'string' },
      time: { type: 'string' },
      nonce: { type: 'string' },
      audience: { type: 'string' },
      method: { type: 'string' },
      url: { type: 'string' },
    });
    const [group, verb, ...args] = positionals;
    if (group === 'token') {
      if (verb !== undefined) throw new UsageError(`unexpected argument: ${verb}`);
      return tokenCommand(values);
    }
    if (group === 'key') return withStore(values.config, (store) => keyCommand(store, verb, args, values.comment));
    if (group === 'trust') return withStore(values.config, (store) => trustCommand(store, verb, args));
    throw new UsageError('expected: jwt key|trust|token');
  },
};
