import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { hashOf, type SkaAlgorithm } from './algorithms.js';
import { AUTH_USER_PARAM, EXTRA_PARAM, FIELD_PARAMS, SIGNATURE_PARAM, VALID_UNTIL_PARAM } from './constants.js';
import { compareCodePoints, isWellFormed, quotePlusPy, quoterOf, type SkaQuoter } from './quote.js';
import { forgeryRisk } from './strict.js';

/**
 * Extra data as ordered pairs: JS objects would move integer-like keys first and
 * change the URL order (SKA-1, SKA-4).
 */
export type ExtraPairs = ReadonlyArray<readonly [string, string]>;

export interface SkaKey {
  secret: string;
  algorithm: SkaAlgorithm;
  quoter: SkaQuoter;
}

/** The pairs sorted by key in Python string order. */
export const sortedExtra = (extra: ExtraPairs): Array<readonly [string, string]> => (extra.length < 2 ? [...extra] : [...extra].sort(([a], [b]) => compareCodePoints(a, b)));

/** spec/ska.md §2, SKA-1: `valid_until _ auth_user [_ quote(k=v&…)]`. */
export function baseString(validUntil: string, authUser: string, extra: ExtraPairs, quoter: SkaQuoter = 'default'): string {
  const base = `${validUntil}_${authUser}`;
  if (extra.length === 0) return base;
  const joined = sortedExtra(extra).map(([k, v]) => `${k}=${v}`).join('&');
  return `${base}_${quoterOf(quoter)(joined)}`;
}

/** Secrets as KeyObjects: building one from the string was a third of each HMAC. Few keys exist (global + providers). */
const hmacKeys = new Map<string, KeyObject>();
const HMAC_KEYS_MAX = 1024;

function hmacKeyOf(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (key === undefined) {
    if (hmacKeys.size >= HMAC_KEYS_MAX) hmacKeys.clear();
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    hmacKeys.set(secret, key);
  }
  return key;
}

/** spec/ska.md §3, SKA-2: standard base64 with padding of HMAC(UTF-8 key, UTF-8 base). */
export function computeSignature(base: string, key: Pick<SkaKey, 'secret' | 'algorithm'>): string {
  return createHmac(hashOf(key.algorithm), hmacKeyOf(key.secret)).update(base, 'utf8').digest('base64');
}

export interface SignInput {
  authUser: string;
  /** Used verbatim; `formatValidUntil` renders the integer seconds ska generates. */
  validUntil: string;
  extra: ExtraPairs;
}

export interface SignedRequest {
  signature: string;
  authUser: string;
  validUntil: string;
  /** Sorted keys joined with `,` (the `extra` field). */
  extraKeys: string;
  /** In the caller's order. */
  extra: ExtraPairs;
}

/** SKA-3: what ska generates itself: whole epoch seconds as `"<int>.0"`. */
export const formatValidUntil = (epochSeconds: number): string => `${Math.floor(epochSeconds)}.0`;

/**
 * Why our signer refuses these inputs, or undefined. Tokens it refuses are the
 * ones a verifier could not tell apart from a forgery (spec/ska.md §12.1).
 */
export function signingProblem(input: SignInput): string | undefined {
  if (input.authUser === '') return 'auth_user must not be empty';
  const risk = forgeryRisk(input.validUntil, input.authUser, input.extra, false);
  if (risk) return risk;
  const seen = new Set<string>();
  for (const [key] of input.extra) {
    if (FIELD_PARAMS.includes(key)) return `extra key "${key}" would overwrite a signature field`;
    if (key.includes(',')) return `extra key "${key}" must not contain "," (the extra field is a comma-separated list)`;
    if (seen.has(key)) return `extra key "${key}" given twice`;
    seen.add(key);
  }
  if (![input.authUser, ...input.extra.flat()].every(isWellFormed)) return 'text is not valid Unicode';
  return undefined;
}

/** `signature_to_dict` without the Python types: every value a string. */
export function signRequest(input: SignInput, key: SkaKey): SignedRequest {
  const problem = signingProblem(input);
  if (problem) throw new RangeError(problem);
  const signature = computeSignature(baseString(input.validUntil, input.authUser, input.extra, key.quoter), key);
  const extraKeys = sortedExtra(input.extra).map(([k]) => k).join(',');
  return { signature, authUser: input.authUser, validUntil: input.validUntil, extraKeys, extra: input.extra };
}

/** The request's fields in ska's order: signature, auth_user, valid_until, extra, extras (§4). */
export function requestPairs(signed: SignedRequest): Array<readonly [string, string]> {
  return [[SIGNATURE_PARAM, signed.signature], [AUTH_USER_PARAM, signed.authUser], [VALID_UNTIL_PARAM, signed.validUntil], [EXTRA_PARAM, signed.extraKeys], ...signed.extra];
}

/** `sign_url`: the `?` is appended unconditionally, as upstream does (SKA-4). */
export function signedUrl(url: string, signed: SignedRequest): string {
  return `${url}?${requestPairs(signed).map(([k, v]) => `${quotePlusPy(k)}=${quotePlusPy(v)}`).join('&')}`;
}
