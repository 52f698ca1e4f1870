import { randomBytes } from 'node:crypto';
import type { Element } from '@xmpp/component';
import {
  classifyDiscoReply,
  classifyIqReply,
  confirmIq,
  confirmMessage,
  discoInfoQuery,
  matchMessage,
  type ConfirmRequest,
} from '../../xmpp/confirm.js';
import { normalizeFrom, type Jid } from '../../xmpp/jid.js';
import type { LinkState } from '../../xmpp/link.js';
import { CapabilityCache } from './capability-cache.js';

export type ApprovalOutcome = 'approved' | 'denied' | 'expired' | 'unreachable' | 'interrupted' | 'failed';

/** What the engine needs of the component link; tests pass a fake that records what is sent. */
export interface ApprovalLink {
  readonly state: LinkState;
  send(stanza: Element): Promise<void>;
  on(event: 'stanza', listener: (stanza: Element) => void): unknown;
  on(event: 'state', listener: (state: LinkState) => void): unknown;
}

export interface ApprovalInput extends ConfirmRequest {
  jid: Jid;
  timeoutMs: number;
}

type Phase = 'disco' | 'iq' | 'message';

interface Pending {
  input: ApprovalInput;
  phase: Phase;
  /** Id of the stanza whose answer we wait for: never the transaction id (XMPP-10, XMPP-15). */
  stanzaId: string;
  /** The message path's `<thread/>`, chosen when a message is sent. */
  thread: string;
  timer: NodeJS.Timeout;
  resolve: (outcome: ApprovalOutcome) => void;
}

/** Our ids are random: a reply cannot be forged by guessing them (spec/xmpp.md §4 bug 1). */
const newStanzaId = () => randomBytes(12).toString('base64url');

/**
 * The XEP-0070 request lifecycle (spec/xmpp.md §13): full JID → disco#info (unless
 * recently answered) → iq confirm or message to the bare JID; bare JID → message. Answers are accepted only
 * from the JID that was asked; the first decisive answer wins; everything still
 * waiting when the link drops ends as `unreachable`.
 */
export class ApprovalEngine {
  readonly #link: ApprovalLink;
  readonly #capabilities: CapabilityCache;
  readonly #byStanzaId = new Map<string, Pending>();
  /** Message-path requests by bare JID, oldest first, for replies that carry no id of ours. */
  readonly #messagesByJid = new Map<string, Set<Pending>>();
  readonly #all = new Set<Pending>();

  constructor(link: ApprovalLink, capabilities: CapabilityCache) {
    this.#link = link;
    this.#capabilities = capabilities;
    link.on('stanza', (stanza) => this.#onStanza(stanza));
    link.on('state', (state) => {
      if (state !== 'online') this.finishAll('unreachable');
    });
  }

  get pendingCount(): number {
    return this.#all.size;
  }

  /** Resolves with the outcome; never rejects. */
  request(input: ApprovalInput): Promise<ApprovalOutcome> {
    if (this.#link.state !== 'online') return Promise.resolve('unreachable');
    return new Promise((resolve) => {
      const pending: Pending = {
        input,
        phase: 'disco',
        stanzaId: '',
        thread: '',
        timer: setTimeout(() => this.#finish(pending, 'expired'), input.timeoutMs),
        resolve,
      };
      this.#all.add(pending);
      const supportsHttpAuth = input.jid.resource === undefined ? false : this.#capabilities.get(input.jid.full);
      if (supportsHttpAuth === undefined) this.#send(pending, 'disco', (id) => discoInfoQuery(input.jid.full, id));
      else if (supportsHttpAuth) this.#sendConfirmIq(pending);
      else this.#sendMessage(pending);
    });
  }

  /** Ends every pending request with `outcome` (link lost, shutdown). */
  finishAll(outcome: ApprovalOutcome): void {
    for (const pending of [...this.#all]) this.#finish(pending, outcome);
  }

  #send(pending: Pending, phase: Phase, build: (id: string) => Element): void {
    this.#byStanzaId.delete(pending.stanzaId);
    pending.phase = phase;
    pending.stanzaId = newStanzaId();
    this.#byStanzaId.set(pending.stanzaId, pending);
    // A send that fails while the link is up is our own fault (520), not the person's (XMPP-4).
    this.#link.send(build(pending.stanzaId)).catch(() => this.#finish(pending, this.#link.state === 'online' ? 'failed' : 'unreachable'));
  }

  // https://xmpp.org/extensions/xep-0070.html#http-iq (XMPP-10)
  #sendConfirmIq(pending: Pending): void {
    this.#send(pending, 'iq', (id) => confirmIq(pending.input.jid.full, id, pending.input));
  }

  // https://xmpp.org/extensions/xep-0070.html#http-message (XMPP-12): always to the bare JID.
  #sendMessage(pending: Pending): void {
    const { jid } = pending.input;
    let waiting = this.#messagesByJid.get(jid.bare);
    if (!waiting) this.#messagesByJid.set(jid.bare, (waiting = new Set()));
    waiting.add(pending);
    pending.thread = newStanzaId();
    this.#send(pending, 'message', (id) => confirmMessage(jid.bare, id, pending.thread, pending.input));
  }

  #onStanza(stanza: Element): void {
    const from = normalizeFrom(stanza.attrs['from']);
    if (!from) return;
    if (stanza.name === 'iq') this.#onIqReply(stanza, from);
    else if (stanza.name === 'message') this.#onMessage(stanza, from);
  }

  // XMPP-11: only the full JID we asked may answer an iq, and only with our id.
  #onIqReply(stanza: Element, from: Jid): void {
    const type = stanza.attrs['type'];
    if (type !== 'result' && type !== 'error') return;
    const pending = this.#byStanzaId.get(stanza.attrs['id'] ?? '');
    if (!pending || pending.phase === 'message' || from.full !== pending.input.jid.full) return;

    if (pending.phase === 'disco') {
      const verdict = classifyDiscoReply(stanza);
      if (verdict !== 'unreachable') this.#capabilities.set(from.full, verdict === 'iq');
      if (verdict === 'iq') this.#sendConfirmIq(pending);
      else if (verdict === 'message') this.#sendMessage(pending);
      else this.#finish(pending, 'unreachable');
      return;
    }
    const decision = classifyIqReply(stanza);
    if (decision === 'fallback') {
      this.#capabilities.forget(from.full);
      this.#sendMessage(pending);
    } else {
      this.#finish(pending, decision);
    }
  }

  // XMPP-13: any resource of the bare JID we asked may answer a message request.
  #onMessage(stanza: Element, from: Jid): void {
    const byId = this.#byStanzaId.get(stanza.attrs['id'] ?? '');
    const candidates = [...(byId?.phase === 'message' ? [byId] : []), ...(this.#messagesByJid.get(from.bare) ?? [])];
    for (const pending of candidates) {
      if (pending.input.jid.bare !== from.bare) continue;
      const match = matchMessage(stanza, { messageId: pending.stanzaId, thread: pending.thread, transactionId: pending.input.transactionId });
      if (match) {
        this.#finish(pending, match.decision);
        return;
      }
    }
  }

  #finish(pending: Pending, outcome: ApprovalOutcome): void {
    if (!this.#all.delete(pending)) return;
    clearTimeout(pending.timer);
    this.#byStanzaId.delete(pending.stanzaId);
    const waiting = this.#messagesByJid.get(pending.input.jid.bare);
    if (waiting?.delete(pending) && waiting.size === 0) this.#messagesByJid.delete(pending.input.jid.bare);
    pending.resolve(outcome);
  }
}
