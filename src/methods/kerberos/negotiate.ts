/**
 * The HTTP side of SPNEGO, pure (RFC 4559 §4): reading `Authorization: Negotiate`
 * and telling a replay from other GSS failures.
 */

export type NegotiateHeader =
  | { kind: 'absent' }
  | { kind: 'malformed' }
  | { kind: 'token'; token: Buffer };

const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Far above any Kerberos ticket with a PAC; bounds the work a stranger can cause. */
export const maxTokenBytes = 64 * 1024;

/** RFC 4559 §4.2: `Authorization: Negotiate <base64 gssapi-data>`. */
export function readNegotiateHeader(authorization: string | undefined): NegotiateHeader {
  const match = /^Negotiate(?:\s+(.*))?$/i.exec((authorization ?? '').trim());
  if (!match) return { kind: 'absent' };
  const data = (match[1] ?? '').trim();
  if (data === '' || data.length % 4 !== 0 || data.length > (maxTokenBytes / 3) * 4 || !base64.test(data)) return { kind: 'malformed' };
  return { kind: 'token', token: Buffer.from(data, 'base64') };
}

/** RFC 4559 §5: the mutual-authentication reply, or a bare challenge. */
export const negotiateChallenge = (replyToken?: Buffer | null): string =>
  replyToken && replyToken.length > 0 ? `Negotiate ${replyToken.toString('base64')}` : 'Negotiate';
