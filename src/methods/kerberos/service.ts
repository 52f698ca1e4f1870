import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import type { Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { accountKey, ipKey, type Regulation } from '../../regulation/regulation.js';
import type { Store } from '../../store/store.js';
import type { User } from '../../store/users.js';
import type { Caller } from '../xmpp-approval/service.js';
import { AcceptedTokens } from './accepted-tokens.js';
import type { CcacheDirectory } from './ccache-dir.js';
import { isGssError, type Acceptor, type DelegatedCredential } from './gssapi.js';
import { mappedUsername, parsePrincipal, realmAllowed, type MappingSettings, type Principal } from './principal.js';

export interface KerberosSettings extends MappingSettings {
  keytab_file: string;
  realms: string[];
}

export interface KerberosLogin {
  user: User;
  principal: string;
  /** The stored delegated credential cache, when the client delegated one. */
  ccache: { id: string; path: string; expiresAt: number } | null;
  /** The mutual-authentication reply token (RFC 4559 §5). */
  replyToken: Buffer | null;
}

const method = 'kerberos';
/**
 * Accepted tokens are remembered for twice MIT's default clock skew (5 min): past
 * that the authenticator is refused as too old anyway.
 */
const acceptedTokenMemoryMs = 10 * 60_000;

/** Why a token was refused; each maps to a stable error code. */
const refusal = {
  invalid: () => new AppError(401, 'ERR_KERBEROS_TOKEN_INVALID', 'the Negotiate token was not accepted'),
  replayed: () => new AppError(401, 'ERR_KERBEROS_TOKEN_REPLAYED', 'this Negotiate token was already used (a replay)'),
  realm: () => new AppError(403, 'ERR_KERBEROS_REALM_NOT_ALLOWED', 'principals of this realm may not log in here'),
  unknown: () => new AppError(403, 'ERR_KERBEROS_UNKNOWN_PRINCIPAL', 'this principal is not mapped to an active user'),
};

/**
 * KRB-1: a keytab or configuration problem is a 500 with its stable code; the reason
 * itself (paths, GSS messages) goes to the log once, never to the client.
 */
export const notConfigured = (cause?: Error) =>
  new AppError(500, 'ERR_KERBEROS_NOT_CONFIGURED', 'the Kerberos method is not ready (see the log)', { expose: true, ...(cause ? { cause } : {}) });

/**
 * SPNEGO login (spec/kerberos.md §1, §5): accept the token with our addon, check the
 * realm, map the principal to a user, and store a delegated credential if there is one.
 */
export class KerberosService {
  readonly #acceptor: Acceptor;
  readonly #settings: KerberosSettings;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #regulation: Regulation;
  readonly #ccaches: CcacheDirectory;
  readonly #accepted: AcceptedTokens;
  #keytabProblemLogged = false;

  constructor(deps: { acceptor: Acceptor; settings: KerberosSettings; store: Store; clock: Clock; logger: Logger; regulation: Regulation; ccaches: CcacheDirectory }) {
    this.#acceptor = deps.acceptor;
    this.#settings = deps.settings;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#regulation = deps.regulation;
    this.#ccaches = deps.ccaches;
    this.#accepted = new AcceptedTokens(deps.clock, acceptedTokenMemoryMs);
  }

  /**
   * Accepts one Negotiate token. `onLogin` runs inside the transaction that records a
   * successful login, so that what the caller keeps beside it (the login session) is
   * written in the same commit.
   */
  async login(token: Buffer, caller: Caller, onLogin?: (login: KerberosLogin) => void): Promise<KerberosLogin> {
    // Every attempt is audited and logged as auth.kerberos (OPS-14); never the token itself.
    const audit = (subject: string | null, result: string, detail?: string) => {
      this.#store.audit.record({ method, subject, result, client: caller.client?.name ?? null, ip: caller.ip, detail: detail ?? null });
      this.#logger.info('auth.kerberos', { principal: subject, result, ip: caller.ip, client: caller.client?.name ?? null });
    };
    this.#regulation.assertAllowed([ipKey(caller.ip)]);

    const tokenHash = createHash('sha256').update(token).digest('base64');
    let accepted;
    try {
      accepted = await this.#acceptor.accept(token);
    } catch (err) {
      if (!isGssError(err)) throw err;
      this.#assertKeytabReadable(err);
      // KRB-2: MIT's SPNEGO reports a replay as a bare GSS_S_FAILURE; our own memory tells.
      const replayed = this.#accepted.has(tokenHash);
      this.#store.transaction(() => {
        this.#regulation.recordFailure([ipKey(caller.ip)]);
        audit(null, replayed ? 'replayed' : 'invalid', err.message);
      });
      throw replayed ? refusal.replayed() : refusal.invalid();
    }

    this.#accepted.remember(tokenHash);
    const now = this.#clock.now();
    const principal = parsePrincipal(accepted.principal);
    const delegated = accepted.delegated;
    let storedPath: string | undefined;
    try {
      // Everything a login records (audit, stored cache, the caller's session) is one commit.
      const verdict = this.#store.transaction(() => {
        const admitted = this.#admit(principal);
        const subject = principal?.text ?? accepted.principal;
        if ('refusal' in admitted) {
          this.#regulation.recordFailure([ipKey(caller.ip), accountKey(method, subject)]);
          audit(subject, admitted.result);
          return admitted;
        }
        this.#regulation.recordSuccess(accountKey(method, subject));
        const ccache = delegated ? this.#storeDelegated(delegated, admitted.principal, admitted.user, now) : null;
        storedPath = ccache?.path;
        audit(subject, 'success', ccache ? 'credential delegated' : delegated ? 'delegated credential not stored' : undefined);
        const login: KerberosLogin = { user: admitted.user, principal: admitted.principal.text, ccache, replyToken: accepted.outputToken };
        onLogin?.(login);
        return { login };
      });
      if ('refusal' in verdict) throw verdict.refusal;
      return verdict.login;
    } catch (err) {
      // The cache's row went with the rolled-back transaction: its file goes too.
      if (storedPath !== undefined) this.#ccaches.remove(storedPath);
      throw err;
    } finally {
      delegated?.release();
    }
  }

  /** KRB-1: realm allow-list first, then the identities table, then the mapping rule. */
  #admit(principal: Principal | undefined): { user: User; principal: Principal } | { refusal: AppError; result: string } {
    if (!principal) return { refusal: refusal.invalid(), result: 'no_realm' };
    if (!realmAllowed(principal, this.#settings.realms)) return { refusal: refusal.realm(), result: 'realm_not_allowed' };
    const users = this.#store.users;
    const mapped = mappedUsername(principal, this.#settings);
    const user = users.findByIdentity('kerberos', principal.text) ?? (mapped === undefined ? undefined : users.findByUsername(mapped));
    if (!user) return { refusal: refusal.unknown(), result: 'unknown_principal' };
    if (user.disabled) return { refusal: refusal.unknown(), result: 'user_disabled' };
    return { user, principal };
  }

  /**
   * KRB-4: one 0600 file per login in the 0700 directory, recorded so it is removed on
   * logout or expiry. A failure to store costs the delegation, not the login.
   */
  #storeDelegated(delegated: DelegatedCredential, principal: Principal, user: User, now: number): KerberosLogin['ccache'] {
    const file = this.#ccaches.newFile();
    try {
      const { lifetime } = delegated.store(file.ccacheName);
      this.#ccaches.seal(file.path);
      const expiresAt = now + lifetime * 1000;
      this.#store.kerberos.addCcache({ id: file.id, path: file.path, principal: principal.text, userId: user.id, expiresAt });
      return { id: file.id, path: file.path, expiresAt };
    } catch (err) {
      this.#ccaches.remove(file.path);
      this.#logger.error('kerberos.delegation_store_failed', { principal: principal.text, err: String(err) });
      return null;
    }
  }

  /** Why the keytab cannot be read now, if it cannot (readiness and refused accepts ask). */
  keytabProblem(): string | undefined {
    try {
      accessSync(this.#settings.keytab_file, constants.R_OK);
      return undefined;
    } catch (err) {
      return `keytab ${this.#settings.keytab_file} is not readable (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
    }
  }

  /**
   * KRB-1: a keytab that went missing after start-up is our configuration error (500),
   * not the client's. Logged once until the keytab is readable again.
   */
  #assertKeytabReadable(cause: Error): void {
    const problem = this.keytabProblem();
    if (problem === undefined) {
      this.#keytabProblemLogged = false;
      return;
    }
    if (!this.#keytabProblemLogged) this.#logger.warn('kerberos.not_ready', { keytab: this.#settings.keytab_file, reason: problem, gss: cause.message });
    this.#keytabProblemLogged = true;
    throw notConfigured(cause);
  }

  /** Removes the cache a login session carried, when that session ends (logout, expiry, a new login). */
  removeCcacheOfSession(path: string): boolean {
    const cache = this.#store.kerberos.findCcacheByPath(path);
    if (!cache) return false;
    this.#removeCcache(cache.id, cache.path);
    return true;
  }

  /** Deletes caches whose ticket expired. */
  purge(now: number): number {
    const expired = this.#store.kerberos.expiredCcaches(now);
    for (const cache of expired) this.#removeCcache(cache.id, cache.path);
    return expired.length;
  }

  #removeCcache(id: string, path: string): void {
    this.#ccaches.remove(path);
    this.#store.kerberos.deleteCcache(id);
  }
}
