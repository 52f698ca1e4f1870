import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { keyTypeOfAlgorithm, type JwtAlgorithm, type KeyType } from './keys.js';

/** Why a token is refused; the HTTP layer maps each to a stable error code. */
export type TokenFailure =
  | 'malformed'
  | 'algorithm'
  | 'signature'
  | 'stale'
  | 'expired'
  | 'binding'
  | 'replayed'
  | 'unknown_user';

export class TokenError extends Error {
  readonly failure: TokenFailure;
  constructor(failure: TokenFailure, message: string) {
    super(message);
    this.name = 'TokenError';
    this.failure = failure;
  }
}

const malformed = (message: string) => new TokenError('malformed', message);

/** Far above any real token (an RS512 token with a 4096-bit key is under 1 KiB). */
export const MAX_TOKEN_LENGTH = 8192;
/** spec/jwt.md §11.3 */
export const MAX_NONCE_LENGTH = 255;

export interface DecodedToken {
  alg: JwtAlgorithm;
  keyType: KeyType;
  kid: string | undefined;
  claims: Claims;
  /** `base64url(header) "." base64url(payload)`, the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

export interface Claims {
  username: string;
  time: number;
  nonce: string;
  exp?: number;
  nbf?: number;
  aud?: string | string[];
  htm?: string;
  htu?: string;
}

/** RFC 8032 §5.1.6 */
const ED25519_SIGNATURE_BYTES = 64;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Strict base64url (RFC 7515 §2: no padding, no other characters). */
function base64url(part: string, what: string): Buffer {
  if (!BASE64URL.test(part) || part.length % 4 === 1) throw malformed(`${what} is not base64url`);
  return Buffer.from(part, 'base64url');
}

function jsonObject(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(base64url(part, what).toString('utf8'));
  } catch (err) {
    if (err instanceof TokenError) throw err;
    throw malformed(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * JWT-1: `<method> <token>` split on the first space, method compared upper-cased.
 * Anything else is not a JWT credential.
 */
export function tokenFromAuthorization(header: string): string {
  const space = header.indexOf(' ');
  if (space < 0) throw malformed('expected "JWT <token>"');
  if (header.slice(0, space).toUpperCase() !== 'JWT') throw malformed('authorization method is not JWT');
  return header.slice(space + 1);
}

/** JWT-10 / §11.3: types are checked here, before any key is touched. */
function readClaims(payload: Record<string, unknown>): Claims {
  const { username, time, nonce, exp, nbf, aud, htm, htu } = payload;
  if (typeof username !== 'string' || username === '') throw malformed('username must be a non-empty string');
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time === 0) throw malformed('time must be a non-zero integer');
  if (typeof nonce !== 'string' || nonce === '' || nonce.length > MAX_NONCE_LENGTH) throw malformed(`nonce must be a string of 1 to ${MAX_NONCE_LENGTH} characters`);
  const claims: Claims = { username, time, nonce };
  if (exp !== undefined) {
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw malformed('exp must be a number');
    claims.exp = exp;
  }
  if (nbf !== undefined) {
    if (typeof nbf !== 'number' || !Number.isFinite(nbf)) throw malformed('nbf must be a number');
    claims.nbf = nbf;
  }
  if (aud !== undefined) {
    if (typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) throw malformed('aud must be a string or a list of strings');
    claims.aud = aud as string | string[];
  }
  if (htm !== undefined) {
    if (typeof htm !== 'string') throw malformed('htm must be a string');
    claims.htm = htm;
  }
  if (htu !== undefined) {
    if (typeof htu !== 'string') throw malformed('htu must be a string');
    claims.htu = htu;
  }
  return claims;
}

/**
 * Parses a compact JWS without trusting it (spec/jwt.md §1, §2). The algorithm is
 * checked against the closed list here: `none`, HS*, PS*, ES* never reach a key.
 */
export function decodeToken(token: string): DecodedToken {
  if (token.length > MAX_TOKEN_LENGTH) throw malformed(`token is longer than ${MAX_TOKEN_LENGTH} characters`);
  const parts = token.split('.');
  if (parts.length !== 3) throw malformed('a token has three dot-separated parts');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = jsonObject(headerPart, 'header');
  const alg = header['alg'];
  if (typeof alg !== 'string') throw malformed('header has no alg');
  const keyType = keyTypeOfAlgorithm(alg);
  if (keyType === undefined) throw new TokenError('algorithm', `algorithm ${alg.slice(0, 20)} is not accepted`);
  const kid = header['kid'];
  if (kid !== undefined && typeof kid !== 'string') throw malformed('kid must be a string');
  if (header['crit'] !== undefined) throw malformed('crit header parameters are not supported');
  const claims = readClaims(jsonObject(payloadPart, 'payload'));
  const signature = base64url(signaturePart, 'signature');
  if (signature.length === 0) throw malformed('signature is empty');
  if (alg === 'EdDSA' && signature.length !== ED25519_SIGNATURE_BYTES) throw malformed(`an EdDSA signature has ${ED25519_SIGNATURE_BYTES} bytes`);
  return { alg: alg as JwtAlgorithm, keyType, kid, claims, signingInput: `${headerPart}.${payloadPart}`, signature };
}

const digestOf: Record<JwtAlgorithm, string | null> = { RS512: 'sha512', RS384: 'sha384', RS256: 'sha256', EdDSA: null };

/** JWT-3: the key's own type must allow the algorithm; a KeyObject, never PEM text. */
export function signatureMatches(token: DecodedToken, key: KeyObject, type: KeyType): boolean {
  if (type !== token.keyType) return false;
  try {
    return verifySignature(digestOf[token.alg], Buffer.from(token.signingInput, 'latin1'), key, token.signature);
  } catch {
    return false;
  }
}

export interface ClaimSettings {
  /** Seconds either side of now (JWT-4). */
  tolerance: number;
  /** When set, `aud` must name it; when not, any `aud` rejects (spec/jwt.md §4.2). */
  audience: string | undefined;
  /** When true, `htm` and `htu` are required. */
  requireBinding: boolean;
}

/** The request the token came with, for the opt-in `htm` / `htu` binding. */
export interface RequestBinding {
  method?: string;
  url?: string;
}

/** spec/jwt.md §4 steps 2 and 4, plus the opt-in binding of §11.4. Runs after the signature. */
export function checkClaims(claims: Claims, nowMs: number, settings: ClaimSettings, request: RequestBinding): void {
  const nowSeconds = nowMs / 1000;
  if (claims.exp !== undefined && claims.exp <= nowSeconds) throw new TokenError('expired', 'token has expired (exp)');
  if (claims.nbf !== undefined && claims.nbf > nowSeconds) throw new TokenError('expired', 'token is not valid yet (nbf)');
  if (claims.aud !== undefined || settings.audience !== undefined) {
    const audiences = claims.aud === undefined ? [] : typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (settings.audience === undefined) throw new TokenError('binding', 'token carries an audience and none is configured');
    if (!audiences.includes(settings.audience)) throw new TokenError('binding', 'token is not for this audience');
  }
  if (settings.requireBinding && (claims.htm === undefined || claims.htu === undefined)) throw new TokenError('binding', 'token must carry htm and htu');
  if (claims.htm !== undefined && (request.method === undefined || claims.htm.toUpperCase() !== request.method.toUpperCase())) {
    throw new TokenError('binding', 'token is bound to another HTTP method');
  }
  if (claims.htu !== undefined && (request.url === undefined || claims.htu !== request.url)) throw new TokenError('binding', 'token is bound to another URL');
  // JWT-4: both bounds inclusive, at millisecond precision.
  const toleranceMs = settings.tolerance * 1000;
  const timeMs = claims.time * 1000;
  if (timeMs < nowMs - toleranceMs || timeMs > nowMs + toleranceMs) throw new TokenError('stale', `time is more than ${settings.tolerance} s away from now`);
}
