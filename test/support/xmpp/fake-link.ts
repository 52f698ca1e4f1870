import { EventEmitter } from 'node:events';
import type { Element } from '@xmpp/component';
import type { ApprovalLink } from '../../../src/methods/xmpp-approval/engine.js';
import type { LinkState } from '../../../src/xmpp/link.js';

/**
 * A link without a server for unit tests of the approval engine: records what is
 * sent and lets the test deliver stanzas (xmpp.js's catchOutgoing idea).
 */
export class FakeLink extends EventEmitter implements ApprovalLink {
  state: LinkState = 'online';
  readonly sent: Element[] = [];
  /** Sent stanzas no catchOutgoing() has claimed yet. */
  readonly #unclaimed: Element[] = [];
  readonly #waiters: Array<{ predicate: (el: Element) => boolean; resolve: (el: Element) => void }> = [];

  async send(stanza: Element): Promise<void> {
    this.sent.push(stanza);
    const index = this.#waiters.findIndex((w) => w.predicate(stanza));
    if (index >= 0) this.#waiters.splice(index, 1)[0]!.resolve(stanza);
    else this.#unclaimed.push(stanza);
  }

  /** Resolves with the next stanza sent that matches `predicate` (or one already sent and not yet caught). */
  catchOutgoing(predicate: (el: Element) => boolean = () => true): Promise<Element> {
    const index = this.#unclaimed.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.#unclaimed.splice(index, 1)[0]!);
    return new Promise((resolve) => this.#waiters.push({ predicate, resolve }));
  }

  receive(stanza: Element): void {
    this.emit('stanza', stanza);
  }

  setState(state: LinkState): void {
    this.state = state;
    this.emit('state', state);
  }
}
