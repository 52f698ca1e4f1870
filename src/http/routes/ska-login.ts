import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';
import { parseQuery, type ParsedParams } from '../../methods/ska/params.js';
import { loginTarget } from '../../methods/ska/redirect.js';
import type { SkaCaller, SkaUse, SkaVerifier } from '../../methods/ska/service.js';
import type { SessionManager } from '../../session/manager.js';
import type { AppState } from '../context.js';

type Ctx = Parameters<Middleware<AppState>>[0];

export interface SkaLoginDeps {
  verifier: SkaVerifier;
  sessions: SessionManager;
  use: SkaUse;
  /** The provider's REDIRECT_AFTER_LOGIN. */
  redirectOf: (provider: string) => string | null | undefined;
}

/** The failure body of ska's Django login view (spec/ska.md §8). */
export const LOGIN_FAILED = 'Authentication error!';

/** GET carries the signed fields in the query; POST in a form body (spec/ska.md §12.7). */
const paramsOf = (ctx: Ctx): ParsedParams => parseQuery(ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded') ? (ctx.request.rawBody ?? '') : ctx.querystring);

// GET /ska/login/?<signed query>[&next=/path] → 302 Location: next | provider redirect | / (and the session cookie)
//                                              | 403 text/plain "Authentication error!" (also when the validate hook refuses)
// POST /ska/login/ with the same fields as a form body.
export function skaLogin(deps: SkaLoginDeps): Middleware<AppState> {
  return async function loginWithSignedUrl(ctx) {
    // The URL carries the token: keep it out of Referer and caches (§12.7).
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cache-Control', 'no-store');
    const parsed = paramsOf(ctx);
    const caller: SkaCaller = { ip: ctx.state.clientIp, client: null };
    let success;
    try {
      success = await deps.verifier.authenticate(parsed, caller, deps.use);
    } catch (err) {
      // A ban stays a 429 with Retry-After; every other refusal looks alike to the browser.
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 429) throw err;
      ctx.status = 403;
      ctx.type = 'text/plain';
      ctx.body = LOGIN_FAILED;
      return;
    }
    deps.sessions.issue(ctx, { user: success.user, method: 'ska', data: { provider: success.provider } });
    const next = 'params' in parsed ? parsed.params.get('next') : undefined;
    ctx.redirect(loginTarget(next, success.provider === null ? null : deps.redirectOf(success.provider)));
  };
}
