import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Config } from '../config/load.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/store.js';
import type { AppState } from './context.js';
import { authenticateCaller } from './middleware/authenticate-caller.js';
import { errorHandler } from './middleware/error-handler.js';
import { requestContext } from './middleware/request-context.js';
import type { ReadinessCheck } from './readiness.js';
import { healthz, readyz } from './routes/health.js';

export interface HttpDeps {
  config: Config;
  logger: Logger;
  store: Store;
  readiness: readonly ReadinessCheck[];
  metrics?: Metrics | undefined;
}

/** Each method mounts its routes through this; `callerAuth` guards API routes (see authenticateCaller). */
export type RouteMount = (router: Router<AppState>, callerAuth: Middleware<AppState>) => void;

/** Names the route in logs before its handler runs. */
export const named = (route: string): Middleware<AppState> =>
  async function nameRoute(ctx, next) {
    ctx.state.route = route;
    await next();
  };

/** A body that does not parse is the caller's mistake (the parser's own errors carry no status). */
function rejectBody(err: Error): never {
  const status = (err as { status?: unknown }).status;
  if (status === 413) throw new AppError(413, 'ERR_PAYLOAD_TOO_LARGE', 'request body is too large');
  if (status === 415) throw new AppError(415, 'ERR_UNSUPPORTED_MEDIA_TYPE', 'unsupported body encoding');
  throw new AppError(400, 'ERR_INVALID_REQUEST', 'request body does not parse as its Content-Type says');
}

/**
 * koa-router answers a method a path lacks with 405 and one it knows for no route at all
 * with 501 (both with `Allow`): either way the caller's mistake, so a 405 with a stable
 * code, or a 404 when no route has that path.
 */
async function refuseUnroutedMethod(ctx: Parameters<Middleware<AppState>>[0], next: () => Promise<unknown>): Promise<void> {
  await next();
  if ((ctx.status !== 405 && ctx.status !== 501) || ctx.body !== undefined) return;
  if (ctx.response.get('Allow') === '') {
    ctx.remove('Allow');
    throw new AppError(404, 'ERR_NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
  }
  throw new AppError(405, 'ERR_METHOD_NOT_ALLOWED', `${ctx.method} is not allowed here`);
}

/** The Koa application with every route listed in one place. */
export function createHttpApp(deps: HttpDeps, mounts: readonly RouteMount[] = []): Koa<AppState> {
  const { config, logger, store } = deps;
  const app = new Koa<AppState>();
  const router = new Router<AppState>();
  const caller = authenticateCaller(store.clients, config.api.allow_unauthenticated_from);

  router.get('/healthz', named('/healthz'), healthz());
  router.get('/readyz', named('/readyz'), readyz(deps.readiness));
  for (const mount of mounts) mount(router, caller);

  const metrics = deps.metrics;
  app.use(requestContext(logger, config.http.trusted_proxies, metrics && ((route, status, seconds) => metrics.observeRequest(route, status, seconds))));
  app.use(errorHandler());
  app.use(bodyParser({ enableTypes: ['json', 'form'], jsonLimit: '64kb', formLimit: '64kb', jsonStrict: true, onError: rejectBody }));
  app.use(refuseUnroutedMethod);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
