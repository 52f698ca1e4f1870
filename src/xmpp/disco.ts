import { xml } from '@xmpp/component';
import type { ComponentLink } from './link.js';
import { NS_DISCO_INFO, NS_DISCO_ITEMS, NS_VERSION } from './namespaces.js';

export const IDENTITY_NAME = 'authbridge';

/**
 * XMPP-20: the component answers disco#info, disco#items and software version
 * (XEP-0030, XEP-0092) on its own domain. Other iqs get service-unavailable from
 * iqCallee. https://xmpp.org/extensions/xep-0030.html#info-basic
 */
export function answerServiceDiscovery(link: ComponentLink, version: string): void {
  const callee = link.entity.iqCallee;
  callee.get(NS_DISCO_INFO, 'query', () =>
    xml(
      'query',
      { xmlns: NS_DISCO_INFO },
      xml('identity', { category: 'component', type: 'generic', name: IDENTITY_NAME }),
      xml('feature', { var: NS_DISCO_INFO }),
      xml('feature', { var: NS_DISCO_ITEMS }),
      xml('feature', { var: NS_VERSION }),
    ),
  );
  callee.get(NS_DISCO_ITEMS, 'query', () => xml('query', { xmlns: NS_DISCO_ITEMS }));
  callee.get(NS_VERSION, 'query', () =>
    xml('query', { xmlns: NS_VERSION }, xml('name', {}, IDENTITY_NAME), xml('version', {}, version)),
  );
}
