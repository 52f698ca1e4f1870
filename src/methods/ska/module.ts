import { named } from '../../http/app.js';
import { verifySkaBody, verifySkaQuery } from '../../http/routes/ska-verify.js';
import type { MethodContext, MethodModule } from '../module.js';
import { SkaVerifier } from './service.js';

export interface SkaModule extends MethodModule {
  verifier: SkaVerifier;
}

/** ska signed requests: the verify API and the purge of one-time records. */
export function createSkaModule(ctx: MethodContext): SkaModule {
  const { config, store, clock, logger, regulation } = ctx;
  const verifier = new SkaVerifier({ settings: config.ska, store, clock, regulation, logger });
  store.addPurgeable({ purge: (now) => store.ska.purgeExpired(now) });
  if (config.ska.secret !== undefined && Buffer.byteLength(config.ska.secret) < 32) {
    logger.warn('ska.short_secret', { reason: 'ska.secret is shorter than 32 bytes (spec/ska.md §12.2)' });
  }
  return {
    name: 'ska',
    verifier,
    routes(router, caller) {
      router.get('/v1/ska/verify', named('/v1/ska/verify'), caller, verifySkaQuery(verifier));
      router.post('/v1/ska/verify', named('/v1/ska/verify'), caller, verifySkaBody(verifier));
    },
    stop() {
      verifier.flushAudit();
    },
  };
}
