import type { Middleware } from 'koa';
import type { AppState } from '../context.js';

/** spec/jwt.md §9: cached by clients as the reference view is (JWKS_VIEW_TTL = 300 s). */
const MAX_AGE_SECONDS = 300;

// GET /.well-known/jwks.json → {"keys": [...]} (the keys listed in [jwt] publish_keys)
export function publishJwks(keys: ReadonlyArray<Record<string, string>>): Middleware<AppState> {
  const body = { keys };
  return function answerJwks(ctx) {
    ctx.set('Cache-Control', `public, max-age=${MAX_AGE_SECONDS}`);
    ctx.body = body;
  };
}
