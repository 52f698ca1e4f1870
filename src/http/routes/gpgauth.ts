import type { Middleware, ParameterizedContext } from 'koa';
import type { Clock } from '../../clock.js';
import { AppError, unavailable } from '../../errors.js';
import { BASE_HEADERS, START_HEADERS } from '../../methods/gpgauth/headers.js';
import { METHOD } from '../../methods/gpgauth/method.js';
import type { GpgAuthService } from '../../methods/gpgauth/service.js';
import type { SessionManager } from '../../session/manager.js';
import type { AppState } from '../context.js';

/** The service once the server key is unlocked; undefined while gpgAuth is not ready. */
export type GpgAuthServiceRef = () => GpgAuthService | undefined;

/** passbolt's JSON envelope, which its clients parse (spec/gpgauth.md §5). */
function envelope(ctx: ParameterizedContext<AppState>, clock: Clock, status: 'success' | 'error', code: number, message: string, body: unknown) {
  return { header: { id: ctx.state.requestId, status, servertime: Math.floor(clock.now() / 1000), action: ctx.state.route ?? ctx.path, message, url: ctx.path, code }, body };
}

/** The service, or 503 ERR_NOT_READY while gpgAuth has no server key. */
function requireService(ref: GpgAuthServiceRef): GpgAuthService {
  const service = ref();
  if (!service) throw unavailable('ERR_NOT_READY', 'gpgAuth has no server key configured');
  return service;
}

// GET /auth/verify.json: the server's fingerprint and armored public key (GPG-1).
export function gpgAuthVerifyGet(ref: GpgAuthServiceRef, clock: Clock): Middleware<AppState> {
  return function answerServerKey(ctx) {
    ctx.set(BASE_HEADERS);
    const service = requireService(ref);
    const { fingerprint, publicArmored } = service.serverKey;
    ctx.body = envelope(ctx, clock, 'success', 200, 'The operation was successful.', { fingerprint, keydata: publicArmored });
  };
}

// POST /auth/verify.json and /auth/login.json: one stage dispatcher (GPG-1, §3).
export function gpgAuthLogin(ref: GpgAuthServiceRef, sessions: SessionManager, clock: Clock): Middleware<AppState> {
  return async function answerGpgAuthStage(ctx) {
    ctx.set(BASE_HEADERS);
    ctx.set(START_HEADERS);
    ctx.set('Cache-Control', 'no-store');
    const service = requireService(ref);
    const current = sessions.current(ctx);
    if (current && current.method !== METHOD) throw new AppError(409, 'ERR_ALREADY_AUTHENTICATED', `already logged in through ${current.method}`);
    const outcome = await service.handle(ctx.request.body, ctx.state.clientIp);
    ctx.set(outcome.headers);
    ctx.status = outcome.status;
    const ok = outcome.status === 200 && outcome.headers['X-GPGAuth-Error'] === undefined;
    if (outcome.login) {
      sessions.issue(ctx, { user: outcome.login.user, method: METHOD, data: { fingerprint: outcome.login.fingerprint } });
      ctx.body = envelope(ctx, clock, 'success', 200, outcome.message, { user: outcome.login.user, fingerprint: outcome.login.fingerprint });
      return;
    }
    ctx.body = envelope(ctx, clock, ok ? 'success' : 'error', outcome.status, outcome.message, null);
  };
}

// GET|POST /auth/logout: where X-GPGAuth-Logout-URL points; ends the login session.
export function gpgAuthLogout(sessions: SessionManager, clock: Clock): Middleware<AppState> {
  return function endGpgAuthSession(ctx) {
    ctx.set(BASE_HEADERS);
    ctx.set('Cache-Control', 'no-store');
    sessions.logout(ctx);
    ctx.body = envelope(ctx, clock, 'success', 200, 'You are now logged out.', null);
  };
}

// GET /auth/is-authenticated.json: passbolt's session check (403 without a live session).
export function gpgAuthIsAuthenticated(sessions: SessionManager, clock: Clock): Middleware<AppState> {
  return function answerIsAuthenticated(ctx) {
    ctx.set(BASE_HEADERS);
    ctx.set('Cache-Control', 'no-store');
    const session = sessions.current(ctx);
    ctx.status = session ? 200 : 403;
    ctx.body = session
      ? envelope(ctx, clock, 'success', 200, 'The operation was successful.', 'success')
      : envelope(ctx, clock, 'error', 403, 'Authentication is required to continue', null);
  };
}
