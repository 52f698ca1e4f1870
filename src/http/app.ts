import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Config } from '../config/load.js';
import type { Logger } from '../log.js';
import type { XmppApprovalService } from '../methods/xmpp-approval/service.js';
import type { Store } from '../store/store.js';
import type { AppState } from './context.js';
import { authenticateCaller } from './middleware/authenticate-caller.js';
import { errorHandler } from './middleware/error-handler.js';
import { requestContext } from './middleware/request-context.js';
import type { ReadinessCheck } from './readiness.js';
import { auth } from './routes/auth.js';
import { healthz, readyz } from './routes/health.js';
import { createXmppRequest, getXmppRequest } from './routes/xmpp-requests.js';

export interface HttpDeps {
  config: Config;
  logger: Logger;
  store: Store;
  approvals: XmppApprovalService | undefined;
  readiness: readonly ReadinessCheck[];
}

/** Method issues mount their routes through this: `(router, caller) => void`. */
export type RouteMount = (router: Router<AppState>, callerAuth: Middleware<AppState>) => void;

/** Names the route in logs before its handler runs. */
const named = (route: string): Middleware<AppState> =>
  async function nameRoute(ctx, next) {
    ctx.state.route = route;
    await next();
  };

/** The Koa application with every route listed in one place. */
export function createHttpApp(deps: HttpDeps, mounts: readonly RouteMount[] = []): Koa<AppState> {
  const { config, logger, store, approvals } = deps;
  const app = new Koa<AppState>();
  const router = new Router<AppState>();
  const caller = authenticateCaller(store.clients, config.api.allow_unauthenticated_from);
  const timeouts = config.xmpp;

  router.get('/healthz', named('/healthz'), healthz());
  router.get('/readyz', named('/readyz'), readyz(deps.readiness));
  router.all('/auth', named('/auth'), caller, auth(approvals, timeouts));
  router.post('/v1/xmpp/requests', named('/v1/xmpp/requests'), caller, createXmppRequest(approvals, timeouts));
  router.get('/v1/xmpp/requests/:id', named('/v1/xmpp/requests/:id'), caller, getXmppRequest(approvals, timeouts));
  for (const mount of mounts) mount(router, caller);

  app.use(requestContext(logger, config.http.trusted_proxies));
  app.use(errorHandler());
  app.use(bodyParser({ enableTypes: ['json', 'form'], jsonLimit: '64kb', formLimit: '64kb', jsonStrict: true }));
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
