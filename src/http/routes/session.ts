import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';
import type { Session, SessionManager } from '../../session/manager.js';
import type { AppState } from '../context.js';

export const sessionView = (s: Session) => ({
  user: s.user,
  method: s.method,
  created_at: new Date(s.createdAt).toISOString(),
  expires_at: new Date(s.expiresAt).toISOString(),
  data: s.data,
});

// GET /v1/session: the login session named by the request's cookie.
export function getSession(sessions: SessionManager): Middleware<AppState> {
  return function answerSession(ctx) {
    ctx.set('Cache-Control', 'no-store');
    const session = sessions.current(ctx);
    if (!session) throw new AppError(401, 'ERR_NO_SESSION', 'no live login session');
    ctx.body = sessionView(session);
  };
}

// POST /v1/session/logout: ends the session and clears the cookie (idempotent).
export function logoutSession(sessions: SessionManager): Middleware<AppState> {
  return function endSession(ctx) {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { ended: sessions.logout(ctx) };
  };
}
