import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';
import type { ClientRepository } from '../../store/clients.js';
import { cidrMatcher } from '../addresses.js';
import type { AppState } from '../context.js';

/**
 * API callers: unauthenticated from `api.allow_unauthenticated_from` (loopback by
 * default), otherwise `Authorization: Bearer <client token>`.
 */
export function authenticateCaller(clients: ClientRepository, allowUnauthenticatedFrom: readonly string[]): Middleware<AppState> {
  const isAllowed = cidrMatcher(allowUnauthenticatedFrom);
  return async function authenticateCallerStep(ctx, next) {
    const authorization = ctx.get('authorization');
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (bearer !== undefined) {
      const client = clients.authenticate(bearer);
      if (!client) throw new AppError(401, 'ERR_UNAUTHENTICATED', 'unknown or revoked client token');
      ctx.state.caller = { client, ip: ctx.state.clientIp };
    } else if (isAllowed(ctx.state.clientIp)) {
      ctx.state.caller = { client: null, ip: ctx.state.clientIp };
    } else {
      throw new AppError(401, 'ERR_UNAUTHENTICATED', 'a client token is required (Authorization: Bearer …)');
    }
    await next();
  };
}
