import { createMessage, decrypt, encrypt, enums, readKey, readMessage, type Key } from 'openpgp';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { SlidingMinuteLimit } from '../../regulation/rate-limit.js';
import { accountKey, ipKey, type Regulation } from '../../regulation/regulation.js';
import type { GpgKey } from '../../store/gpg-keys.js';
import type { Store } from '../../store/store.js';
import { encodeUserAuthToken } from './encoding.js';
import { METHOD } from './method.js';
import { MAX_ARMORED_TOKEN, MAX_TOKEN_RECIPIENTS, newNonce, NONCE_DECRYPT_CONFIG, parseNonce } from './nonce.js';
import { gpgAuthFields, isArmoredMessage, normalizeKeyId, stageOf } from './request.js';
import type { ServerKey } from './server-key.js';

export interface GpgAuthSettings {
  token_ttl: number;
  max_active_tokens: number;
  crypto_requests_per_ip_per_minute: number;
  debug: boolean;
  unknown_key_message: string;
}

/** What one login request answers; the route turns it into HTTP. */
export interface StageOutcome {
  status: 200 | 400;
  /** Stage headers beyond the base set (Progress, Authenticated, Error, …). */
  headers: Record<string, string>;
  message: string;
  /** Set on `complete`: who logged in. */
  login?: { user: string; fingerprint: string };
}

/**
 * The one stage dispatcher behind POST /auth/verify.json and /auth/login.json
 * (spec/gpgauth.md §3, GPG-1).
 */
export class GpgAuthService {
  readonly serverKey: ServerKey;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #regulation: Regulation;
  readonly #settings: GpgAuthSettings;
  readonly #logger: Logger;
  /** Stages 0 and 1 decrypt or sign before anyone is authenticated: bounded per address. */
  readonly #cryptoPerIp: SlidingMinuteLimit;
  /** Parsed user keys by armored text (parsing costs ~0.6 ms; the store stays the authority on revocation). */
  readonly #parsed = new Map<string, Key>();

  constructor(deps: { serverKey: ServerKey; store: Store; clock: Clock; regulation: Regulation; settings: GpgAuthSettings; logger: Logger }) {
    this.serverKey = deps.serverKey;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#regulation = deps.regulation;
    this.#settings = deps.settings;
    this.#logger = deps.logger;
    this.#cryptoPerIp = new SlidingMinuteLimit(deps.settings.crypto_requests_per_ip_per_minute, deps.clock);
  }

  /** Forgets the address windows that have passed (on the store's purge schedule). */
  sweep(): void {
    this.#cryptoPerIp.sweep();
  }

  /** Runs one stage; throws only a 429 (regulation, or the per-address limit on stages 0 and 1). */
  async handle(body: unknown, ip: string): Promise<StageOutcome> {
    const fields = gpgAuthFields(body);
    const fingerprint = normalizeKeyId(fields.keyid);
    const keys = [ipKey(ip), ...(fingerprint ? [accountKey(METHOD, fingerprint)] : [])];
    this.#regulation.assertAllowed(keys);
    const stage = stageOf(fields);
    if (stage !== 2) this.#cryptoPerIp.take(ip, `more than ${this.#settings.crypto_requests_per_ip_per_minute} gpgAuth key operations from this address in a minute`);
    if (!fingerprint) return this.#fail(keys, this.#noUser('The key id should be a 40 hex characters fingerprint.'), stage, undefined);
    // Stage 0 needs no user: answering it for unknown keys too keeps it from revealing who exists (§12, weakness 4).
    if (stage === 0) return this.#stage0(fields.server_verify_token, keys, fingerprint);
    const key = this.#store.gpgKeys.findActive(fingerprint);
    if (!key) return this.#fail(keys, this.#noUser('The key is unknown, revoked or its user disabled.'), stage, fingerprint);
    return stage === 1 ? this.#stage1(key, keys) : this.#stage2(key, fields.user_token_result, keys);
  }

  // §5 (GPG-5): decrypt, echo only a well-formed nonce; which check failed stays hidden.
  async #stage0(token: unknown, keys: string[], fingerprint: string): Promise<StageOutcome> {
    if (!isArmoredMessage(token) || token.length > MAX_ARMORED_TOKEN) return this.#fail(keys, { status: 400, headers: { 'X-GPGAuth-Error': 'true', ...this.#debug('The server verify token is missing or invalid.') }, message: 'The server verify token is missing or invalid.' }, 0, fingerprint);
    let plaintext: string | undefined;
    let why = 'The server verify token could not be decrypted.';
    try {
      const message = await readMessage({ armoredMessage: token });
      if (message.packets.filterByTag(enums.packet.publicKeyEncryptedSessionKey).length > MAX_TOKEN_RECIPIENTS) throw new Error('too many recipients');
      const { data } = await decrypt({ message, decryptionKeys: this.serverKey.privateKey, format: 'utf8', config: NONCE_DECRYPT_CONFIG });
      plaintext = typeof data === 'string' ? data : undefined;
      if (parseNonce(plaintext) === undefined) why = 'The server verify token is not a valid nonce.';
    } catch {
      plaintext = undefined;
    }
    if (plaintext === undefined || parseNonce(plaintext) === undefined) {
      const failure = { status: 200 as const, headers: { 'X-GPGAuth-Error': 'true', ...this.#debug(why) }, message: 'The server verify token could not be verified.' };
      return this.#fail(keys, failure, 0, fingerprint);
    }
    this.#audit(fingerprint, 'stage0', keys);
    return { status: 200, headers: { 'X-GPGAuth-Verify-Response': plaintext }, message: 'The server key is verified.' };
  }

  // §6 (GPG-6): a new token, encrypted to the user and signed by the server.
  async #stage1(key: GpgKey, keys: string[]): Promise<StageOutcome> {
    const now = this.#clock.now();
    const { uuid, nonce } = newNonce();
    let armored: string;
    try {
      const userKey = await this.#userKey(key.armored);
      armored = await encrypt({
        message: await createMessage({ text: nonce }),
        encryptionKeys: userKey,
        signingKeys: this.serverKey.privateKey,
      });
    } catch {
      // The key expired or lost its encryption subkey since import: as unknown.
      return this.#fail(keys, this.#noUser('The key cannot be used for encryption.'), 1, key.fingerprint);
    }
    this.#store.gpgTokens.create(uuid, key.userId, now, this.#settings.token_ttl * 1000, this.#settings.max_active_tokens);
    this.#audit(key.fingerprint, 'stage1', keys);
    return {
      status: 200,
      headers: { 'X-GPGAuth-Progress': 'stage1', 'X-GPGAuth-User-Auth-Token': encodeUserAuthToken(armored) },
      message: 'Please decrypt this token and send it back.',
    };
  }

  // §7 (GPG-7, GPG-8): one atomic consumption of a live token of this very user.
  #stage2(key: GpgKey, result: unknown, keys: string[]): StageOutcome {
    const uuid = parseNonce(result);
    const now = this.#clock.now();
    const consumed = uuid !== undefined && this.#store.gpgTokens.consume(uuid, key.userId, now, this.#settings.token_ttl * 1000);
    if (!consumed) {
      const why = uuid === undefined ? 'The user token result should be a valid nonce.' : 'The user token result is unknown, expired or already used.';
      return this.#fail(keys, { status: 400, headers: { 'X-GPGAuth-Progress': 'stage2', 'X-GPGAuth-Error': 'true', ...this.#debug(why) }, message: 'The user token result is not valid.' }, 2, key.fingerprint);
    }
    this.#regulation.recordSuccess(accountKey(METHOD, key.fingerprint));
    this.#audit(key.fingerprint, 'success', keys, key.username);
    return {
      status: 200,
      headers: { 'X-GPGAuth-Progress': 'complete', 'X-GPGAuth-Authenticated': 'true', 'X-GPGAuth-Refer': '/' },
      message: 'You are successfully logged in.',
      login: { user: key.username, fingerprint: key.fingerprint },
    };
  }

  async #userKey(armored: string): Promise<Key> {
    const cached = this.#parsed.get(armored);
    if (cached) return cached;
    const parsed = await readKey({ armoredKey: armored });
    if (this.#parsed.size >= 1000) this.#parsed.clear();
    this.#parsed.set(armored, parsed);
    return parsed;
  }

  // §10 (GPG-3): always the Debug header, the reason only in debug mode.
  #noUser(reason: string): StageOutcome {
    const message = this.#settings.unknown_key_message;
    return {
      status: 400,
      headers: { 'X-GPGAuth-Error': 'true', 'X-GPGAuth-Debug': this.#settings.debug ? `${message} ${reason}` : message },
      message,
    };
  }

  #debug(why: string): Record<string, string> {
    return this.#settings.debug ? { 'X-GPGAuth-Debug': why } : {};
  }

  #fail(keys: string[], outcome: StageOutcome, stage: number, fingerprint: string | undefined): StageOutcome {
    this.#regulation.recordFailure(keys);
    this.#record(fingerprint ?? null, `failure:stage${stage}`, keys, outcome.message);
    return outcome;
  }

  #audit(fingerprint: string, result: string, keys: string[], user?: string): void {
    this.#record(user ?? fingerprint, result, keys, `key ${fingerprint}`);
  }

  /** The audit row and the auth.gpgauth log line of one attempt (OPS-14). */
  #record(subject: string | null, result: string, keys: string[], detail: string): void {
    const ip = keys[0]?.slice(3) ?? null;
    this.#store.audit.record({ method: METHOD, subject, result, client: null, ip, detail });
    this.#logger.info('auth.gpgauth', { user: subject, result, ip, detail });
  }
}
