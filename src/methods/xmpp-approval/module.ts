import { auth } from '../../http/routes/auth.js';
import { createXmppRequest, getXmppRequest } from '../../http/routes/xmpp-requests.js';
import { named } from '../../http/app.js';
import { version } from '../../version.js';
import { answerServiceDiscovery } from '../../xmpp/disco.js';
import { ComponentLink, type LinkState } from '../../xmpp/link.js';
import { acceptSubscriptions } from '../../xmpp/presence.js';
import type { MethodContext, MethodModule } from '../module.js';
import { CapabilityCache } from './capability-cache.js';
import { ApprovalEngine } from './engine.js';
import { ApprovalLimits } from './limits.js';
import { XmppApprovalService } from './service.js';

export interface XmppApprovalModule extends MethodModule {
  link: ComponentLink | undefined;
  approvals: XmppApprovalService | undefined;
}

/**
 * XEP-0070 approvals: the component link, the engine and the HTTP routes. With
 * `xmpp.enabled = false` the routes stay (answering 523 / 503) and nothing connects.
 */
export function createXmppApprovalModule(ctx: MethodContext, onFatal: (err: Error) => void): XmppApprovalModule {
  const { config, logger, store, clock } = ctx;
  const timeouts = config.xmpp;
  let link: ComponentLink | undefined;
  let approvals: XmppApprovalService | undefined;
  let limits: ApprovalLimits | undefined;

  if (config.xmpp.enabled) {
    link = new ComponentLink({ service: config.xmpp.service, domain: config.xmpp.domain, secret: config.xmpp.secret ?? '' }, logger);
    answerServiceDiscovery(link, version);
    acceptSubscriptions(link, logger);
    // The first attempt, going online and losing the link are news; each retry of the
    // back-off while the server stays away is not (one warning per outage, OPS-14).
    let previous: LinkState | undefined;
    link.on('state', (state) => {
      const news = previous === undefined || previous === 'online' || state === 'online' || state === 'stopped';
      logger.log(news ? 'info' : 'debug', 'xmpp.state', { state, domain: config.xmpp.domain });
      previous = state;
    });
    link.on('fatal', onFatal);
    limits = new ApprovalLimits(config.limits, clock);
    approvals = new XmppApprovalService({ engine: new ApprovalEngine(link, new CapabilityCache(clock)), limits, store, clock, logger });
    const sweep = limits;
    store.addPurgeable({ purge: () => (sweep.sweep(), 0) });
  } else {
    logger.warn('xmpp.disabled', { reason: 'xmpp.enabled = false: /auth answers 523' });
  }
  const online = link;

  return {
    name: 'xmpp',
    link,
    approvals,
    routes(router, caller) {
      router.all('/auth', named('/auth'), caller, auth(approvals, timeouts));
      router.post('/v1/xmpp/requests', named('/v1/xmpp/requests'), caller, createXmppRequest(approvals, timeouts));
      router.get('/v1/xmpp/requests/:id', named('/v1/xmpp/requests/:id'), caller, getXmppRequest(approvals, timeouts));
    },
    ...(online ? { readiness: { name: 'xmpp', check: () => ({ up: online.state === 'online', detail: online.state }) } } : {}),
    start() {
      online?.start();
    },
    async stop() {
      approvals?.interruptAll();
      await approvals?.drain();
      await online?.stop();
    },
  };
}
