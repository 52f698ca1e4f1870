import { signedUrl, signRequest, type ExtraPairs, type SkaKey } from '../../src/methods/ska/sign.js';

export const globalSecret = 'integration-secret-of-at-least-32-bytes';
export const globalKey: SkaKey = { secret: globalSecret, algorithm: 'HMAC-SHA256', quoter: 'default' };

/** The query string (no leading `?`) of a request signed by our core. */
export function signedQuery(user: string, validUntil: string, extra: ExtraPairs = [], key: SkaKey = globalKey): string {
  return signedUrl('', signRequest({ authUser: user, validUntil, extra }, key)).slice(1);
}
