import { timingSafeEqual } from 'node:crypto';
import { AUTH_USER_PARAM, EXTRA_PARAM, FIELD_PARAMS, REASON_EXPIRED, REASON_INVALID, REASON_TOO_LONG, SIGNATURE_PARAM, VALID_UNTIL_PARAM } from './constants.js';
import { isWellFormed } from './quote.js';
import { baseString, computeSignature, type ExtraPairs, type SkaKey } from './sign.js';
import { forgeryRisk } from './strict.js';

/** One value per name; duplicates are refused before this point. */
export type SkaParams = ReadonlyMap<string, string>;

export interface ValidationPolicy {
  /** Seconds; 0 disables the cap (spec/ska.md §12.5). */
  maxLifetime: number;
  allowPercentInUser: boolean;
}

/** Why a request failed, in order of precedence (the signature error comes first). */
export type SkaFailure = 'malformed' | 'invalid' | 'expired' | 'too_long';

export type SkaVerdict =
  | { valid: true; user: string; signature: string; validUntil: string; validUntilSeconds: number; extra: ExtraPairs }
  | { valid: false; failure: SkaFailure; reasons: string[]; message: string; detail: string; user: string };

/** The request's signed extra: params named in `extra`, absent ones skipped (SKA-5). */
export function signedExtra(params: SkaParams): ExtraPairs | string {
  const names = new Set((params.get(EXTRA_PARAM) ?? '').split(',').filter((name) => name !== ''));
  const pairs: Array<readonly [string, string]> = [];
  for (const name of names) {
    if (FIELD_PARAMS.includes(name)) return `extra lists the field "${name}"`;
    const value = params.get(name);
    if (value !== undefined) pairs.push([name, value]);
  }
  return pairs;
}

/** Constant-time comparison of the received signature with the expected one (§12.3). */
export function signaturesEqual(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

const refuse = (failure: SkaFailure, reasons: string[], detail: string, user: string): SkaVerdict => ({
  valid: false,
  failure,
  reasons,
  message: reasons.join(' '),
  detail,
  user,
});

/**
 * `validate_signed_request_data` made strict (spec/ska.md §5, §12; SKA-5, SKA-6, SKA-9).
 * Pure: `now` is epoch milliseconds. Never throws for any input.
 */
export function validateSignedRequest(params: SkaParams, key: SkaKey, now: number, policy: ValidationPolicy): SkaVerdict {
  const signature = params.get(SIGNATURE_PARAM) ?? '';
  const user = params.get(AUTH_USER_PARAM) ?? '';
  const validUntil = params.get(VALID_UNTIL_PARAM) ?? '';
  const extra = signedExtra(params);
  if (typeof extra === 'string') return refuse('malformed', [REASON_INVALID], extra, user);
  // Upstream crashes or is forgeable on these; we answer "Invalid signature!" (SKA-6).
  const risk = user === '' ? 'auth_user is missing' : forgeryRisk(validUntil, user, extra, policy.allowPercentInUser);
  if (risk) return refuse('malformed', [REASON_INVALID], risk, user);
  if (![user, ...extra.flat()].every(isWellFormed)) return refuse('malformed', [REASON_INVALID], 'text is not valid Unicode', user);

  const expected = computeSignature(baseString(validUntil, user, extra, key.quoter), key);
  const matches = signaturesEqual(signature, expected);
  const validUntilSeconds = Number(validUntil);
  const nowSeconds = now / 1000;
  const expired = !(validUntilSeconds > nowSeconds); // strictly later than now (§5 step 4)
  if (!matches) {
    return refuse('invalid', expired ? [REASON_INVALID, REASON_EXPIRED] : [REASON_INVALID], 'the signature does not match', user);
  }
  if (expired) return refuse('expired', [REASON_EXPIRED], 'valid_until has passed', user);
  if (policy.maxLifetime > 0 && validUntilSeconds > nowSeconds + policy.maxLifetime) {
    return refuse('too_long', [REASON_TOO_LONG], `valid_until is more than ${policy.maxLifetime} s ahead`, user);
  }
  return { valid: true, user, signature, validUntil, validUntilSeconds, extra };
}
