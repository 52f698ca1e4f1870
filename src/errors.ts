/**
 * The closed set of error codes authbridge answers with. HTTP rendering and tests
 * switch on `code`, never on message text. Method issues extend this list; the
 * array is the runtime copy tests check answers against.
 */
export const ERROR_CODES = [
  'ERR_INVALID_REQUEST',
  'ERR_INVALID_JID',
  'ERR_UNAUTHENTICATED',
  'ERR_FORBIDDEN',
  'ERR_NOT_FOUND',
  'ERR_METHOD_NOT_ALLOWED',
  'ERR_PAYLOAD_TOO_LARGE',
  'ERR_HEADERS_TOO_LARGE',
  'ERR_REQUEST_TIMEOUT',
  'ERR_UNSUPPORTED_MEDIA_TYPE',
  'ERR_RATE_LIMITED',
  'ERR_XMPP_UNAVAILABLE',
  'ERR_NOT_READY',
  'ERR_INTERNAL',
  // key-signed JWT (spec/jwt.md)
  'ERR_TOKEN_MALFORMED',
  'ERR_TOKEN_ALGORITHM',
  'ERR_TOKEN_SIGNATURE',
  'ERR_TOKEN_STALE',
  'ERR_TOKEN_EXPIRED',
  'ERR_TOKEN_BINDING',
  'ERR_TOKEN_REPLAYED',
  'ERR_UNKNOWN_USER',
  'ERR_NO_SESSION',
  // Kerberos / SPNEGO (spec/kerberos.md)
  'ERR_NEGOTIATE_REQUIRED',
  'ERR_KERBEROS_TOKEN_INVALID',
  'ERR_KERBEROS_TOKEN_REPLAYED',
  'ERR_KERBEROS_REALM_NOT_ALLOWED',
  'ERR_KERBEROS_UNKNOWN_PRINCIPAL',
  'ERR_KERBEROS_NOT_CONFIGURED',
  // ska signed requests (spec/ska.md)
  'ERR_SIGNATURE_INVALID',
  'ERR_SIGNATURE_MALFORMED',
  'ERR_SIGNATURE_EXPIRED',
  'ERR_SIGNATURE_LIFETIME',
  'ERR_SIGNATURE_REPLAYED',
  'ERR_UNKNOWN_PROVIDER',
  'ERR_USER_NOT_ALLOWED',
  'ERR_USER_DISABLED',
  'ERR_HOOK_DENIED',
  'ERR_TOKEN_KEY_UNAVAILABLE',
  // gpgAuth (spec/gpgauth.md)
  'ERR_ALREADY_AUTHENTICATED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorOptions {
  cause?: unknown;
  /** Seconds, sent as `Retry-After` with 429 and 503 answers. */
  retryAfter?: number;
  /** Extra JSON members added to the error body (e.g. ska's `reasons`). */
  details?: Record<string, unknown>;
  /**
   * Whether code and description reach the caller. Default: only for 4xx. A 5xx that
   * names a deliberate state (a method not configured or not ready) sets it, so the
   * caller gets a stable code rather than the generic internal error.
   */
  expose?: boolean;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Whether the description may be shown to the caller (Koa's convention). */
  readonly expose: boolean;
  readonly retryAfter: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, code: ErrorCode, description: string, options: AppErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.retryAfter = options.retryAfter;
    this.details = options.details;
  }
}

export const badRequest = (description: string, code: ErrorCode = 'ERR_INVALID_REQUEST') =>
  new AppError(400, code, description);

export const rateLimited = (description: string, retryAfter: number) =>
  new AppError(429, 'ERR_RATE_LIMITED', description, { retryAfter });

/** A method that is switched off or not ready: 503 with its stable code, shown to the caller. */
export const unavailable = (code: ErrorCode, description: string) => new AppError(503, code, description, { expose: true });

/** Thrown by config loading; carries every problem found, each with its dotted key path. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
