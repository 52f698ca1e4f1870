import type { Middleware } from 'koa';
import type { SessionManager } from '../../session/manager.js';
import type { UserRepository } from '../../store/users.js';
import { canonicalAddress, cidrMatcher } from '../addresses.js';
import type { AppState } from '../context.js';

/**
 * Forward authentication for reverse proxies (spec/ops.md §5, OPS-11): the proxy asks
 * before serving each request, forwarding the browser's cookie; a live login session
 * answers 200 with Authelia's identity headers.
 *
 * - `traefik`: GET /auth/forward (Traefik forwardAuth, Caddy forward_auth) reads
 *   X-Forwarded-Proto/Host/Uri and answers 302 to the login page when there is no session.
 * - `nginx`: GET /auth/request (nginx auth_request) reads X-Original-URL; nginx cannot
 *   pass a redirect through, so it answers 401 with `Location`, which
 *   `error_page 401 = @login` turns into a 302.
 *
 * X-Forwarded-* / X-Original-URL are believed only from http.trusted_proxies.
 */
export interface ForwardAuthDeps {
  sessions: SessionManager;
  users: UserRepository;
  /** Where people log in; `rd` carries the URL they wanted. Empty: 401 without Location. */
  loginUrl: string;
  trustedProxies: readonly string[];
}

/** A header value carrying UTF-8 bytes, as Go proxies send them; refused when it has control characters. */
function headerValue(value: string): string | undefined {
  if (/[\u0000-\u001f\u007f]/u.test(value)) return undefined;
  return Buffer.from(value, 'utf8').toString('latin1');
}

function httpUrl(candidate: string): string | undefined {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function forwardAuth(kind: 'traefik' | 'nginx', deps: ForwardAuthDeps): Middleware<AppState> {
  const isTrusted = cidrMatcher(deps.trustedProxies);
  return function answerForwardAuth(ctx) {
    ctx.set('Cache-Control', 'no-store');
    const session = deps.sessions.current(ctx);
    const user = session && deps.users.findByUsername(session.user);
    if (session && !user?.disabled) {
      const headers: Array<[string, string | null | undefined]> = [
        ['Remote-User', session.user],
        ['Remote-Groups', ''],
        ['Remote-Email', user?.email],
        ['Remote-Name', user?.displayName],
      ];
      for (const [name, value] of headers) {
        const safe = value === null || value === undefined ? undefined : headerValue(value);
        if (safe !== undefined) ctx.set(name, safe);
      }
      ctx.status = 200;
      ctx.body = '';
      return;
    }

    const fromProxy = isTrusted(canonicalAddress(ctx.req.socket.remoteAddress ?? ''));
    const wanted = !fromProxy
      ? undefined
      : kind === 'traefik'
        ? httpUrl(`${ctx.get('x-forwarded-proto') || 'https'}://${ctx.get('x-forwarded-host')}${ctx.get('x-forwarded-uri') || '/'}`)
        : httpUrl(ctx.get('x-original-url'));
    let location: string | undefined;
    if (deps.loginUrl !== '') {
      const login = new URL(deps.loginUrl);
      if (wanted !== undefined) login.searchParams.set('rd', wanted);
      location = login.href;
    }
    if (location !== undefined) ctx.set('Location', location);
    ctx.status = kind === 'traefik' && location !== undefined ? 302 : 401;
    ctx.body = { error: 'ERR_NO_SESSION', error_description: 'no live login session' };
  };
}
