import type { Middleware } from 'koa';
import { AppError, type ErrorCode } from '../../errors.js';
import type { AppState } from '../context.js';

/** Errors from Koa and its body parser carry an HTTP status; give them a stable code. */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401: return 'ERR_UNAUTHENTICATED';
    case 403: return 'ERR_FORBIDDEN';
    case 404: return 'ERR_NOT_FOUND';
    case 405: return 'ERR_METHOD_NOT_ALLOWED';
    case 413: return 'ERR_PAYLOAD_TOO_LARGE';
    case 415: return 'ERR_UNSUPPORTED_MEDIA_TYPE';
    case 429: return 'ERR_RATE_LIMITED';
    default: return status < 500 ? 'ERR_INVALID_REQUEST' : 'ERR_INTERNAL';
  }
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const status = (err as { status?: unknown }).status;
  const expose = (err as { expose?: unknown }).expose === true;
  if (typeof status === 'number' && status >= 400 && status < 500 && expose) {
    return new AppError(status, codeForStatus(status), (err as Error).message, { cause: err });
  }
  return new AppError(500, 'ERR_INTERNAL', 'internal error', { cause: err });
}

/**
 * The one place errors become responses: `{error, error_description}` for errors the
 * caller caused and for exposed states (a method not ready: `AppError` `expose`), a
 * fixed body plus a logged request id for our own failures (OPS-7).
 */
export function errorHandler(): Middleware<AppState> {
  return async function renderErrors(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError(404, 'ERR_NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
    } catch (err) {
      const error = toAppError(err);
      if (!error.expose) ctx.state.logger.error('http.internal_error', { err: error.cause instanceof Error ? error.cause.stack : String(error.cause) });
      ctx.status = error.status;
      if (error.retryAfter !== undefined) ctx.set('Retry-After', String(error.retryAfter));
      if (error.status === 401 && error.code === 'ERR_UNAUTHENTICATED') ctx.set('WWW-Authenticate', 'Bearer');
      ctx.body = error.expose
        ? { error: error.code, error_description: error.message, ...error.details }
        : { error: 'ERR_INTERNAL', error_description: `internal error (request ${ctx.state.requestId})` };
    }
  };
}
