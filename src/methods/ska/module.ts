import { named } from '../../http/app.js';
import { skaLogin } from '../../http/routes/ska-login.js';
import { skaObtainToken } from '../../http/routes/ska-token.js';
import { verifySkaBody, verifySkaQuery } from '../../http/routes/ska-verify.js';
import type { MethodContext, MethodModule } from '../module.js';
import { SkaHooks } from './hooks.js';
import { SkaVerifier, type SkaUse } from './service.js';
import { loadTokenKey, SkaTokenIssuer } from './token.js';

export interface SkaModule extends MethodModule {
  verifier: SkaVerifier;
}

/** ska's token endpoint, at our prefix and at the one of ska's README (`ska-rest/`). */
const TOKEN_PATHS = ['/ska/obtain-jwt-token/', '/ska-rest/obtain-jwt-token/'];

/**
 * ska signed requests: the verify API, the browser login, the JWT token endpoint
 * and the purge of one-time records.
 */
export function createSkaModule(ctx: MethodContext): SkaModule {
  const { config, store, clock, logger, regulation, sessions } = ctx;
  const hooks =
    config.ska.hook_url === '' ? null : new SkaHooks({ url: config.ska.hook_url, timeoutSeconds: config.ska.hook_timeout, secret: config.ska.hook_secret }, clock, logger);
  const verifier = new SkaVerifier({ settings: config.ska, store, clock, regulation, logger, hooks });
  store.addPurgeable({ purge: (now) => store.ska.purgeExpired(now) });
  if (config.ska.secret !== undefined && Buffer.byteLength(config.ska.secret) < 32) {
    logger.warn('ska.short_secret', { reason: 'ska.secret is shorter than 32 bytes (spec/ska.md §12.2)' });
  }
  // SKA-7: like ska's Django backend, the login (and the token endpoint built on it) creates absent users
  // and runs the hooks; /v1/ska/verify is ska's permission class, which does neither (spec/ska.md §10).
  const loginUse: SkaUse = { signatures: config.ska.login_signatures, createUsers: true };
  const tokenKey = loadTokenKey(config.jwt.publish_keys);
  if ('problem' in tokenKey) logger.info('ska.token_endpoint_unavailable', { reason: `${tokenKey.problem}: /ska/obtain-jwt-token/ answers 503` });
  const issuer = new SkaTokenIssuer('key' in tokenKey ? tokenKey.key : null, clock, config.ska.token_lifetime);
  const redirectOf = (name: string) => store.ska.findProvider(name)?.redirect;
  return {
    name: 'ska',
    verifier,
    routes(router, caller) {
      router.get('/v1/ska/verify', named('/v1/ska/verify'), caller, verifySkaQuery(verifier));
      router.post('/v1/ska/verify', named('/v1/ska/verify'), caller, verifySkaBody(verifier));
      // Browser-facing: the signature is the credential, no callerAuth.
      const login = skaLogin({ verifier, sessions, use: loginUse, redirectOf });
      router.get('/ska/login/', named('/ska/login/'), login);
      router.post('/ska/login/', named('/ska/login/'), login);
      for (const path of TOKEN_PATHS) router.get(path, named(path), skaObtainToken({ verifier, issuer, users: store.users, use: loginUse }));
    },
  };
}
