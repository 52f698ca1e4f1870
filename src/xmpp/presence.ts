import { xml, type Element } from '@xmpp/component';
import type { Logger } from '../log.js';
import { parseJid } from './jid.js';
import type { ComponentLink } from './link.js';

/**
 * XMPP-21: people may add the component to their roster (some clients hide messages
 * from non-contacts). Subscriptions are accepted, probes answered with our presence.
 * https://xmpp.org/rfcs/rfc6121.html#sub-request-handle
 */
export function acceptSubscriptions(link: ComponentLink, logger: Logger): void {
  link.on('stanza', (stanza: Element) => {
    if (stanza.name !== 'presence') return;
    const from = parseJid(stanza.attrs['from'] ?? '');
    if (!from) return;
    const to = stanza.attrs['to'] ?? link.domain;
    const type = stanza.attrs['type'];
    logger.debug('xmpp.presence', { from: from.bare, type: type ?? 'available' });
    const replies: Element[] = [];
    if (type === 'subscribe') {
      replies.push(xml('presence', { type: 'subscribed', to: from.bare, from: to }), xml('presence', { to: from.bare, from: to }));
    } else if (type === 'probe') {
      replies.push(xml('presence', { to: from.bare, from: to }));
    } else if (type === 'unsubscribe') {
      replies.push(xml('presence', { type: 'unsubscribed', to: from.bare, from: to }));
    }
    for (const reply of replies) {
      link.send(reply).catch((err: unknown) => logger.debug('xmpp.presence_send_failed', { err: String(err) }));
    }
  });
}
