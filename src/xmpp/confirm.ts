import { xml, type Element } from '@xmpp/component';
import { NS_DISCO_INFO, NS_HTTP_AUTH } from './namespaces.js';

/**
 * XEP-0070 (Verifying HTTP Requests via XMPP) 1.0.1 as pure functions: stanzas in
 * and out, decisions as values. https://xmpp.org/extensions/xep-0070.html
 */

export interface ConfirmRequest {
  transactionId: string;
  method: string;
  /** The `domain` parameter of /auth, sent verbatim as the original does (spec/xmpp.md XMPP-10). */
  url: string;
}

// https://xmpp.org/extensions/xep-0070.html#example-2
export const confirmElement = (request: ConfirmRequest): Element =>
  xml('confirm', { xmlns: NS_HTTP_AUTH, id: request.transactionId, method: request.method, url: request.url });

export const discoInfoQuery = (to: string, id: string): Element =>
  xml('iq', { type: 'get', to, id }, xml('query', { xmlns: NS_DISCO_INFO }));

// https://xmpp.org/extensions/xep-0070.html#example-2 (full JID: iq)
export const confirmIq = (to: string, id: string, request: ConfirmRequest): Element =>
  xml('iq', { type: 'get', to, id }, confirmElement(request));

/** The text a person reads; it names the code to type back when the client cannot confirm (XEP-0070 1.0.1). */
export function confirmBody(request: ConfirmRequest): string {
  return [
    `${request.url} (with method ${request.method}) needs to validate your identity. Do you agree?`,
    `Validation code: ${request.transactionId}`,
    `Check that this code is the same as the one shown on ${request.url}.`,
    '',
    'If your client cannot confirm this request, send the validation code back to confirm, or "no" to refuse.',
  ].join('\n');
}

// https://xmpp.org/extensions/xep-0070.html#example-4 (bare JID: message with thread and body)
export const confirmMessage = (to: string, id: string, thread: string, request: ConfirmRequest): Element =>
  xml(
    'message',
    { type: 'normal', to, id },
    xml('thread', {}, thread),
    xml('body', {}, confirmBody(request)),
    confirmElement(request),
  );

/** Stanza error condition by local name, so the XEP's `xmpp-stanzas` typo is also understood (§5). */
export function errorCondition(stanza: Element): string | undefined {
  const error = stanza.getChild('error');
  if (!error) return undefined;
  const condition = error.getChildElements().find((child) => child.name !== 'text' && child.attrs['xmlns']?.startsWith('urn:ietf:params:xml:'));
  return condition?.name ?? 'undefined-condition';
}

const UNREACHABLE = new Set(['remote-server-not-found', 'remote-server-timeout']);

export type DiscoVerdict = 'iq' | 'message' | 'unreachable';

/** XMPP-8: which path to take after disco#info on a full JID. */
export function classifyDiscoReply(reply: Element): DiscoVerdict {
  if (reply.attrs['type'] === 'result') {
    const features = reply.getChild('query', NS_DISCO_INFO)?.getChildren('feature') ?? [];
    return features.some((f) => f.attrs['var'] === NS_HTTP_AUTH) ? 'iq' : 'message';
  }
  const condition = errorCondition(reply) ?? '';
  if (UNREACHABLE.has(condition) || condition === 'not-allowed') return 'unreachable';
  // service-unavailable, feature-not-implemented, item-not-found (resource gone) and
  // anything unexpected: the bare JID may still be reached by message.
  return 'message';
}

export type Decision = 'approved' | 'denied' | 'unreachable' | 'fallback';

/** XMPP-11: the answer to our iq confirm. */
export function classifyIqReply(reply: Element): Decision {
  if (reply.attrs['type'] === 'result') return 'approved';
  const condition = errorCondition(reply) ?? '';
  if (UNREACHABLE.has(condition)) return 'unreachable';
  if (condition === 'service-unavailable' || condition === 'feature-not-implemented') return 'fallback';
  return 'denied';
}

/** What we remember of a message-path request to recognize its answers. */
export interface MessageExpectation {
  messageId: string;
  thread: string;
  transactionId: string;
}

const TYPED_DENIALS = new Set(['no', 'non', 'deny', 'nein']);

export type MessageMatch =
  | { kind: 'confirm'; decision: 'approved' | 'denied'; thread: string | undefined }
  | { kind: 'typed'; decision: 'approved' | 'denied'; thread: string | undefined }
  | { kind: 'bounce'; decision: 'unreachable' | 'denied' };

/**
 * XMPP-13: reads a message that came from the person we asked. Returns what it says
 * about `expected`, or undefined when it says nothing about it. The sender check is
 * the caller's job.
 */
export function matchMessage(message: Element, expected: MessageExpectation): MessageMatch | undefined {
  const type = message.attrs['type'];
  const thread = message.getChildText('thread') ?? undefined;
  const confirm = message.getChild('confirm', NS_HTTP_AUTH);
  if (confirm) {
    if (confirm.attrs['id'] !== expected.transactionId) return undefined;
    if (thread !== undefined && thread !== expected.thread) return undefined;
    // Gajim answers with <body>result</body> beside <confirm/>: the confirm decides.
    return { kind: 'confirm', decision: type === 'error' ? 'denied' : 'approved', thread };
  }
  if (type === 'error') {
    // A server bounce does not copy our children, but keeps our id (spec/xmpp.md §6.3).
    if (message.attrs['id'] !== expected.messageId) return undefined;
    const condition = errorCondition(message) ?? '';
    // not-allowed: the server will not route to that domain (Prosody without s2s, §6.3), as for disco in XMPP-8.
    const unreachable = UNREACHABLE.has(condition) || condition === 'service-unavailable' || condition === 'not-allowed';
    return { kind: 'bounce', decision: unreachable ? 'unreachable' : 'denied' };
  }
  if (thread !== undefined && thread !== expected.thread) return undefined;
  const body = message.getChildText('body')?.trim();
  if (body === undefined || body === '') return undefined;
  if (body.toLowerCase() === expected.transactionId.toLowerCase()) return { kind: 'typed', decision: 'approved', thread };
  if (TYPED_DENIALS.has(body.toLowerCase())) return { kind: 'typed', decision: 'denied', thread };
  return undefined;
}
