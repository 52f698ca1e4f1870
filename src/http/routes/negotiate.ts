import type { Context, Middleware } from 'koa';
import { AppError } from '../../errors.js';
import { negotiateChallenge, readNegotiateHeader } from '../../methods/kerberos/negotiate.js';
import { notConfigured, type KerberosLogin, type KerberosService } from '../../methods/kerberos/service.js';
import type { Caller } from '../../methods/xmpp-approval/service.js';
import type { AppState } from '../context.js';

export interface NegotiateDeps {
  /** Absent when the method is not ready (no usable keytab). */
  service: KerberosService | undefined;
  /** The API client named by `X-Authbridge-Client: Bearer <token>`, if any (Authorization carries Negotiate). */
  apiClient(ctx: Context & { state: AppState }): Caller['client'];
  /** Whether the address may use the API unauthenticated (`api.allow_unauthenticated_from`). */
  isAllowedAddress(ip: string): boolean;
  /** Opens the login session (cookie) for a successful login. */
  startSession(ctx: Context & { state: AppState }, login: KerberosLogin): void;
}

// GET /v1/negotiate — HTTP Negotiate (RFC 4559; spec/kerberos.md §1, KRB-1, KRB-2).
export function negotiate(deps: NegotiateDeps): Middleware<AppState> {
  return async function acceptNegotiate(ctx) {
    ctx.set('Cache-Control', 'no-store');
    if (!deps.service) throw notConfigured();
    const header = readNegotiateHeader(ctx.get('authorization'));
    // RFC 4559 §5: every refusal carries a fresh, bare challenge.
    ctx.set('WWW-Authenticate', negotiateChallenge());
    if (header.kind === 'absent') throw new AppError(401, 'ERR_NEGOTIATE_REQUIRED', 'send Authorization: Negotiate <token>');
    if (header.kind === 'malformed') throw new AppError(401, 'ERR_KERBEROS_TOKEN_INVALID', 'the Negotiate token is not base64');

    const caller: Caller = { client: deps.apiClient(ctx), ip: ctx.state.clientIp };
    const login = await deps.service.login(header.token, caller, (admitted) => deps.startSession(ctx, admitted));
    ctx.set('WWW-Authenticate', negotiateChallenge(login.replyToken));
    ctx.body = {
      user: login.user.username,
      principal: login.principal,
      delegated: login.ccache !== null,
      // Only web applications learn where the cache is: an allowed address or an API client.
      ...(login.ccache && (caller.client !== null || deps.isAllowedAddress(caller.ip)) ? { ccache: login.ccache.path, ccache_expires_at: new Date(login.ccache.expiresAt).toISOString() } : {}),
    };
  };
}
