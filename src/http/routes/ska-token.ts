import type { Middleware } from 'koa';
import { unavailable } from '../../errors.js';
import { parseQuery } from '../../methods/ska/params.js';
import type { SkaUse, SkaVerifier } from '../../methods/ska/service.js';
import type { SkaTokenIssuer } from '../../methods/ska/token.js';
import type { UserRepository } from '../../store/users.js';
import type { AppState } from '../context.js';

export interface SkaTokenDeps {
  verifier: SkaVerifier;
  issuer: SkaTokenIssuer;
  users: Pick<UserRepository, 'findByUsername'>;
  use: SkaUse;
}

// GET /ska/obtain-jwt-token/?<signed query> → 200 {"token": "<JWT>"}
//   | 401 {error, error_description: "Unauthorised request. <reasons joined by "; ">", reasons}
//   | 403 ERR_USER_NOT_ALLOWED | ERR_USER_DISABLED | ERR_HOOK_DENIED (the validate hook answered 403)
//   | 503 ERR_TOKEN_KEY_UNAVAILABLE (no private key in [jwt] publish_keys)
export function skaObtainToken(deps: SkaTokenDeps): Middleware<AppState> {
  return async function obtainJwtForSignedUrl(ctx) {
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cache-Control', 'no-store');
    if (!deps.issuer.available) {
      throw unavailable('ERR_TOKEN_KEY_UNAVAILABLE', 'no token signing key: the first [jwt] publish_keys entry must be a private key file');
    }
    const success = await deps.verifier.authenticate(parseQuery(ctx.querystring), { ip: ctx.state.clientIp, client: null }, deps.use);
    ctx.body = { token: deps.issuer.issue(success.user, deps.users.findByUsername(success.user)?.email ?? null) };
  };
}
