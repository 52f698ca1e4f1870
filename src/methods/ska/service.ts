import type { Clock } from '../../clock.js';
import type { ParsedConfig } from '../../config/schema.js';
import { AppError, type ErrorCode } from '../../errors.js';
import type { Logger } from '../../log.js';
import { accountKey, ipKey, type Regulation } from '../../regulation/regulation.js';
import type { Store } from '../../store/store.js';
import { AUTH_USER_PARAM, PROVIDER_PARAM, REASON_INVALID } from './constants.js';
import type { SkaHooks } from './hooks.js';
import { chooseKey, providerIsSigned, userAllowed } from './keys.js';
import type { ParsedParams } from './params.js';
import { validateSignedRequest, type SkaFailure } from './validate.js';

export interface SkaCaller {
  ip: string;
  client: string | null;
}

/** What a valid request proves (the 200 body of /v1/ska/verify). */
export interface SkaSuccess {
  user: string;
  provider: string | null;
  extra: Record<string, string>;
  valid_until: string;
}

const failureCodes: Record<SkaFailure, ErrorCode> = {
  malformed: 'ERR_SIGNATURE_MALFORMED',
  invalid: 'ERR_SIGNATURE_INVALID',
  expired: 'ERR_SIGNATURE_EXPIRED',
  too_long: 'ERR_SIGNATURE_LIFETIME',
};

const METHOD = 'ska';

/** A valid signature before anything is recorded (`#accept`). */
interface Accepted {
  success: SkaSuccess;
  /** Regulation keys its failures would count against. */
  keys: string[];
  signature: string;
  /** Epoch ms at which a one-time record of it may be purged. */
  expiresAt: number;
}

/** The user named by a valid signature: existing, created from it, or absent (not created). */
type UserOutcome = 'found' | 'created' | 'absent';

/** How one endpoint uses a valid signature: /v1/ska/verify follows `[ska]`, the browser login has its own defaults. */
export interface SkaUse {
  /** spec/ska.md §9: record used signatures and refuse a replay ("check"), record only ("store"), or neither. */
  signatures: 'check' | 'store' | 'none';
  /** Create an absent user from the signed extra. */
  createUsers: boolean;
}

/**
 * Verifies ska signed requests for the daemon: key choice, regulation, the
 * one-time record, user creation, the hooks and the audit trail around the pure core.
 */
export class SkaVerifier {
  readonly #settings: ParsedConfig['ska'];
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #regulation: Regulation;
  readonly #logger: Logger;
  readonly #hooks: SkaHooks | null;

  /** `hooks`: `[ska] hook_url`, null when empty. */
  constructor(deps: { settings: ParsedConfig['ska']; store: Store; clock: Clock; regulation: Regulation; logger: Logger; hooks: SkaHooks | null }) {
    this.#settings = deps.settings;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#regulation = deps.regulation;
    this.#logger = deps.logger;
    this.#hooks = deps.hooks;
  }

  /** What /v1/ska/verify does with a valid signature (`[ska] one_time`, `create_users`). */
  get apiUse(): SkaUse {
    return { signatures: this.#settings.one_time ? 'check' : 'none', createUsers: this.#settings.create_users };
  }

  /** `providerName` comes from outside the params (a JSON body); it must agree with `provider` in them. */
  verify(parsed: ParsedParams, providerName: string | undefined, caller: SkaCaller, use: SkaUse = this.apiUse): SkaSuccess {
    return this.#complete(this.#accept(parsed, providerName, caller), caller, use).success;
  }

  /**
   * ska's Django backend `authenticate()` (spec/ska.md §8), behind /ska/login/ and
   * the token endpoint: the checks of `verify` with the hooks where the backend runs
   * its callbacks. `validate` comes before the one-time record, so a refused login
   * uses up no token; `get`/`create` and `info` come after the user lookup.
   */
  async authenticate(parsed: ParsedParams, caller: SkaCaller, use: SkaUse): Promise<SkaSuccess> {
    const accepted = this.#accept(parsed, undefined, caller);
    const hooks = this.#hooks;
    if (hooks && (await hooks.send('validate', accepted.success)) === 'denied') {
      // A valid signature refused by the web application: not a bad credential, so not counted for regulation.
      this.#audit(accepted.success.user, 'hook_denied', caller, 'the validate hook answered 403');
      throw new AppError(403, 'ERR_HOOK_DENIED', 'the web application refused this login');
    }
    const { success, user } = this.#complete(accepted, caller, use);
    if (hooks) {
      if (user !== 'absent') await hooks.send(user === 'found' ? 'get' : 'create', success);
      await hooks.send('info', success);
    }
    return success;
  }

  /** A valid signature that the key's provider may use for this user; nothing recorded yet. */
  #accept(parsed: ParsedParams, providerName: string | undefined, caller: SkaCaller): Accepted {
    if ('problem' in parsed) return this.#fail('ERR_SIGNATURE_MALFORMED', parsed.problem, '', caller);
    const { params } = parsed;
    const user = params.get(AUTH_USER_PARAM) ?? '';
    const named = params.get(PROVIDER_PARAM);
    if (providerName !== undefined && named !== undefined && named !== providerName) {
      return this.#fail('ERR_SIGNATURE_MALFORMED', 'provider in the body and in the params differ', user, caller);
    }
    const providerWanted = providerName ?? named;
    const keys = user === '' ? [ipKey(caller.ip)] : [ipKey(caller.ip), accountKey(METHOD, user)];
    this.#regulation.assertAllowed(keys);

    const choice = chooseKey(providerWanted, (name) => this.#store.ska.findProvider(name), this.#settings);
    if ('problem' in choice) return this.#fail('ERR_UNKNOWN_PROVIDER', choice.description, user, caller, keys);
    if (providerWanted !== undefined && this.#settings.require_signed_provider && !providerIsSigned(params)) {
      return this.#fail('ERR_SIGNATURE_MALFORMED', 'provider must be listed in extra (signed)', user, caller, keys);
    }

    const verdict = validateSignedRequest(params, choice.key, this.#clock.now(), {
      maxLifetime: this.#settings.max_lifetime,
      allowPercentInUser: this.#settings.allow_percent_in_user,
    });
    if (!verdict.valid) return this.#fail(failureCodes[verdict.failure], verdict.detail, user, caller, keys, verdict.reasons);

    const provider = choice.provider;
    if (!userAllowed(provider, user)) {
      this.#audit(user, 'refused', caller, 'user not allowed by provider');
      throw new AppError(403, 'ERR_USER_NOT_ALLOWED', 'this provider may not sign for this user');
    }
    const success = { user, provider: provider?.name ?? null, extra: Object.fromEntries(verdict.extra), valid_until: verdict.validUntil };
    return { success, keys, signature: verdict.signature, expiresAt: Math.ceil(verdict.validUntilSeconds * 1000) };
  }

  /** The one-time record, the user, the success. */
  #complete(accepted: Accepted, caller: SkaCaller, use: SkaUse): { success: SkaSuccess; user: UserOutcome } {
    const { success, keys } = accepted;
    const { user } = success;
    // Recorded before the user is touched, as upstream does (spec/ska.md §8 step 2).
    const fresh = use.signatures === 'none' || this.#store.ska.claimSignature(accepted.signature, user, success.valid_until, accepted.expiresAt);
    if (!fresh && use.signatures === 'check') {
      return this.#fail('ERR_SIGNATURE_REPLAYED', 'this signature was already used', user, caller, keys, [REASON_INVALID]);
    }
    const outcome = this.#ensureUser(user, success.extra, caller, use.createUsers);
    this.#regulation.recordSuccess(accountKey(METHOD, user));
    this.#audit(user, 'success', caller, success.provider === null ? null : `provider ${success.provider}`);
    return { success, user: outcome };
  }

  /** SKA-7: create from signed extra only, at creation only; a disabled user is refused. */
  #ensureUser(user: string, extra: Record<string, string>, caller: SkaCaller, create: boolean): UserOutcome {
    const existing = this.#store.users.findByUsername(user);
    if (existing?.disabled) {
      this.#audit(user, 'refused', caller, 'user disabled');
      throw new AppError(403, 'ERR_USER_DISABLED', 'this user is disabled');
    }
    if (existing) return 'found';
    if (!create) return 'absent';
    const displayName = [extra['first_name'], extra['last_name']].filter((part) => part !== undefined && part !== '').join(' ');
    try {
      this.#store.users.add({ username: user, ...(displayName ? { displayName } : {}), ...(extra['email'] ? { email: extra['email'] } : {}) });
      this.#logger.info('ska.user_created', { user });
      return 'created';
    } catch (err) {
      // A concurrent first login created it: nothing left to do.
      if (!this.#store.users.findByUsername(user)) throw err;
      return 'found';
    }
  }

  #fail(code: ErrorCode, detail: string, user: string, caller: SkaCaller, keys: string[] = [ipKey(caller.ip)], reasons: string[] = [REASON_INVALID]): never {
    this.#regulation.recordFailure(keys);
    this.#audit(user === '' ? null : user, 'failure', caller, `${code}: ${detail}`);
    // SKA-8: the description is what ska's API guard answers; `detail` says which rule failed.
    throw new AppError(401, code, `Unauthorised request. ${reasons.join('; ')}`, { details: { reasons, detail } });
  }

  /** Audit row batched (Store.audit.recordSoon; a failure's regulation count is written at once) and an auth.ska line (OPS-14). */
  #audit(subject: string | null, result: string, caller: SkaCaller, detail: string | null): void {
    this.#store.audit.recordSoon({ method: METHOD, subject, result, client: caller.client, ip: caller.ip, detail });
    this.#logger.info('auth.ska', { user: subject, result, client: caller.client, detail });
  }
}
